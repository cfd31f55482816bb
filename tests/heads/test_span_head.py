"""`BertSpanHead`: start/end logits over the sequence, on a tiny encoder."""

import numpy as np

from bert_keras.heads.span_head import BertSpanHead


def test_shapes_dtype_and_config():
    head = BertSpanHead(initializer_range=0.1)
    x = np.random.default_rng(0).normal(size=(2, 5, 8)).astype("float32")
    start, end = head(x)
    assert tuple(start.shape) == tuple(end.shape) == (2, 5)
    assert start.dtype == "float32"
    kernel, bias = head.dense.kernel.numpy(), head.dense.bias.numpy()
    np.testing.assert_allclose(start.numpy(), x @ kernel[:, 0] + bias[0], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(end.numpy(), x @ kernel[:, 1] + bias[1], rtol=1e-5, atol=1e-5)
    restored = BertSpanHead.from_config(head.get_config())
    assert restored.initializer_range == 0.1 and restored.name == head.name


def test_docstring_example():
    import doctest

    from bert_keras.heads import span_head
    result = doctest.testmod(span_head)
    assert result.attempted > 0 and result.failed == 0
