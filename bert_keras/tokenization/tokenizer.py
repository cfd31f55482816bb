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

The text is split into words on the ORIGINAL string (whitespace, punctuation,
CJK ideographs and special tokens such as `[MASK]`), then each word is
normalized character by character (steps 1 and 3 map one character to a
string), so `tokenize_with_offsets` maps every piece back to exact character
(or byte) offsets in the input. `tokenize` runs the same steps: its ids are
those of `tokenize_with_offsets`.

keras-hub's `WordPieceTokenizer` lowercases with NFKC case folding, which also
rewrites full-width punctuation, ligatures and more, and does not clean
control characters: its ids differ from BERT's on real text (Chinese news
titles above all). Here the steps are regex and normalization ops, so the
layer runs in `tf.data`, in Keras models and in exported SavedModels alike.

Known differences from Hugging Face `tokenizers` (none occurs in the GLUE or
CLUE dev sets): U+2B820-U+2B91F are CJK ideographs here, as in
google-research/bert, but not there; about 800 rare code points added or
re-categorised in Unicode 9-15 (e.g. U+061D, U+2E43-U+2E5D) follow
TensorFlow's newer ICU tables; a special token spelled with removed
characters inside it ("[MA\\u200bSK]") is ordinary text here. A capital sigma
lowercases to "σ" anywhere in a word, as in `tokenizers` (one character at a
time; Python's `str.lower` in google-research/bert writes a word-final "ς").
"""

import collections
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
# Tab, newline and Unicode spaces separate words; NUL, U+FFFD and control,
# format, private-use and surrogate characters are removed.
_WHITESPACE = r"[\t\n\r\p{Zs}\x{2028}\x{2029}]"
_REMOVED = r"[\x{0}\x{FFFD}\p{Cc}\p{Cf}\p{Co}\p{Cs}]"


class _AlignedWords(collections.namedtuple("_AlignedWords", [
        "rows", "start", "end", "normalized", "normalized_length", "too_long",
        "non_empty", "char_word", "char_start", "char_norm_end"])):
    """Words of a batch (`rows`: `[batch, (words)]`; the rest flat over
    words or over their characters), normalized and aligned: byte offsets
    of words in the string and of characters in their word, and the byte
    end of each character's normalized image in the normalized word."""


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
        """The WordPiece tokenizer of a model directory, built-in name or
        checkpoint (`bert_keras.tokenization.load_tokenizer` takes every
        tokenizer type)."""
        from bert_keras.checkpoints.convert import read_any

        return cls.from_model_dir(read_any(src))

    @classmethod
    def from_model_dir(cls, model):
        """The tokenizer of a model in memory (`BertModelDir`) whose
        tokenizer is WordPiece."""
        settings = model.tokenizer
        if settings.type != "wordpiece":
            raise InputError(
                f"{model.source or model.path} tokenizes with {settings.type}, not WordPiece: "
                "use bert_keras.tokenization.load_tokenizer(src) or "
                "BertPreprocessor.from_pretrained(src)")
        return cls(model.vocab, lowercase=settings.lowercase,
                   strip_accents=settings.strip_accents,
                   tokenize_chinese_chars=settings.tokenize_chinese_chars)

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
        """Strings `[batch]` to normalized words `[batch, (words)]` (steps 1-5)."""
        words, normalized, non_empty = self._normalized_words(text)
        return tf.ragged.boolean_mask(words.with_flat_values(normalized),
                                      words.with_flat_values(non_empty))

    def tokenize_words(self, inputs):
        """Strings `[batch]` to int32 ids `[batch, (words), (pieces)]`."""
        self._check_vocabulary()
        text, unbatched = _as_string_batch(inputs)
        ids = self._fast_word_piece.tokenize(self.normalize_and_split(text))
        return ids[0] if unbatched else ids

    def tokenize(self, inputs):
        """Strings `[batch]` to int32 ids `[batch, (tokens)]` (a scalar string
        gives a 1-D tensor)."""
        self._check_vocabulary()
        text, unbatched = _as_string_batch(inputs)
        words, normalized, _ = self._normalized_words(text)
        ids = self._fast_word_piece.tokenize(normalized)
        ids = words.with_flat_values(ids).merge_dims(-2, -1)
        return ids[0] if unbatched else ids

    def tokenize_with_offsets(self, inputs, unit="UTF8_CHAR"):
        """Ids `[batch, (tokens)]` (exactly those of `tokenize`) with the
        start and end of each token in the ORIGINAL string: `(ids, starts,
        ends)`, ends exclusive.

        Args:
            inputs: strings `[batch]` (or one string: 1-D outputs).
            unit: `"UTF8_CHAR"` (code points, i.e. Python `str` indices) or
                `"BYTE"` (UTF-8 bytes, as TF Hub's `tokenize_with_offsets`).

        A token's span runs from the first to the last character it came
        from, through lowercasing, accent stripping and CJK splitting;
        characters that normalization removes (combining accents, control
        and format characters) are inside a span only between two of its
        characters, as Hugging Face `tokenizers` aligns them.

        Example:
        >>> tokenizer = BertTokenizer(
        ...     ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "cafes", "!"],
        ...     lowercase=True)
        >>> text = "  CAFE\\u0301S\\u200b!"
        >>> ids, starts, ends = tokenizer.tokenize_with_offsets(text)
        >>> ids.numpy().tolist(), starts.numpy().tolist(), ends.numpy().tolist()
        ([5, 6], [2, 9], [8, 10])
        >>> print(ascii(text[2:8]))
        'CAFE\\u0301S'
        """
        out = self.tokenize_words_with_offsets(inputs, unit=unit)
        if out[0].ragged_rank == 2:
            return tuple(x.merge_dims(-2, -1) for x in out)
        return tuple(x.flat_values for x in out)

    def tokenize_words_with_offsets(self, inputs, unit="UTF8_CHAR"):
        """As `tokenize_with_offsets`, at the word level: int32 ids and int64
        offsets `[batch, (words), (pieces)]`."""
        if unit not in ("UTF8_CHAR", "BYTE"):
            raise InputError(f"unit must be 'UTF8_CHAR' or 'BYTE', got {unit!r}")
        self._check_vocabulary()
        text, unbatched = _as_string_batch(inputs)
        ids, starts, ends = self._tokenize_with_byte_offsets(text)
        if unit == "UTF8_CHAR":
            starts = _bytes_to_chars(text, starts)
            ends = _bytes_to_chars(text, ends)
        if unbatched:
            return ids[0], starts[0], ends[0]
        return ids, starts, ends

    def call(self, inputs, *args, training=None, **kwargs):
        return self.tokenize(inputs)

    def detokenize(self, inputs):
        """Ids back to text (WordPieces joined; not an exact inverse)."""
        return self._fast_word_piece.detokenize(inputs)

    # -- words aligned with the original string ---------------------------
    def _split_patterns(self):
        """(delimiters, kept delimiters) of the split on the ORIGINAL text.

        Special tokens come first (RE2 alternation is leftmost-first), then
        punctuation and CJK. With accent stripping, U+1FEF, U+2260, U+226E
        and U+226F decompose to ASCII punctuation plus a stripped mark, so
        they split as the punctuation they become.
        """
        kept = [_re_escape(t) for t in self._special_tokens_in_text()]
        kept.append(_PUNCTUATION)
        if self.strip_accents:
            kept.append(r"[\x{1FEF}\x{2260}\x{226E}\x{226F}]")
        if self.tokenize_chinese_chars:
            kept.append(f"[{_CJK}]")
        keep = "|".join(kept)
        return rf"{_WHITESPACE}+|{keep}", keep

    def _split_words(self, text):
        """Words of the original text `[batch, (words)]`, their byte starts
        and ends, and whether each (flat) word is a special token."""
        delim, keep = self._split_patterns()
        # regex_split stops at a NUL byte; U+0001 has the same length and is
        # removed just the same.
        text = tf.strings.regex_replace(text, r"\x{0}", "\x01")
        words, word_start, word_end = tf_text.regex_split_with_offsets(text, delim, keep)
        special = tf.zeros_like(words.flat_values, tf.bool)
        for token in self._special_tokens_in_text():
            special = special | tf.equal(words.flat_values, token)
        return words, word_start.flat_values, word_end.flat_values, special

    def _normalize(self, strings):
        """Steps 1 and 3 on each string (a word, or one character)."""
        norm = tf.strings.regex_replace(strings, _REMOVED, "")
        if self.strip_accents:
            norm = tf_text.normalize_utf8(norm, "NFD")
            norm = tf.strings.regex_replace(norm, r"\p{Mn}", "")
        if self.lowercase:
            # ICU lowercases a word-final capital sigma to "ς", its only
            # context-dependent rule: "σ" everywhere keeps a word's image
            # the concatenation of its characters' images.
            norm = tf.strings.lower(tf.strings.regex_replace(norm, "\u03a3", "\u03c3"),
                                    encoding="utf-8")
        return norm

    def _normalized_words(self, text):
        """`(words [batch, (words)], normalized flat words, non-empty flags)`:
        the word-level path of `tokenize` (no alignment to compute)."""
        words, _, _, special = self._split_words(text)
        flat = words.flat_values
        # Invalid UTF-8 becomes U+FFFD, which normalization removes (as the
        # character path's decoding does).
        valid = tf.strings.unicode_transcode(flat, "UTF-8", "UTF-8", errors="replace",
                                             replacement_char=0xFFFD)
        joined = tf.where(special, flat, self._normalize(valid))
        too_long = (tf.strings.length(joined, unit="UTF8_CHAR") > self.max_chars_per_word) & ~special
        normalized = tf.where(too_long, tf.constant(self.oov_token), joined)
        return words, normalized, tf.strings.length(joined) > 0

    def _aligned_words(self, text):
        """Splits on the original text, then normalizes each word character
        by character, keeping where each normalized byte came from.

        Every normalization step but the split is a map from one character
        to a string (maybe empty, maybe longer: NFD of Hangul, "İ"), so a
        normalized word is the concatenation of its characters' images (the
        same string `_normalized_words` makes) and offsets map back exactly.
        """
        words, word_start, word_end, special = self._split_words(text)
        flat = words.flat_values
        # (unicode_split pads to the longest word: decode, then encode each
        # code point as a string of its own.)
        chars, char_start = tf.strings.unicode_decode_with_offsets(
            flat, "UTF-8", errors="replace", replacement_char=0xFFFD)
        char_word = _row_ids(chars)
        c = tf.strings.unicode_encode(
            tf.RaggedTensor.from_uniform_row_length(chars.flat_values, 1), "UTF-8")
        norm = tf.where(tf.gather(special, char_word), c, self._normalize(c))
        joined = tf.strings.unsorted_segment_join(norm, char_word, tf.size(flat))
        too_long = (tf.strings.length(joined, unit="UTF8_CHAR") > self.max_chars_per_word) & ~special
        # Byte end of each character's image inside its normalized word.
        norm_len = tf.cast(tf.strings.length(norm), tf.int64)
        cum = tf.concat([tf.zeros([1], tf.int64), tf.cumsum(norm_len)], 0)
        at_row = tf.gather(cum, chars.row_splits)
        norm_end = cum[1:] - tf.gather(at_row[:-1], char_word)
        return _AlignedWords(
            rows=words, start=word_start, end=word_end,
            normalized=tf.where(too_long, tf.constant(self.oov_token), joined),
            normalized_length=at_row[1:] - at_row[:-1], too_long=too_long,
            non_empty=tf.strings.length(joined) > 0, char_word=char_word,
            char_start=char_start.flat_values, char_norm_end=norm_end)

    def _tokenize_with_byte_offsets(self, text):
        """Strings `[batch]` to int32 ids and int64 byte offsets into them,
        each `[batch, (words), (pieces)]`."""
        w = self._aligned_words(text)
        ids, piece_start, piece_end = self._fast_word_piece.tokenize_with_offsets(w.normalized)
        piece_word = _row_ids(ids)
        long_piece = tf.gather(w.too_long, piece_word)
        ps = tf.where(long_piece, tf.zeros([], tf.int64), piece_start.flat_values)
        pe = tf.where(long_piece, tf.gather(w.normalized_length, piece_word),
                      piece_end.flat_values)
        # Global normalized coordinates: the words' images laid end to end,
        # so one sorted search over all characters finds each piece's ends.
        word_base = tf.cumsum(w.normalized_length, exclusive=True)
        char_end = w.char_norm_end + tf.gather(word_base, w.char_word)
        base = tf.gather(word_base, piece_word)
        first = tf.searchsorted(char_end, ps + base, side="right", out_type=tf.int64)
        last = tf.searchsorted(char_end, pe + base - 1, side="right", out_type=tf.int64)
        # A piece ends where the last character it came from ends: at the
        # next character of its word, or at the word's end.
        num_chars = tf.size(char_end, out_type=tf.int64)
        following = tf.minimum(last + 1, tf.maximum(num_chars - 1, 0))
        in_word = (last + 1 < num_chars) & tf.equal(
            tf.gather(w.char_word, following), piece_word)
        word_start = tf.gather(w.start, piece_word)
        starts = word_start + tf.gather(w.char_start, first)
        ends = tf.where(in_word, word_start + tf.gather(w.char_start, following),
                        tf.gather(w.end, piece_word))
        keep = w.rows.with_flat_values(w.non_empty)

        def nest(values):
            pieces = ids.with_flat_values(values)
            return tf.ragged.boolean_mask(w.rows.with_flat_values(pieces), keep)

        return nest(ids.flat_values), nest(starts), nest(ends)

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


def _bytes_to_chars(text, offsets):
    """Byte offsets `[batch, ..., (n)]` into `text` `[batch]` to code point
    offsets (one sorted search over the whole batch laid end to end)."""
    _, char_starts = tf.strings.unicode_decode_with_offsets(
        text, "UTF-8", errors="replace", replacement_char=0xFFFD)
    string_base = tf.cumsum(tf.cast(tf.strings.length(text), tf.int64), exclusive=True)
    global_starts = char_starts.flat_values + tf.gather(string_base, _row_ids(char_starts))
    flat = offsets.merge_dims(1, -1) if offsets.ragged_rank > 1 else offsets
    rows = _row_ids(flat)
    index = tf.searchsorted(global_starts, flat.flat_values + tf.gather(string_base, rows),
                            side="left", out_type=tf.int64)
    chars = index - tf.gather(char_starts.row_splits, rows)
    return offsets.with_flat_values(chars)


def _row_ids(ragged):
    """`ragged.value_rowids()` without its `[rows, longest row]` temporary
    (a 100,000-character word in a big batch would need gigabytes)."""
    splits = ragged.row_splits
    positions = tf.range(tf.size(ragged.values, out_type=splits.dtype), dtype=splits.dtype)
    return tf.searchsorted(splits[1:], positions, side="right", out_type=splits.dtype)
