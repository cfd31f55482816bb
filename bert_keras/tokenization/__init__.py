"""Text to ids: vocabulary, tokenizers (WordPiece, SentencePiece, byte-level
BPE), segment packers, preprocessor, and the factory that picks them."""

from bert_keras.tokenization.bpe_tokenizer import ByteLevelBpeTokenizer
from bert_keras.tokenization.factory import build_tokenizer, load_tokenizer, tokenizer_from_files
from bert_keras.tokenization.packer import BertPacker
from bert_keras.tokenization.preprocessor import BertPreprocessor, build_preprocessor
from bert_keras.tokenization.roberta_packer import RobertaPacker
from bert_keras.tokenization.sentencepiece_tokenizer import SentencePieceTokenizer
from bert_keras.tokenization.tokenizer import BertTokenizer
from bert_keras.tokenization.vocab import load_vocab, train_vocab
