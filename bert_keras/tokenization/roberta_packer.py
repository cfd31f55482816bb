"""`RobertaPacker`: one or two token segments packed as RoBERTa does."""

import tensorflow as tf
from keras_hub.layers import MultiSegmentPacker

from bert_keras.tokenization.packer import _PAD_SENTINEL, BertPacker


class RobertaPacker(BertPacker):
    """Packs segments as `<s> a </s></s> b </s>`, pads, and builds the
    `token_ids`, `segment_ids` and `padding_mask` the encoder takes.

    As `BertPacker` (same arguments, truncation and `dynamic_length`), except
    for the doubled separator between the segments and the token types:
    RoBERTa has one, so `segment_ids` are all 0.

    Example:
    >>> import tensorflow as tf
    >>> packer = RobertaPacker(8, start_id=0, sep_id=2, pad_id=1)
    >>> out = packer((tf.ragged.constant([[11, 12]]), tf.ragged.constant([[21]])))
    >>> out["token_ids"].numpy().tolist()
    [[0, 11, 12, 2, 2, 21, 2, 1]]
    >>> out["segment_ids"].numpy().tolist()
    [[0, 0, 0, 0, 0, 0, 0, 0]]
    """

    def __init__(self, sequence_length, start_id, sep_id, pad_id,
                 truncate="round_robin", dynamic_length=False, max_sequence_length=None):
        super().__init__(sequence_length, start_id, sep_id, pad_id,
                         truncate=truncate, dynamic_length=dynamic_length,
                         max_sequence_length=max_sequence_length)
        self._packer = MultiSegmentPacker(
            sequence_length=sequence_length, start_value=start_id,
            end_value=sep_id, sep_value=[sep_id, sep_id], pad_value=_PAD_SENTINEL,
            truncate=truncate, _allow_python_workflow=False)

    def __call__(self, segments):
        outputs = super().__call__(segments)
        outputs["segment_ids"] = tf.zeros_like(outputs["segment_ids"])
        return outputs
