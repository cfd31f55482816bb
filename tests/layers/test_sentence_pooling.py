"""`SentencePooling`: masked mean / cls pooling and L2 normalization."""

import numpy as np
import pytest

from bert_keras.errors import InputError
from bert_keras.layers.sentence_pooling import SentencePooling


def _data(seed=0):
    rng = np.random.default_rng(seed)
    seq = rng.normal(size=(3, 5, 4)).astype("float32")
    mask = np.array([[1, 1, 1, 1, 1], [1, 1, 0, 0, 0], [1, 0, 0, 0, 0]], "int32")
    return seq, mask


def test_mean_ignores_padding_and_normalizes():
    seq, mask = _data()
    got = np.asarray(SentencePooling()(seq, mask))
    want = np.stack([seq[i, :mask[i].sum()].mean(0) for i in range(3)])
    want /= np.linalg.norm(want, axis=1, keepdims=True)
    np.testing.assert_allclose(got, want, atol=1e-6)
    seq[1, 2:] = 1e6  # padded positions must not matter
    np.testing.assert_allclose(np.asarray(SentencePooling()(seq, mask)), want, atol=1e-6)


def test_cls_and_unnormalized():
    seq, mask = _data(1)
    np.testing.assert_allclose(
        np.asarray(SentencePooling("cls", normalize=False)(seq, mask)), seq[:, 0], atol=1e-7)


def test_float32_output_from_bf16_input_and_zero_vector_is_safe():
    import keras

    seq, mask = _data(2)
    got = SentencePooling()(keras.ops.cast(seq, "bfloat16"), mask)
    assert keras.backend.standardize_dtype(got.dtype) == "float32"
    zero = np.asarray(SentencePooling()(np.zeros((1, 2, 4), "float32"), np.zeros((1, 2))))
    assert np.all(np.isfinite(zero)) and np.all(zero == 0)


def test_unknown_mode_and_config_roundtrip():
    with pytest.raises(InputError, match="pooling mode"):
        SentencePooling("max")
    layer = SentencePooling.from_config(SentencePooling("cls", normalize=False).get_config())
    assert (layer.mode, layer.normalize) == ("cls", False)


def test_docstring_examples_run():
    import doctest

    from bert_keras.layers import sentence_pooling

    result = doctest.testmod(sentence_pooling, verbose=False)
    assert result.attempted > 0 and result.failed == 0
