"""Text to ids: vocabulary, BERT tokenizer, segment packer, preprocessor."""

from bert_keras.tokenization.packer import BertPacker
from bert_keras.tokenization.preprocessor import BertPreprocessor
from bert_keras.tokenization.tokenizer import BertTokenizer
from bert_keras.tokenization.vocab import load_vocab, train_vocab
