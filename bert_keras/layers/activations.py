"""The two GELUs BERT checkpoints are trained with.

Google's original BERT uses the tanh approximation; Hugging Face's "gelu" is
the exact erf form. They differ by up to ~1e-3 per unit, which compounds to
~1e-2 at the output of a 6-layer model, so a converted checkpoint must keep the
one it was trained with.
"""

import keras


@keras.saving.register_keras_serializable(package="bert_keras")
def gelu_tanh(x):
    """GELU, tanh approximation (google-research/bert `modeling.gelu`)."""
    return keras.activations.gelu(x, approximate=True)


@keras.saving.register_keras_serializable(package="bert_keras")
def gelu_exact(x):
    """GELU, exact erf form (Hugging Face `gelu`)."""
    return keras.activations.gelu(x, approximate=False)


def get_activation(name):
    """Maps a `BertConfig.hidden_act` name to a serializable Keras activation."""
    return {
        "gelu": gelu_exact,
        "gelu_tanh": gelu_tanh,
        "relu": keras.activations.relu,
        "tanh": keras.activations.tanh,
        "silu": keras.activations.silu,
    }[name]
