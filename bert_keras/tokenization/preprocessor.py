"""`BertPreprocessor`: raw strings (or pairs) to the encoder's inputs."""

import tensorflow as tf

from bert_keras.tokenization.bpe_tokenizer import ByteLevelBpeTokenizer
from bert_keras.tokenization.packer import BertPacker
from bert_keras.tokenization.sentencepiece_tokenizer import SentencePieceTokenizer
from bert_keras.tokenization.tokenizer import BertTokenizer
from bert_keras.errors import InputError, InputTypeError


TOKENIZERS = (BertTokenizer, SentencePieceTokenizer, ByteLevelBpeTokenizer)


class BertPreprocessor:
    """Tokenizes one or two batches of strings and packs them.

    One preprocessor for every tokenizer of the BERT family: WordPiece
    (`BertTokenizer`) and SentencePiece (ALBERT) pack as
    `[CLS] a [SEP] b [SEP]`, RoBERTa's `ByteLevelBpeTokenizer` as
    `<s> a </s></s> b </s>`; the outputs are the same three tensors.

    Call it with a batch of strings, or a tuple `(first, second)` of two
    batches for sentence pairs. `(x, y)` and `(x, y, sample_weight)` tuples
    from `tf.data` pass labels through, so it can be mapped over a dataset:
    `ds.map(preprocessor)`. Two string batches, as a tuple or as two
    arguments, are always a sentence pair (so labels must not be strings).
    `max_sequence_length` is the encoder's `max_position_embeddings` (set by
    `from_pretrained`): a longer `sequence_length` is refused up front.

    Example:
    >>> tokenizer = BertTokenizer(
    ...     ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world"])
    >>> pre = BertPreprocessor(tokenizer, sequence_length=6)
    >>> pre(["hello world"])["token_ids"].numpy().tolist()
    [[2, 5, 6, 3, 0, 0]]
    >>> pre((["hello"], ["world"]))["segment_ids"].numpy().tolist()
    [[0, 0, 0, 1, 1, 0]]
    """

    def __init__(self, tokenizer, sequence_length=128, truncate="round_robin",
                 dynamic_length=False, max_sequence_length=None):
        if not isinstance(tokenizer, TOKENIZERS):
            raise InputTypeError(
                "tokenizer must be a BertTokenizer, SentencePieceTokenizer or "
                f"ByteLevelBpeTokenizer, got {type(tokenizer).__name__}")
        self.tokenizer = tokenizer
        self.sequence_length = sequence_length
        ids = tokenizer.special_tokens_dict()
        # BERT's packing, or RoBERTa's for its BPE tokenizer.
        packer_class = getattr(tokenizer, "packer_class", BertPacker)
        self.packer = packer_class(
            sequence_length, start_id=ids["start_of_sequence_id"],
            sep_id=ids["end_of_segment_id"], pad_id=ids["padding_id"],
            truncate=truncate, dynamic_length=dynamic_length,
            max_sequence_length=max_sequence_length)

    @classmethod
    def from_pretrained(cls, src, sequence_length=128, **kwargs):
        """The preprocessor of a model directory, built-in name or checkpoint;
        a `sequence_length` above the model's `max_position_embeddings` is
        refused."""
        from bert_keras.checkpoints.convert import load_model_dir
        from bert_keras.tokenization.factory import build_tokenizer

        model = load_model_dir(src)
        kwargs.setdefault("max_sequence_length", model.config.max_position_embeddings)
        return cls(build_tokenizer(model), sequence_length, **kwargs)

    def __call__(self, x, y=None, sample_weight=None):
        if isinstance(x, tuple) and y is None and len(x) in (2, 3) and not _is_segment_pair(x):
            # (x, y) or (x, y, sample_weight) from tf.data.
            return self(*x)
        if (y is not None and sample_weight is None and not isinstance(x, tuple)
                and _is_segment_pair((x, y))):
            # `ds.map(preprocessor)` over unlabelled (a, b) string pairs calls
            # it with two arguments: the same rule as above, a pair of string
            # batches is a sentence pair, not (x, y); else b would be lost.
            return self((x, y))
        segments = x if isinstance(x, tuple) else (x,)
        if len(segments) not in (1, 2):
            raise InputError(f"BERT takes one or two segments, got {len(segments)}")
        tokens = [self.tokenizer.tokenize(s) for s in segments]
        if len(tokens) == 2 and all(isinstance(t, tf.RaggedTensor) for t in tokens):
            tf.debugging.assert_equal(
                tokens[0].nrows(), tokens[1].nrows(),
                message="Both segments of a pair must have the same batch size")
        features = self.packer(tuple(tokens))
        if y is None and sample_weight is None:
            return features
        if sample_weight is None:
            return features, y
        return features, y, sample_weight


def _is_segment_pair(x):
    """A tuple of two string batches is a sentence pair, not (x, y)."""
    def is_text(t):
        if isinstance(t, (str, bytes)):
            return True
        if isinstance(t, (list, tuple)):
            return len(t) > 0 and isinstance(t[0], (str, bytes))
        return getattr(t, "dtype", None) in (tf.string, object) or str(getattr(t, "dtype", "")).startswith("<U")
    return len(x) == 2 and is_text(x[0]) and is_text(x[1])


def build_preprocessor(settings, model_dir, sequence_length=128, **kwargs):
    """The matching preprocessor: strings (or pairs) to `token_ids`,
    `segment_ids` and `padding_mask`, packed as the model family packs.
    `kwargs` go to `BertPreprocessor` (`truncate`, `dynamic_length`)."""
    from bert_keras.tokenization.factory import tokenizer_from_files

    return BertPreprocessor(tokenizer_from_files(settings, model_dir), sequence_length, **kwargs)
