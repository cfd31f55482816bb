"""Tokenization + packing inside a LiteRT model: strings in, the encoder's
int32 inputs out, with only ops LiteRT runs (tensorflow_text's
`FastBertNormalize` and `FastWordpieceTokenizeWithOffsets` custom ops, the
rest builtin).

    text [batch] (+ text_b [batch] for a pair task)
      -> FastBertNormalizer (our normalization, `litert_normalizer.py`)
      -> FastWordpieceTokenizer (splits on whitespace, punctuation and CJK
         ideographs, then WordPiece; words over 100 bytes -> [UNK])
      -> [CLS] a [SEP] (b [SEP]), round-robin truncation to `seq_length`,
         padded to the longest in the batch
      -> input_word_ids, input_mask, input_type_ids  int32 [batch, seq]

Ids equal our `BertTokenizer`'s (tested id for id on SST-2, MRPC, TNEWS,
the tokenizer tests' hard cases, and each code point of Unicode) with three
documented exceptions: special tokens written in the text ("[MASK]") are
plain text here; the per-word limit counts UTF-8 bytes after normalization
(ours counts characters: the same for ASCII words); and 13 punctuation
characters new in Unicode 16 (U+1B4E, U+1B4F, U+1B7F, U+10D6E, U+113D4,
U+113D5, U+113D7, U+113D8, U+11BE1, U+16D6D-U+16D6F, U+1E5FF) split as
punctuation here (ICU in the WordPiece kernel) but not in ours (RE2). `supported(settings)` says when the
tokenizer can be carried (WordPiece vocabularies with CJK splitting, as
every BERT uncased/cased/Chinese model has).

    >>> from bert_keras.export.litert_tokenizer import LiteRtTokenizer
    >>> tok = LiteRtTokenizer(tokenizer, seq_length=128)       # doctest: +SKIP
    >>> tok(tf.constant(["hello world"]))["input_word_ids"]      # doctest: +SKIP
    <tf.Tensor: shape=(1, 4), dtype=int32, numpy=array([[ 101, 7592, 2088,  102]])>
"""

import tensorflow as tf
import tensorflow_text as tf_text

# Words longer than this many UTF-8 bytes become [UNK] (BERT's 100
# characters; equal for ASCII words).
MAX_BYTES_PER_WORD = 100


def unsupported_reason(tokenizer):
    """None if `tokenizer` can run inside a LiteRT model, else why not."""
    from bert_keras.tokenization.tokenizer import BertTokenizer

    if not isinstance(tokenizer, BertTokenizer):
        return (f"{type(tokenizer).__name__} has no LiteRT kernels (tensorflow_text runs "
                "only FastWordpiece/FastBertNormalizer BERT tokenization in LiteRT)")
    if not tokenizer.tokenize_chinese_chars:
        return ("tokenize_chinese_chars=False: tensorflow_text's FastWordpieceTokenizer "
                "always splits CJK ideographs")
    return None


class LiteRtTokenizer(tf.Module):
    """Strings to packed encoder inputs with LiteRT-runnable ops.

    Args:
        tokenizer: the model's `bert_keras.BertTokenizer`.
        seq_length: the longest packed sequence (with [CLS]/[SEP]).
    """

    def __init__(self, tokenizer, seq_length):
        super().__init__(name="litert_tokenizer")
        from bert_keras.export.litert_normalizer import build_normalizer_model

        reason = unsupported_reason(tokenizer)
        if reason:
            raise ValueError(reason)
        self.seq_length = int(seq_length)
        self.normalizer = tf_text.FastBertNormalizer(model_buffer=build_normalizer_model(tokenizer))
        self.wordpiece = tf_text.FastWordpieceTokenizer(
            vocab=list(tokenizer.vocabulary), suffix_indicator=tokenizer.suffix_indicator,
            max_bytes_per_word=MAX_BYTES_PER_WORD, token_out_type=tf.int32,
            unknown_token=tokenizer.oov_token, no_pretokenization=False)
        ids = tokenizer.special_tokens_dict()
        self.cls_id = ids["start_of_sequence_id"]
        self.sep_id = ids["end_of_segment_id"]
        self.pad_id = ids["padding_id"]

    def tokenize(self, text):
        """Strings `[batch]` -> (flat ids, int32 row starts, int32 lengths)."""
        ids = self.wordpiece.tokenize(self.normalizer.normalize(text))
        splits = tf.cast(ids.row_splits, tf.int32)
        return ids.flat_values, splits[:-1], splits[1:] - splits[:-1]

    def __call__(self, text, text_b=None):
        segments = [self.tokenize(text)]
        if text_b is not None:
            segments.append(self.tokenize(text_b))
        budget = self.seq_length - 1 - len(segments)
        kept = _round_robin([s[2] for s in segments], budget)
        # Row layout: [CLS] a [SEP] (b [SEP]) then padding.
        total = 1 + sum(k + 1 for k in kept)
        width = tf.maximum(tf.reduce_max(total), 1)
        pos = tf.expand_dims(tf.range(width, dtype=tf.int32), 0)  # [1, width]
        word_ids = tf.where(pos < tf.expand_dims(total, 1), self.sep_id, self.pad_id)
        word_ids = tf.where(tf.equal(pos, 0), self.cls_id, word_ids)
        type_ids = tf.zeros_like(word_ids)
        start = tf.ones_like(total)  # first position of the current segment
        for segment_index, ((flat, row_start, _), n) in enumerate(zip(segments, kept)):
            n, s = tf.expand_dims(n, 1), tf.expand_dims(start, 1)
            inside = (pos >= s) & (pos < s + n)
            index = tf.clip_by_value(tf.expand_dims(row_start, 1) + pos - s, 0,
                                     tf.maximum(tf.size(flat) - 1, 0))
            # `concat` keeps the gather in range when every text is empty.
            pieces = tf.gather(tf.concat([flat, [self.pad_id]], 0), index)
            word_ids = tf.where(inside, pieces, word_ids)
            if segment_index:
                type_ids = tf.where((pos >= s) & (pos <= s + n), 1, type_ids)
            start = start + tf.squeeze(n, 1) + 1
        mask = tf.cast(pos < tf.expand_dims(total, 1), tf.int32)
        return {"input_word_ids": word_ids, "input_mask": mask, "input_type_ids": type_ids}


def _round_robin(lengths, budget):
    """Segment lengths after tensorflow_text `RoundRobinTrimmer(budget)`:
    one token to each segment in turn until the budget is spent."""
    if len(lengths) == 1:
        return [tf.minimum(lengths[0], budget)]
    a, b = lengths
    a_kept = tf.minimum(a, tf.maximum(budget - b, (budget + 1) // 2))
    return [a_kept, tf.minimum(b, budget - a_kept)]
