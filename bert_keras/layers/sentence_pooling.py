"""`SentencePooling`: token vectors to one sentence vector, as
sentence-transformers computes it (its `Pooling` then `Normalize` modules).

  mean: sum of the token vectors where `padding_mask` is 1, divided by the
        number of such tokens (at least 1e-9, as sentence-transformers clamps)
  cls:  the vector of the first token (`[CLS]`)
  normalize: divide by the L2 norm (at least 1e-12, as torch's F.normalize)

Computed in float32 whatever the input's dtype: under `mixed_bfloat16` the
sum over a long sequence in bf16 would lose about three significant digits.
"""

import keras
from keras import ops

from bert_keras.errors import InputError

POOLING_MODES = ("mean", "cls")


@keras.saving.register_keras_serializable(package="bert_keras")
class SentencePooling(keras.layers.Layer):
    """Pools `sequence_output` `[batch, seq, H]` with `padding_mask`
    `[batch, seq]` to `[batch, H]` float32.

    Example:
    >>> import numpy as np
    >>> seq = np.array([[[1., 2.], [3., 4.], [100., 100.]]], "float32")
    >>> mask = np.array([[1, 1, 0]])
    >>> SentencePooling(normalize=False)(seq, mask).numpy().tolist()
    [[2.0, 3.0]]
    >>> [round(float(v), 3) for v in SentencePooling(mode="cls")(seq, mask)[0]]
    [0.447, 0.894]
    """

    def __init__(self, mode="mean", normalize=True, **kwargs):
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        if mode not in POOLING_MODES:
            raise InputError(f"pooling mode must be one of {POOLING_MODES}, got {mode!r}")
        self.mode = mode
        self.normalize = bool(normalize)

    def call(self, sequence_output, padding_mask):
        x = ops.cast(sequence_output, "float32")
        if self.mode == "cls":
            pooled = x[:, 0, :]
        else:
            mask = ops.cast(padding_mask, "float32")[:, :, None]
            count = ops.maximum(ops.sum(mask, axis=1), 1e-9)
            pooled = ops.sum(x * mask, axis=1) / count
        if self.normalize:
            norm = ops.sqrt(ops.sum(ops.square(pooled), axis=-1, keepdims=True))
            pooled = pooled / ops.maximum(norm, 1e-12)
        return pooled

    def compute_output_shape(self, sequence_shape, mask_shape=None):
        return (sequence_shape[0], sequence_shape[-1])

    def get_config(self):
        return {**super().get_config(), "mode": self.mode, "normalize": self.normalize}
