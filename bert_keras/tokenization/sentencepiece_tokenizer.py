"""`SentencePieceTokenizer`: ALBERT's SentencePiece tokenization, as
TensorFlow graph ops.

The steps are those of Hugging Face's `AlbertTokenizer` (and of TF Hub's
ALBERT preprocessors):

1. special tokens written in the text (`[MASK]`, `[CLS]`, ...) are cut out
   first and map to their ids, as Hugging Face does;
2. "``" and "''" become '"';
3. unless accents are kept: NFKD, then drop non-spacing marks;
4. lowercase (uncased models);
5. SentencePiece (tf_text `SentencepieceTokenizer`), which applies the
   model's own normalization (NFKC, whitespace collapsed, a "▁" before each
   word).

Original ALBERT's Python tokenizer (and `transformers` 4.x's slow
`AlbertTokenizer`) also re-splits a piece that ends in "digit," ("▁1," becomes
"▁1" ","). Neither Hugging Face's fast tokenizer nor TF Hub's ALBERT
preprocessing does, and neither does this one: on the MRPC dev set it
changes 36 of 1,688 sentences, on SST-2 dev none.
"""

import keras
import tensorflow as tf
import tensorflow_text as tf_text
from keras_hub.tokenizers import SentencePieceTokenizer as _KerasHubSentencePieceTokenizer

from bert_keras.errors import InputError, MissingFileError
from bert_keras.tokenization.packer import BertPacker
from bert_keras.tokenization.tokenizer import _as_string_batch, _re_escape

# ALBERT's special pieces, in the order of its model file.
PAD, UNK, CLS, SEP, MASK = "<pad>", "<unk>", "[CLS]", "[SEP]", "[MASK]"


@keras.saving.register_keras_serializable(package="bert_keras")
class SentencePieceTokenizer(_KerasHubSentencePieceTokenizer):
    """Strings to SentencePiece ids, exactly as ALBERT tokenizes.

    Args:
        proto: path of a SentencePiece model file (`spiece.model`), or its
            bytes.
        lowercase: uncased model (ALBERT's English models are).
        strip_accents: drop accents (ALBERT's `keep_accents=False`);
            defaults to `lowercase`.
        special_tokens_in_strings: `[MASK]`, `[CLS]`, ... written in the text
            map to their ids (as Hugging Face tokenizers do).

    Calling it on a batch of strings gives an int32 `RaggedTensor`
    `[batch, (tokens)]` without `[CLS]`/`[SEP]` (a scalar string gives 1-D
    ids). It packs as BERT does: `[CLS] a [SEP] b [SEP]`.

    Example:
    >>> tokenizer = SentencePieceTokenizer("spiece.model")  # doctest: +SKIP
    >>> tokenizer(["Hello world!"]).to_list()               # doctest: +SKIP
    [[10975, 126, 187]]
    """

    packer_class = BertPacker

    def __init__(self, proto=None, lowercase=True, strip_accents=None,
                 special_tokens_in_strings=True, **kwargs):
        if isinstance(proto, str):
            try:
                with open(proto, "rb") as f:
                    proto = f.read()
            except FileNotFoundError:
                raise MissingFileError(f"SentencePiece model file not found: {proto}") from None
        kwargs.setdefault("dtype", "int32")
        try:
            super().__init__(proto=proto, **kwargs)
        except (RuntimeError, tf.errors.OpError) as e:  # "ParseFromArray failed"
            raise InputError(f"not a SentencePiece model file: {str(e).strip()[:200]}") from None
        self.lowercase = lowercase
        self.strip_accents = lowercase if strip_accents is None else strip_accents
        self.special_tokens_in_strings = special_tokens_in_strings
        if proto is not None:
            missing = [t for t in (PAD, UNK, CLS, SEP) if t not in self._token_to_id_map]
            if missing:
                raise InputError(f"SentencePiece model lacks the special pieces {missing}")

    def special_tokens_dict(self):
        """Ids of the special tokens, as the TF-Hub preprocessors report them."""
        ids = self._token_to_id_map
        return {
            "vocab_size": self.vocabulary_size(),
            "padding_id": ids[PAD],
            "start_of_sequence_id": ids[CLS],
            "end_of_segment_id": ids[SEP],
            "mask_id": ids.get(MASK, ids[UNK]),
        }

    def normalize(self, text):
        """ALBERT's normalization before SentencePiece (steps 2-4)."""
        text = tf.strings.regex_replace(text, "``|''", '"')
        if self.strip_accents:
            text = tf_text.normalize_utf8(text, "NFKD")
            text = tf.strings.regex_replace(text, r"\p{Mn}", "")
        if self.lowercase:
            text = tf.strings.lower(text, encoding="utf-8")
        return text

    def tokenize(self, inputs):
        """Strings `[batch]` to int32 ids `[batch, (tokens)]` (a scalar string
        gives a 1-D tensor)."""
        self._check_vocabulary()
        self._maybe_initialized_tf()
        text, unbatched = _as_string_batch(inputs)
        if tf.executing_eagerly():
            try:
                ids = self._tokenize_batch(text)
            except tf.errors.NotFoundError:
                # `tf.random.set_seed` (and `keras.utils.set_random_seed`)
                # clear TF's eager kernel cache, which deletes the
                # SentencePiece model resource: load it again.
                self._set_proto_tf(self.proto)
                ids = self._tokenize_batch(text)
        else:
            ids = self._tokenize_batch(text)
        return ids[0] if unbatched else ids

    def _tokenize_batch(self, text):
        specials = self._special_tokens_in_text()
        if not specials:
            return tf.cast(self._sentence_piece.tokenize(self.normalize(text)), tf.int32)
        return self._tokenize_around_specials(text, specials)

    def _tokenize_around_specials(self, text, specials):
        # Cut the text into runs of plain text and special tokens; each plain
        # run is tokenized on its own, as Hugging Face does around added tokens.
        pattern = "|".join(_re_escape(t) for t in specials)
        parts = tf_text.regex_split(text, pattern, keep_delim_regex_pattern=pattern)
        flat = parts.flat_values
        pieces = self._sentence_piece.tokenize(self.normalize(flat))
        special_ids = tf.constant([self._token_to_id_map[t] for t in specials], tf.int32)
        matches = tf.equal(flat[:, tf.newaxis], tf.constant(specials)[tf.newaxis, :])
        is_special = tf.reduce_any(matches, axis=1)
        special_id = tf.gather(special_ids, tf.argmax(tf.cast(matches, tf.int32), axis=1))
        # A run is either its SentencePiece ids or its one special id.
        pieces = tf.cast(pieces, tf.int32)
        keep = tf.repeat(tf.logical_not(is_special), pieces.row_lengths())
        pieces = tf.ragged.boolean_mask(pieces, pieces.with_flat_values(keep))
        special = tf.ragged.boolean_mask(special_id[:, tf.newaxis], is_special[:, tf.newaxis])
        pieces = tf.concat([pieces, special], axis=1)
        return parts.with_flat_values(pieces).merge_dims(-2, -1)

    def _special_tokens_in_text(self):
        if not self.special_tokens_in_strings:
            return []
        return [t for t in (PAD, UNK, CLS, SEP, MASK) if t in self._token_to_id_map]

    def call(self, inputs, *args, training=None, **kwargs):
        return self.tokenize(inputs)

    def get_config(self):
        config = super().get_config()
        config.update(lowercase=self.lowercase, strip_accents=self.strip_accents,
                      special_tokens_in_strings=self.special_tokens_in_strings)
        return config
