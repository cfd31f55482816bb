"""`BertTokenizer`: original BERT tokenization, as TensorFlow graph ops.

The normalization is BERT's own, step for step (the Hugging Face `tokenizers`
`BertNormalizer` + `BertPreTokenizer`, which follow google-research/bert):

1. clean: drop NUL, U+FFFD and control/format/private-use characters, map
   tab, newline and every Unicode space to " ";
2. put spaces around every CJK ideograph, so each is its own word;
3. uncased models: NFD, drop non-spacing marks (accents), lowercase;
4. split on whitespace and on punctuation, keeping punctuation as words;
5. words longer than `max_chars_per_word` characters become `[UNK]`;
6. WordPiece, greedy longest-match-first (tf_text `FastWordpieceTokenizer`).

keras-hub's `WordPieceTokenizer` lowercases with NFKC case folding, which also
rewrites full-width punctuation, ligatures and more, and does not clean
control characters: its ids differ from BERT's on real text (Chinese news
titles above all). Here the steps are regex and normalization ops, so the
layer runs in `tf.data`, in Keras models and in exported SavedModels alike.

Known differences from Hugging Face `tokenizers` (none occurs in the GLUE or
CLUE dev sets): a capital sigma at the end of a word lowercases to "ς" here
(ICU, like Python's `str.lower` in google-research/bert) but to "σ" there;
U+2B820-U+2B91F are CJK ideographs here, as in google-research/bert, but not
there; and about 800 rare code points added or re-categorised in Unicode 9-15
(e.g. U+061D, U+2E43-U+2E5D) follow TensorFlow's newer ICU tables.
"""

import os

import keras
import tensorflow as tf
import tensorflow_text as tf_text
from keras_hub.tokenizers import BertTokenizer as _KerasHubBertTokenizer

from bert_keras.tokenization.vocab import SPECIAL_TOKENS, load_vocab
from bert_keras.errors import InputError, InputTypeError

# Unicode blocks of CJK ideographs (not Hangul, Hiragana or Katakana), as in
# google-research/bert `_is_chinese_char`.
_CJK = (r"\x{4E00}-\x{9FFF}\x{3400}-\x{4DBF}\x{20000}-\x{2A6DF}"
        r"\x{2A700}-\x{2B73F}\x{2B740}-\x{2B81F}\x{2B820}-\x{2CEAF}"
        r"\x{F900}-\x{FAFF}\x{2F800}-\x{2FA1F}")
_PUNCTUATION = r"[!-/:-@\[-`{-~]|\p{P}"
# Private-use code points stand in for special tokens during normalization:
# cleaning removes private-use characters from the input first, so user
# text can never forge one.
_SENTINEL_BASE = 0xE000


@keras.saving.register_keras_serializable(package="bert_keras")
class BertTokenizer(_KerasHubBertTokenizer):
    """Strings to WordPiece ids, exactly as original BERT tokenizes.

    Args:
        vocabulary: path of a `vocab.txt`, or a list of tokens.
        lowercase: uncased model (lowercase and strip accents).
        strip_accents: strip accents; defaults to `lowercase`.
        tokenize_chinese_chars: split every CJK ideograph into its own word.
        special_tokens_in_strings: `[MASK]`, `[CLS]`, ... written in the
            text map to their ids (as Hugging Face tokenizers do).
        max_chars_per_word: longer words become `[UNK]`.

    Calling it on a batch of strings gives an int32 `RaggedTensor`
    `[batch, (tokens)]` without special tokens; `tokenize_words` keeps the
    word level, `[batch, (words), (pieces)]`.

    Example:
    >>> tokenizer = BertTokenizer(
    ...     ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "un", "##aff",
    ...      "##able", "is", "!"], lowercase=True)
    >>> tokenizer(["UNAFFABLE is!"]).to_list()
    [[5, 6, 7, 8, 9]]
    """

    def __init__(self, vocabulary=None, lowercase=True, strip_accents=None,
                 tokenize_chinese_chars=True, special_tokens_in_strings=True,
                 max_chars_per_word=100, **kwargs):
        if isinstance(vocabulary, str):
            vocabulary = load_vocab(vocabulary)
        self.tokenize_chinese_chars = tokenize_chinese_chars
        self.max_chars_per_word = max_chars_per_word
        kwargs.pop("special_tokens_in_strings", None)
        super().__init__(vocabulary=vocabulary, lowercase=lowercase, **kwargs)
        self.strip_accents = lowercase if strip_accents is None else strip_accents
        self.special_tokens_in_strings = special_tokens_in_strings

    @classmethod
    def from_pretrained(cls, src):
        """The tokenizer of a model directory, built-in name or checkpoint."""
        from bert_keras.checkpoints.loading import load_tokenizer

        return load_tokenizer(src)

    # -- vocabulary -------------------------------------------------------
    def _set_vocabulary_tf(self):
        # Words are already cut at max_chars_per_word characters; allow up to
        # 4 UTF-8 bytes a character so the byte limit never cuts first.
        self._fast_word_piece = tf_text.FastWordpieceTokenizer(
            vocab=self.vocabulary,
            token_out_type=tf.int32,
            suffix_indicator=self.suffix_indicator,
            unknown_token=self.oov_token,
            max_bytes_per_word=4 * max(getattr(self, "max_chars_per_word", 100), 100),
            no_pretokenization=True,
            support_detokenization=True,
        )

    def load_assets(self, dir_path):
        # keras-hub's reader strips whitespace from every line, which turns
        # tokens like "\u2028" (two in Google's Chinese vocabulary) into ""
        # and "##"; `load_vocab` strips only the line break.
        self.set_vocabulary(load_vocab(os.path.join(dir_path, self.file_assets[0])))

    def special_tokens_dict(self):
        """Ids of the special tokens, as the TF-Hub preprocessors report them."""
        return {
            "vocab_size": self.vocabulary_size(),
            "padding_id": self.token_to_id("[PAD]"),
            "start_of_sequence_id": self.token_to_id("[CLS]"),
            "end_of_segment_id": self.token_to_id("[SEP]"),
            "mask_id": self.token_to_id("[MASK]") if "[MASK]" in self._token_to_id_map
            else self.token_to_id("[UNK]"),
        }

    # -- tokenization -----------------------------------------------------
    def normalize_and_split(self, text):
        """Strings `[batch]` to words `[batch, (words)]` (steps 1-5)."""
        text = tf.strings.unicode_transcode(
            text, "UTF-8", "UTF-8", errors="replace", replacement_char=0xFFFD)
        text = tf.strings.regex_replace(text, r"[\t\n\r]", " ")
        text = tf.strings.regex_replace(
            text, r"[\x{0}\x{FFFD}\p{Cc}\p{Cf}\p{Co}\p{Cs}]", "")
        text = tf.strings.regex_replace(text, r"[\p{Zs}\x{2028}\x{2029}]", " ")
        specials = self._special_tokens_in_text()
        for i, token in enumerate(specials):
            sentinel = chr(_SENTINEL_BASE + i)
            text = tf.strings.regex_replace(
                text, _re_escape(token), f" {sentinel} ")
        if self.tokenize_chinese_chars:
            text = tf.strings.regex_replace(text, f"([{_CJK}])", r" \1 ")
        if self.strip_accents:
            text = tf_text.normalize_utf8(text, "NFD")
            text = tf.strings.regex_replace(text, r"\p{Mn}", "")
        if self.lowercase:
            text = tf.strings.lower(text, encoding="utf-8")
        words = tf_text.regex_split(
            text, delim_regex_pattern=rf"\s+|{_PUNCTUATION}",
            keep_delim_regex_pattern=_PUNCTUATION)
        unk = tf.constant(self.oov_token)
        too_long = tf.strings.length(words.flat_values, unit="UTF8_CHAR") > self.max_chars_per_word
        flat = tf.where(too_long, unk, words.flat_values)
        for i, token in enumerate(specials):
            flat = tf.where(flat == chr(_SENTINEL_BASE + i), tf.constant(token), flat)
        return words.with_flat_values(flat)

    def tokenize_words(self, inputs):
        """Strings `[batch]` to int32 ids `[batch, (words), (pieces)]`."""
        text, unbatched = _as_string_batch(inputs)
        words = self.normalize_and_split(text)
        ids = self._fast_word_piece.tokenize(words)
        return ids[0] if unbatched else ids

    def tokenize(self, inputs):
        """Strings `[batch]` to int32 ids `[batch, (tokens)]` (a scalar string
        gives a 1-D tensor)."""
        self._check_vocabulary()
        text, unbatched = _as_string_batch(inputs)
        ids = self._fast_word_piece.tokenize(self.normalize_and_split(text))
        ids = ids.merge_dims(-2, -1)
        return ids[0] if unbatched else ids

    def call(self, inputs, *args, training=None, **kwargs):
        return self.tokenize(inputs)

    def detokenize(self, inputs):
        """Ids back to text (WordPieces joined; not an exact inverse)."""
        return self._fast_word_piece.detokenize(inputs)

    def _special_tokens_in_text(self):
        if not self.special_tokens_in_strings:
            return []
        return [t for t in SPECIAL_TOKENS if t in self._token_to_id_map]

    def get_config(self):
        config = super().get_config()
        config.update(
            tokenize_chinese_chars=self.tokenize_chinese_chars,
            special_tokens_in_strings=self.special_tokens_in_strings,
            max_chars_per_word=self.max_chars_per_word,
        )
        return config


def _as_string_batch(inputs):
    """Python strings, lists, numpy arrays and tensors to a string `[batch]`
    tensor, with a clear error for anything else."""
    if isinstance(inputs, tf.RaggedTensor):
        raise InputError("BertTokenizer expects a 1-D batch of strings, got a RaggedTensor")
    if isinstance(inputs, (list, tuple)) and len(inputs) == 0:
        return tf.zeros([0], tf.string), False
    try:
        text = tf.convert_to_tensor(inputs)
    except (ValueError, TypeError) as e:
        raise InputTypeError(f"BertTokenizer expects strings, got {type(inputs).__name__}: {e}") from None
    if text.dtype != tf.string:
        raise InputTypeError(f"BertTokenizer expects strings, got dtype {text.dtype.name}")
    rank = text.shape.rank
    if rank == 0:
        return tf.reshape(text, [1]), True
    if rank != 1:
        raise InputError(f"BertTokenizer expects a 1-D batch of strings, got shape {text.shape}")
    return text, False


def _re_escape(token):
    return "".join("\\" + c if not c.isalnum() else c for c in token)
