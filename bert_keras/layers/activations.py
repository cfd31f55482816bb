"""The two GELUs BERT checkpoints are trained with.

Google's original BERT uses the tanh approximation; Hugging Face's "gelu" is
the exact erf form. They differ by up to ~1e-3 per unit, which compounds to
~1e-2 at the output of a 6-layer model, so a converted checkpoint must keep the
one it was trained with.

Both compute in float32 when the input is bfloat16 or float16: TensorFlow's
CPU `Erfc`/`Tanh` kernels have no fast low-precision path (bf16 `Erfc` is ~5x
slower than float32 `Erf` plus two casts), and float32 is also more accurate.
The exact form uses `erf` rather than Keras' `erfc` for the same reason.
"""

import math

import keras
from keras import ops


def _in_float32(fn, x):
    dtype = keras.backend.standardize_dtype(x.dtype)
    if dtype in ("bfloat16", "float16"):
        return ops.cast(fn(ops.cast(x, "float32")), dtype)
    return fn(x)


def _gelu_erf(x):
    return 0.5 * x * (1.0 + ops.erf(x * (1.0 / math.sqrt(2.0))))


@keras.saving.register_keras_serializable(package="bert_keras")
def gelu_tanh(x):
    """GELU, tanh approximation (google-research/bert `modeling.gelu`)."""
    return _in_float32(lambda v: keras.activations.gelu(v, approximate=True), x)


@keras.saving.register_keras_serializable(package="bert_keras")
def gelu_exact(x):
    """GELU, exact erf form (Hugging Face `gelu`)."""
    return _in_float32(_gelu_erf, x)


def get_activation(name):
    """Maps a `BertConfig.hidden_act` name to a serializable Keras activation."""
    return {
        "gelu": gelu_exact,
        "gelu_tanh": gelu_tanh,
        "relu": keras.activations.relu,
        "tanh": keras.activations.tanh,
        "silu": keras.activations.silu,
    }[name]
