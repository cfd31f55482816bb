"""`ByteLevelBpeTokenizer`: RoBERTa's byte-level BPE, as TensorFlow graph ops.

keras-hub's `RobertaTokenizer` (a `BytePairTokenizer` with RoBERTa's special
tokens) already splits words with GPT-2's pattern, maps bytes to unicode and
merges pairs by rank exactly as Hugging Face's `tokenizers` does: id for id on
the SST-2 and MRPC dev sets. This class forces its TensorFlow path (so it runs
eagerly, in `tf.data` and in SavedModels alike), compiles it once, and adds
the interface the other tokenizers of this package share.
"""

import json

import keras
import tensorflow as tf
from keras_hub.models import RobertaTokenizer as _KerasHubRobertaTokenizer

from bert_keras.errors import InputError, MissingFileError
from bert_keras.tokenization.roberta_packer import RobertaPacker
from bert_keras.tokenization.tokenizer import _as_string_batch

BOS, PAD, EOS, UNK, MASK = "<s>", "<pad>", "</s>", "<unk>", "<mask>"


@keras.saving.register_keras_serializable(package="bert_keras")
class ByteLevelBpeTokenizer(_KerasHubRobertaTokenizer):
    """Strings to RoBERTa's byte-level BPE ids.

    Args:
        vocabulary: path of a `vocab.json`, or a dict token -> id.
        merges: path of a `merges.txt`, or a list of "a b" merge rules.

    Calling it on a batch of strings gives an int32 `RaggedTensor`
    `[batch, (tokens)]` without `<s>`/`</s>` (a scalar string gives 1-D
    ids). A leading space is part of a token ("Ġworld"); none is added before
    the first word, as in RoBERTa. It packs as RoBERTa does:
    `<s> a </s></s> b </s>`, all token types 0.

    Example:
    >>> tokenizer = ByteLevelBpeTokenizer("vocab.json", "merges.txt")  # doctest: +SKIP
    >>> tokenizer(["Hello world"]).to_list()                            # doctest: +SKIP
    [[31414, 232]]
    """

    packer_class = RobertaPacker
    lowercase = False  # byte-level BPE is cased (the exporter reports it)

    def __init__(self, vocabulary=None, merges=None, **kwargs):
        vocabulary = _read_file(vocabulary, json.load, "BPE vocabulary")
        merges = _read_file(
            merges, lambda f: [line.rstrip("\r\n") for line in f if line.strip()], "BPE merges")
        if merges and merges[0].startswith("#version"):
            merges = merges[1:]
        kwargs.setdefault("dtype", "int32")
        kwargs["_allow_python_workflow"] = False
        if isinstance(vocabulary, dict) and "unsplittable_tokens" not in kwargs:
            # Special tokens written in the text map to their ids, as in
            # Hugging Face; keras-hub leaves out <unk>.
            kwargs["unsplittable_tokens"] = [
                t for t in (BOS, PAD, EOS, UNK, MASK) if t in vocabulary]
        try:
            super().__init__(vocabulary=vocabulary, merges=merges, **kwargs)
        except ValueError as e:  # keras-hub: a special token missing from the vocabulary
            raise InputError(f"not a RoBERTa BPE vocabulary: {e}") from None
        self._compiled_tokenize = None

    def special_tokens_dict(self):
        """Ids of the special tokens, as the TF-Hub preprocessors report them."""
        ids = self.vocabulary
        return {
            "vocab_size": self.vocabulary_size(),
            "padding_id": ids[PAD],
            "start_of_sequence_id": ids[BOS],
            "end_of_segment_id": ids[EOS],
            "mask_id": ids.get(MASK, ids.get(UNK, ids[PAD])),
        }

    def tokenize(self, inputs):
        """Strings `[batch]` to int32 ids `[batch, (tokens)]` (a scalar string
        gives a 1-D tensor)."""
        self._check_vocabulary()
        text, unbatched = _as_string_batch(inputs)
        if tf.executing_eagerly():
            # The merge loop is a while_loop: one graph runs it far faster
            # than eager op-by-op execution. keras-hub writes its control
            # flow with tf ops, so AutoGraph is not needed (it would spend
            # most of the tracing time converting Python source).
            if self._compiled_tokenize is None:
                self._compiled_tokenize = tf.function(
                    self._tokenize_graph, autograph=False,
                    input_signature=[tf.TensorSpec([None], tf.string)])
            ids = self._compiled_tokenize(text)
        else:
            ids = self._tokenize_graph(text)
        return ids[0] if unbatched else ids

    def _tokenize_graph(self, text):
        ids = self._tokenize_tf(text)
        return tf.cast(ids, tf.int32)

    def call(self, inputs, *args, training=None, **kwargs):
        return self.tokenize(inputs)


def _read_file(value, reader, what):
    if not isinstance(value, str):
        return value
    try:
        with open(value, encoding="utf-8") as f:
            return reader(f)
    except FileNotFoundError:
        raise MissingFileError(f"{what} file not found: {value}") from None
    except json.JSONDecodeError as e:
        raise InputError(f"{value}:{e.lineno}: not a JSON vocabulary: {e.msg}") from None
