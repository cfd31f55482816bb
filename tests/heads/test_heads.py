"""Task heads: the masked-LM head tied to the token embedding, the
next-sentence head and the classification head."""

import numpy as np
import pytest

import keras
from bert_keras import (BertClassificationHead, BertConfig, BertEncoder,
                        BertMaskedLMHead, BertNextSentenceHead)

VOCAB, HIDDEN = 40, 16


@pytest.fixture(scope="module")
def encoder():
    keras.utils.set_random_seed(2)
    return BertEncoder(BertConfig(
        vocab_size=VOCAB, hidden_size=HIDDEN, num_layers=1, num_heads=2,
        intermediate_size=32, max_position_embeddings=16, hidden_act="gelu",
        layer_norm_epsilon=1e-5, initializer_range=0.3))


@pytest.fixture(scope="module")
def mlm(encoder):
    head = BertMaskedLMHead(encoder)
    head(np.zeros((1, 4, HIDDEN), "float32"), mask_positions=np.zeros((1, 1), "int32"))
    head._bias.assign(np.random.default_rng(0).normal(size=VOCAB).astype("float32"))
    return head


def _layer_norm(x, gamma, beta, eps):
    mean, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * gamma + beta


def mlm_reference(head, encoder, sequence, positions):
    from math import erf, sqrt

    gathered = np.take_along_axis(sequence, positions[..., None], axis=1)
    kernel = np.asarray(head._intermediate_dense.kernel)
    bias = np.asarray(head._intermediate_dense.bias)
    h = gathered @ kernel + bias
    h = h * 0.5 * (1 + np.vectorize(erf)(h / sqrt(2)))  # hidden_act="gelu"
    h = _layer_norm(h, np.asarray(head._intermediate_layer_norm.gamma),
                    np.asarray(head._intermediate_layer_norm.beta), 1e-5)
    embeddings = np.asarray(encoder.token_embedding.embeddings)
    return h @ embeddings.T + np.asarray(head._bias)


def test_mlm_logits_are_tied_to_token_embedding(mlm, encoder):
    rng = np.random.default_rng(1)
    sequence = rng.normal(size=(2, 6, HIDDEN)).astype("float32")
    positions = np.array([[0, 3, 5], [2, 2, 1]], "int32")
    logits = np.asarray(mlm(sequence, mask_positions=positions))
    assert logits.shape == (2, 3, VOCAB)
    np.testing.assert_allclose(logits, mlm_reference(mlm, encoder, sequence, positions),
                               atol=1e-4)


def test_mlm_has_no_own_output_kernel(mlm, encoder):
    table = encoder.token_embedding.embeddings
    big = [w for w in mlm.weights if int(np.prod(w.shape)) >= VOCAB * HIDDEN]
    assert big and all(w is table for w in big), [w.path for w in big]
    own = [w for w in mlm.weights if w is not table]
    assert sorted(tuple(w.shape) for w in own) == sorted(
        [(HIDDEN, HIDDEN), (HIDDEN,), (HIDDEN,), (HIDDEN,), (VOCAB,)])
    assert mlm.token_embedding is encoder.token_embedding


def test_changing_the_embedding_changes_mlm_logits(mlm, encoder):
    sequence = np.random.default_rng(3).normal(size=(1, 4, HIDDEN)).astype("float32")
    positions = np.array([[1, 2]], "int32")
    table = encoder.token_embedding.embeddings
    original = np.asarray(table).copy()
    before = np.asarray(mlm(sequence, mask_positions=positions))
    try:
        table.assign(original * 2.0 + 0.1)
        after = np.asarray(mlm(sequence, mask_positions=positions))
        assert np.abs(after - before).max() > 1e-2
        np.testing.assert_allclose(after, mlm_reference(mlm, encoder, sequence, positions),
                                   atol=1e-4)
    finally:
        table.assign(original)


def test_mlm_on_encoder_output(mlm, encoder):
    x = {"token_ids": np.array([[2, 5, 6, 4, 3]], "int32"),
         "segment_ids": np.zeros((1, 5), "int32"),
         "padding_mask": np.ones((1, 5), "int32")}
    sequence = encoder(x)["sequence_output"]
    logits = mlm(sequence, mask_positions=np.array([[3]], "int32"))
    assert tuple(logits.shape) == (1, 1, VOCAB)


def test_mlm_follows_encoder_activation():
    """The head uses the encoder's activation and LayerNorm epsilon, not
    keras-hub's defaults."""
    from bert_keras.layers.activations import gelu_tanh

    encoder = BertEncoder(BertConfig(vocab_size=VOCAB, hidden_size=HIDDEN, num_layers=1,
                                     num_heads=2, intermediate_size=32,
                                     layer_norm_epsilon=1e-7))
    head = BertMaskedLMHead(encoder)
    head(np.zeros((1, 2, HIDDEN), "float32"), mask_positions=np.zeros((1, 1), "int32"))
    assert head.intermediate_activation is gelu_tanh
    assert head._intermediate_layer_norm.epsilon == 1e-7


def test_mlm_follows_encoder_dtype_policy():
    encoder = BertEncoder(BertConfig(vocab_size=VOCAB, hidden_size=HIDDEN, num_layers=1,
                                     num_heads=2, intermediate_size=32),
                          dtype="mixed_bfloat16")
    head = BertMaskedLMHead(encoder)
    assert head.dtype_policy.name == "mixed_bfloat16"
    x = {"token_ids": np.array([[2, 5, 3]], "int32"), "segment_ids": np.zeros((1, 3), "int32"),
         "padding_mask": np.ones((1, 3), "int32")}
    logits = head(encoder(x)["sequence_output"], mask_positions=np.array([[1]], "int32"))
    assert tuple(logits.shape) == (1, 1, VOCAB)
    assert head._bias.dtype == "float32"  # variables stay float32


def test_next_sentence_head():
    head = BertNextSentenceHead()
    out = head(np.random.default_rng(0).normal(size=(3, HIDDEN)).astype("float32"))
    assert tuple(out.shape) == (3, 2)
    assert tuple(head.kernel.shape) == (HIDDEN, 2)
    np.testing.assert_allclose(
        out, np.random.default_rng(0).normal(size=(3, HIDDEN)).astype("float32")
        @ np.asarray(head.kernel) + np.asarray(head.bias), atol=1e-5)
    clone = BertNextSentenceHead.from_config(head.get_config())
    assert clone.units == 2 and clone.name == "nsp_head"


@pytest.mark.parametrize("num_classes", [1, 2, 5])
def test_classification_head_shapes(num_classes):
    head = BertClassificationHead(num_classes, dropout=0.1)
    out = head(np.ones((4, HIDDEN), "float32"))
    assert tuple(out.shape) == (4, num_classes)
    assert head.compute_output_shape((None, HIDDEN)) == (None, num_classes)


def test_classification_head_dropout_and_config():
    head = BertClassificationHead(3, dropout=0.5)
    x = np.random.default_rng(0).normal(size=(8, 64)).astype("float32")
    inference = np.asarray(head(x))
    np.testing.assert_array_equal(inference, np.asarray(head(x, training=False)))
    kernel, bias = np.asarray(head.dense.kernel), np.asarray(head.dense.bias)
    np.testing.assert_allclose(inference, x @ kernel + bias, atol=1e-5)
    training = [np.asarray(head(x, training=True)) for _ in range(2)]
    assert np.abs(training[0] - inference).max() > 1e-3
    assert np.abs(training[0] - training[1]).max() > 1e-3
    config = head.get_config()
    assert (config["num_classes"], config["dropout"]) == (3, 0.5)
    clone = BertClassificationHead.from_config(config)
    clone(x)
    clone.set_weights(head.get_weights())
    np.testing.assert_allclose(np.asarray(clone(x)), inference, atol=1e-6)


def test_docstring_examples():
    import doctest

    from bert_keras.heads import (classification_head, masked_lm_head,
                                 next_sentence_head)
    for module in (classification_head, masked_lm_head, next_sentence_head,):
        result = doctest.testmod(module, verbose=False)
        assert result.attempted > 0 and result.failed == 0, module.__name__
