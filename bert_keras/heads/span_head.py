"""Extractive QA head: start and end logits over the sequence."""

import keras


@keras.saving.register_keras_serializable(package="bert_keras")
class BertSpanHead(keras.layers.Layer):
    """A dense layer with two outputs on every token of `sequence_output`:
    `(start_logits, end_logits)`, each `[batch, length]` float32.

    Example:
    >>> import numpy as np
    >>> start, end = BertSpanHead()(np.zeros((2, 7, 16), "float32"))
    >>> tuple(start.shape), tuple(end.shape)
    ((2, 7), (2, 7))
    """

    def __init__(self, initializer_range=0.02, **kwargs):
        kwargs.setdefault("name", "span_head")
        super().__init__(**kwargs)
        self.initializer_range = initializer_range
        self.dense = keras.layers.Dense(
            2, name="logits", dtype=self.dtype_policy,
            kernel_initializer=keras.initializers.TruncatedNormal(stddev=initializer_range))

    def build(self, input_shape):
        self.dense.build(input_shape)
        self.built = True

    def call(self, sequence_output):
        logits = keras.ops.cast(self.dense(sequence_output), "float32")
        return logits[..., 0], logits[..., 1]

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]), tuple(input_shape[:-1])

    def get_config(self):
        config = super().get_config()
        config.update(initializer_range=self.initializer_range)
        return config
