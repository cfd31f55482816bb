"""`BertEmbeddings` and the activations: the sum of token, position and
segment embeddings, LayerNorm, dropout, any length, serialization."""

import numpy as np
import pytest

import keras
from bert_keras.layers import BertEmbeddings, gelu_tanh, get_activation
from bert_keras.layers.activations import gelu_exact


@pytest.fixture(scope="module")
def layer():
    keras.utils.set_random_seed(1)
    layer = BertEmbeddings(vocab_size=50, hidden_size=16, max_position_embeddings=20,
                           type_vocab_size=2, dropout=0.5, initializer_range=0.5)
    layer(np.zeros((1, 3), "int32"), np.zeros((1, 3), "int32"))
    # Non-trivial LayerNorm parameters, so they are checked too.
    rng = np.random.default_rng(0)
    layer.layer_norm.gamma.assign(rng.normal(1.0, 0.1, 16).astype("float32"))
    layer.layer_norm.beta.assign(rng.normal(0.0, 0.1, 16).astype("float32"))
    return layer


def reference(layer, token_ids, segment_ids):
    tok = np.asarray(layer.token_embedding.embeddings)[token_ids]
    pos = np.asarray(layer.position_embedding.position_embeddings)[: token_ids.shape[1]]
    seg = np.asarray(layer.segment_embedding.embeddings)[segment_ids]
    x = tok + pos[None] + seg
    mean = x.mean(-1, keepdims=True)
    var = x.var(-1, keepdims=True)
    x = (x - mean) / np.sqrt(var + layer.layer_norm_epsilon)
    return x * np.asarray(layer.layer_norm.gamma) + np.asarray(layer.layer_norm.beta)


@pytest.mark.parametrize("seq_len", [1, 7, 20])
def test_matches_numpy_reference(layer, seq_len):
    rng = np.random.default_rng(seq_len)
    token_ids = rng.integers(0, 50, (3, seq_len)).astype("int32")
    segment_ids = rng.integers(0, 2, (3, seq_len)).astype("int32")
    out = np.asarray(layer(token_ids, segment_ids))
    assert out.shape == (3, seq_len, 16)
    np.testing.assert_allclose(out, reference(layer, token_ids, segment_ids), atol=1e-4)


def test_weights_and_shapes(layer):
    assert tuple(layer.token_embedding.embeddings.shape) == (50, 16)
    assert tuple(layer.position_embedding.position_embeddings.shape) == (20, 16)
    assert tuple(layer.segment_embedding.embeddings.shape) == (2, 16)
    assert len(layer.trainable_weights) == 5


def test_segment_and_position_matter(layer):
    ids = np.array([[7, 7, 7]], "int32")
    a = np.asarray(layer(ids, np.array([[0, 0, 0]], "int32")))
    b = np.asarray(layer(ids, np.array([[0, 1, 0]], "int32")))
    assert np.abs(a[0, 1] - b[0, 1]).max() > 1e-3  # segment embedding used
    np.testing.assert_allclose(a[0, 0], b[0, 0], atol=1e-6)
    assert np.abs(a[0, 0] - a[0, 2]).max() > 1e-3  # same token, other position


def test_dropout_only_in_training(layer):
    ids = np.array([[1, 2, 3, 4]], "int32")
    seg = np.zeros_like(ids)
    inference = np.asarray(layer(ids, seg, training=False))
    np.testing.assert_array_equal(inference, np.asarray(layer(ids, seg)))
    training = np.asarray(layer(ids, seg, training=True))
    assert (training == 0).mean() > 0.2
    kept = training != 0
    np.testing.assert_allclose(training[kept], inference[kept] * 2, rtol=1e-5)


def test_config_round_trip(layer):
    config = layer.get_config()
    for key, value in dict(vocab_size=50, hidden_size=16, max_position_embeddings=20,
                           type_vocab_size=2, dropout=0.5).items():
        assert config[key] == value
    clone = BertEmbeddings.from_config(config)
    ids = np.array([[3, 4]], "int32")
    clone(ids, np.zeros_like(ids))
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(clone(ids, np.zeros_like(ids)), layer(ids, np.zeros_like(ids)), atol=1e-6)


def test_activations():
    x = np.linspace(-4, 4, 81).astype("float32")
    from math import erf, pi, sqrt, tanh

    exact = np.array([v * 0.5 * (1 + erf(v / sqrt(2))) for v in x])
    approx = np.array([0.5 * v * (1 + tanh(sqrt(2 / pi) * (v + 0.044715 * v ** 3))) for v in x])
    np.testing.assert_allclose(np.asarray(gelu_exact(x)), exact, atol=1e-6)
    np.testing.assert_allclose(np.asarray(gelu_tanh(x)), approx, atol=1e-6)
    assert np.abs(exact - approx).max() > 1e-4
    assert get_activation("gelu") is gelu_exact
    assert get_activation("gelu_tanh") is gelu_tanh
    np.testing.assert_allclose(np.asarray(get_activation("relu")(x)), np.maximum(x, 0))
    # Serializable by name, so saved models restore the same function.
    assert keras.activations.deserialize(keras.activations.serialize(gelu_exact)) is gelu_exact
    assert keras.activations.deserialize(keras.activations.serialize(gelu_tanh)) is gelu_tanh


def test_docstring_examples():
    import doctest

    from bert_keras.layers import embeddings
    for module in (embeddings,):
        result = doctest.testmod(module, verbose=False)
        assert result.attempted > 0 and result.failed == 0, module.__name__
