"""`BertPacker`: one or two token segments to the encoder's three inputs."""

import tensorflow as tf
from keras_hub.layers import MultiSegmentPacker
from bert_keras.errors import InputError


_PAD_SENTINEL = -1


class BertPacker:
    """Packs segments as `[CLS] a [SEP] b [SEP]`, pads, and builds the
    `token_ids`, `segment_ids` and `padding_mask` the encoder takes.

    A thin wrapper of keras-hub's `MultiSegmentPacker` (forced onto its
    TensorFlow path, so it works eagerly, in `tf.function` and in `tf.data`).
    Call it with one or two segments, each a batch of ids `[batch, (tokens)]`
    (or `[batch, (words), (pieces)]`); 1-D segments give 1-D outputs.

    Args:
        sequence_length: total length including special tokens.
        start_id, sep_id, pad_id: ids of `[CLS]`, `[SEP]`, `[PAD]`.
        truncate: `"round_robin"` (trim the longer segment first, one token
            at a time, as original BERT) or `"waterfall"` (keep the first
            segment whole as long as possible).
        dynamic_length: pad only to the longest sequence in the batch
            (capped at `sequence_length`), which saves most of the compute on
            short texts. Off by default: TF-Hub models take a fixed length.
        max_sequence_length: the encoder's `max_position_embeddings`, when
            known: a longer `sequence_length` is refused here rather than
            failing later inside the encoder.

    Example:
    >>> import tensorflow as tf
    >>> packer = BertPacker(8, start_id=101, sep_id=102, pad_id=0)
    >>> out = packer((tf.ragged.constant([[1, 2, 3, 4]]),
    ...               tf.ragged.constant([[11, 12, 13, 14]])))
    >>> out["token_ids"].numpy().tolist()
    [[101, 1, 2, 3, 102, 11, 12, 102]]
    >>> out["segment_ids"].numpy().tolist()
    [[0, 0, 0, 0, 0, 1, 1, 1]]
    """

    def __init__(self, sequence_length, start_id, sep_id, pad_id,
                 truncate="round_robin", dynamic_length=False, max_sequence_length=None):
        check_sequence_length(sequence_length, max_sequence_length)
        self.sequence_length = sequence_length
        self.pad_id = pad_id
        self.truncate = truncate
        self.dynamic_length = dynamic_length
        # Pack with a pad value no token can have, so the padding mask marks
        # padding only: `[PAD]` written in the text is a real token (as in
        # Hugging Face tokenizers), and must neither be masked nor shorten
        # `dynamic_length`.
        self._packer = MultiSegmentPacker(
            sequence_length=sequence_length, start_value=start_id,
            end_value=sep_id, pad_value=_PAD_SENTINEL, truncate=truncate,
            _allow_python_workflow=False)

    def __call__(self, segments):
        if not isinstance(segments, (tuple, list)):
            segments = (segments,)
        # A single unbatched sequence per segment (1-D ids, as the tokenizer
        # gives for a scalar string) packs to 1-D outputs, as in keras-hub.
        unbatched = all(_is_unbatched(s) for s in segments)
        if unbatched:
            segments = tuple(tf.convert_to_tensor(s)[tf.newaxis] for s in segments)
        segments = tuple(_as_ragged_ids(s) for s in segments)
        if not 1 <= len(segments) <= 2:
            # keras-hub packs any number, but BERT has two segment types.
            raise InputError(f"BERT packs one or two segments, got {len(segments)}")
        token_ids, segment_ids = self._packer(segments)
        is_padding = token_ids == _PAD_SENTINEL
        padding_mask = tf.cast(tf.logical_not(is_padding), tf.int32)
        token_ids = tf.where(is_padding, tf.cast(self.pad_id, token_ids.dtype), token_ids)
        if self.dynamic_length:
            length = tf.maximum(tf.reduce_max(tf.reduce_sum(padding_mask, axis=1)), 1)
            token_ids = token_ids[:, :length]
            segment_ids = segment_ids[:, :length]
            padding_mask = padding_mask[:, :length]
        outputs = {
            "token_ids": tf.cast(token_ids, tf.int32),
            "segment_ids": tf.cast(segment_ids, tf.int32),
            "padding_mask": padding_mask,
        }
        if unbatched:
            outputs = {k: v[0] for k, v in outputs.items()}
        return outputs


def check_sequence_length(sequence_length, max_sequence_length=None):
    """`InputError` unless 3 <= sequence_length <= max_sequence_length."""
    if sequence_length < 3:
        raise InputError(f"sequence_length must be at least 3, got {sequence_length}")
    if max_sequence_length is not None and sequence_length > max_sequence_length:
        raise InputError(f"sequence_length {sequence_length} is more than the model's "
                         f"max_position_embeddings ({max_sequence_length})")


def _is_unbatched(x):
    if isinstance(x, tf.RaggedTensor):
        return False
    return tf.convert_to_tensor(x).shape.rank == 1


def _as_ragged_ids(x):
    """Segments may be ragged `[batch, (tokens)]` or word-level
    `[batch, (words), (pieces)]` (as TF-Hub's `tokenize` returns)."""
    if not isinstance(x, tf.RaggedTensor):
        x = tf.RaggedTensor.from_tensor(tf.convert_to_tensor(x))
    if x.ragged_rank == 2:
        x = x.merge_dims(-2, -1)
    return x
