"""`BertEncoder`: dynamic shapes, padding mask, per-layer outputs, dropout,
serialization, activations, mixed precision, presets."""

import numpy as np
import pytest
import tensorflow as tf

import keras
from bert_keras import BertConfig, BertEncoder
from bert_keras.config import PRESETS

# numpy 2 asks keras variables for __array__(copy=...); harmless here.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

VOCAB = 100
CONFIG = dict(vocab_size=VOCAB, hidden_size=32, num_layers=2, num_heads=2,
              intermediate_size=64, max_position_embeddings=64)


def small_config(**overrides):
    return BertConfig(**dict(CONFIG, **overrides))


@pytest.fixture(scope="module")
def encoder():
    keras.utils.set_random_seed(0)
    return BertEncoder(small_config())


def make_inputs(lengths, seq_len, seed=0, pad_token=0):
    """Random real tokens, then padding (`pad_token`) up to `seq_len`."""
    rng = np.random.default_rng(seed)
    batch = len(lengths)
    token_ids = np.full((batch, seq_len), pad_token, "int32")
    segment_ids = np.zeros((batch, seq_len), "int32")
    padding_mask = np.zeros((batch, seq_len), "int32")
    for i, n in enumerate(lengths):
        token_ids[i, :n] = rng.integers(5, VOCAB, n)
        segment_ids[i, n // 2:n] = 1
        padding_mask[i, :n] = 1
    return {"token_ids": token_ids, "segment_ids": segment_ids, "padding_mask": padding_mask}


def np_out(out):
    return {k: (np.asarray(v) if k != "encoder_outputs" else [np.asarray(t) for t in v])
            for k, v in out.items()}


def test_dynamic_batch_and_sequence_length(encoder):
    for lengths, seq_len in (([3, 5], 5), ([1, 9, 4], 9), ([17], 17)):
        out = encoder(make_inputs(lengths, seq_len))
        assert tuple(out["sequence_output"].shape) == (len(lengths), seq_len, 32)
        assert tuple(out["pooled_output"].shape) == (len(lengths), 32)
    # Nothing of a fixed size is baked into the graph.
    for layer_input in encoder.inputs:
        assert tuple(layer_input.shape) == (None, None)


def test_tf_function_with_dynamic_input_signature(encoder):
    spec = {k: tf.TensorSpec([None, None], tf.int32)
            for k in ("token_ids", "segment_ids", "padding_mask")}

    @tf.function(input_signature=[spec])
    def serve(inputs):
        return encoder(inputs, training=False)

    concrete = serve.get_concrete_function()
    assert concrete.structured_outputs["sequence_output"].shape.as_list() == [None, None, 32]
    for lengths, seq_len in (([2, 6], 6), ([11], 13)):
        x = make_inputs(lengths, seq_len)
        graph = serve(x)
        eager = encoder(x)
        np.testing.assert_allclose(graph["sequence_output"], eager["sequence_output"], atol=1e-5)
        np.testing.assert_allclose(graph["pooled_output"], eager["pooled_output"], atol=1e-5)
    assert len(serve._list_all_concrete_functions()) == 1  # no retracing


def test_padding_does_not_change_real_positions(encoder):
    """Extra padding - even padding with arbitrary token ids - leaves the
    outputs at real positions unchanged: the mask reaches every attention."""
    lengths = [4, 7, 2]
    short = np_out(encoder(make_inputs(lengths, 7)))
    padded_inputs = make_inputs(lengths, 20)
    junk = np.random.default_rng(1).integers(5, VOCAB, padded_inputs["token_ids"].shape)
    padded_inputs["token_ids"] = np.where(
        padded_inputs["padding_mask"] == 1, padded_inputs["token_ids"], junk).astype("int32")
    padded = np_out(encoder(padded_inputs))
    for i, n in enumerate(lengths):
        np.testing.assert_allclose(padded["sequence_output"][i, :n],
                                   short["sequence_output"][i, :n], atol=1e-5)
        for layer in range(2):
            np.testing.assert_allclose(padded["encoder_outputs"][layer][i, :n],
                                       short["encoder_outputs"][layer][i, :n], atol=1e-5)
    np.testing.assert_allclose(padded["pooled_output"], short["pooled_output"], atol=1e-5)
    # Control: attending to the junk (mask all ones) does change the outputs,
    # so the comparison above can fail.
    unmasked = dict(padded_inputs, padding_mask=np.ones_like(padded_inputs["padding_mask"]))
    changed = np_out(encoder(unmasked))["sequence_output"]
    assert np.abs(changed[0, :4] - short["sequence_output"][0, :4]).max() > 1e-3


def test_bool_padding_mask(encoder):
    x = make_inputs([3, 5], 6)
    as_bool = dict(x, padding_mask=x["padding_mask"].astype(bool))
    np.testing.assert_allclose(encoder(as_bool)["sequence_output"],
                               encoder(x)["sequence_output"], atol=1e-6)


def test_encoder_outputs_one_per_layer(encoder):
    out = np_out(encoder(make_inputs([4, 6], 6)))
    assert len(out["encoder_outputs"]) == 2
    for t in out["encoder_outputs"]:
        assert t.shape == (2, 6, 32)
    np.testing.assert_array_equal(out["encoder_outputs"][-1], out["sequence_output"])
    assert np.abs(out["encoder_outputs"][0] - out["encoder_outputs"][1]).max() > 1e-3
    # pooled = tanh(dense([CLS]))
    kernel, bias = (np.asarray(w) for w in encoder.pooled_dense.weights)
    np.testing.assert_allclose(
        out["pooled_output"], np.tanh(out["sequence_output"][:, 0] @ kernel + bias), atol=1e-5)


def test_dropout_only_when_training():
    encoder = BertEncoder(small_config(hidden_dropout=0.3, attention_dropout=0.3))
    x = make_inputs([5, 5], 5)
    inference = [np.asarray(encoder(x, training=False)["sequence_output"]) for _ in range(2)]
    np.testing.assert_array_equal(inference[0], inference[1])
    np.testing.assert_array_equal(np.asarray(encoder(x)["sequence_output"]), inference[0])
    training = [np.asarray(encoder(x, training=True)["sequence_output"]) for _ in range(2)]
    assert np.abs(training[0] - training[1]).max() > 1e-3
    assert np.abs(training[0] - inference[0]).max() > 1e-3


def test_keras_save_load_round_trip(encoder, tmp_path):
    path = str(tmp_path / "encoder.keras")
    encoder.save(path)
    restored = keras.saving.load_model(path)
    assert isinstance(restored, BertEncoder)
    assert restored.config == encoder.config
    x = make_inputs([3, 8], 8)
    a, b = np_out(encoder(x)), np_out(restored(x))
    np.testing.assert_array_equal(a["sequence_output"], b["sequence_output"])
    np.testing.assert_array_equal(a["pooled_output"], b["pooled_output"])


def test_get_config_from_config(encoder):
    config = encoder.get_config()
    assert config["config"] == encoder.config.to_dict()
    clone = BertEncoder.from_config(config)
    assert clone.config == encoder.config
    assert [tuple(w.shape) for w in clone.weights] == [tuple(w.shape) for w in encoder.weights]
    clone.set_weights(encoder.get_weights())
    x = make_inputs([5], 5)
    np.testing.assert_allclose(clone(x)["sequence_output"], encoder(x)["sequence_output"], atol=1e-6)
    # A plain dict config works too.
    assert BertEncoder(encoder.config.to_dict()).config == encoder.config


def test_parameter_count(encoder):
    h, i, v, p, layers = 32, 64, VOCAB, 64, 2
    embeddings = (v + p + 2) * h + 2 * h
    block = 4 * (h * h + h) + 2 * h + (h * i + i) + (i * h + h) + 2 * h
    assert encoder.count_params() == embeddings + layers * block + h * h + h


def test_gelu_and_gelu_tanh_differ():
    """Same weights, the two GELUs: different outputs. (Weights larger than
    BERT's 0.02 init, where the two curves are almost identical.)"""
    from bert_keras.layers.activations import gelu_exact, gelu_tanh

    keras.utils.set_random_seed(3)  # max difference about 1e-3 for any seed
    tanh_encoder = BertEncoder(small_config(hidden_act="gelu_tanh", initializer_range=0.3))
    erf_encoder = BertEncoder(small_config(hidden_act="gelu"))
    erf_encoder.set_weights(tanh_encoder.get_weights())
    assert tanh_encoder.transformer_layers[0].activation is gelu_tanh
    assert erf_encoder.transformer_layers[0].activation is gelu_exact
    x = make_inputs([6, 3], 6)
    a = np.asarray(tanh_encoder(x)["sequence_output"])
    b = np.asarray(erf_encoder(x)["sequence_output"])
    assert 1e-4 < np.abs(a - b).max() < 0.5
    assert BertConfig().hidden_act == "gelu_tanh"  # the default, as Google BERT


def test_mixed_bfloat16_policy(encoder):
    bf16 = BertEncoder(small_config(), dtype="mixed_bfloat16")
    assert bf16.dtype_policy.name == "mixed_bfloat16"
    bf16.set_weights(encoder.get_weights())
    assert all(w.dtype == "float32" for w in bf16.weights)  # variables stay fp32
    x = make_inputs([7, 4], 7)
    out = bf16(x)
    assert keras.backend.standardize_dtype(out["sequence_output"].dtype) == "bfloat16"
    low = np.asarray(tf.cast(out["sequence_output"], tf.float32))
    high = np.asarray(encoder(x)["sequence_output"])
    mask = x["padding_mask"].astype(bool)
    assert np.abs(low[mask] - high[mask]).max() < 0.15
    assert np.abs(low[mask] - high[mask]).mean() < 0.03
    # And it survives serialization with its policy.
    clone = BertEncoder.from_config(bf16.get_config())
    assert clone.dtype_policy.name == "mixed_bfloat16"


def test_token_embedding_is_the_shared_table(encoder):
    from keras_hub.layers import ReversibleEmbedding

    assert isinstance(encoder.token_embedding, ReversibleEmbedding)
    assert tuple(encoder.token_embedding.embeddings.shape) == (VOCAB, 32)
    assert encoder.token_embedding is encoder.embeddings.token_embedding


@pytest.mark.parametrize("name, layers, hidden, heads", [
    ("tiny", 2, 128, 2), ("mini", 4, 256, 4), ("small", 4, 512, 8),
    ("medium", 8, 512, 8), ("base", 12, 768, 12), ("large", 24, 1024, 16)])
def test_presets(name, layers, hidden, heads):
    config = BertConfig.preset(name)
    assert (config.num_layers, config.hidden_size, config.num_heads) == (layers, hidden, heads)
    assert config.intermediate_size == 4 * hidden
    assert config.vocab_size == 30522 and config.max_position_embeddings == 512
    assert PRESETS[name]["num_layers"] == layers and PRESETS[name]["hidden_size"] == hidden


def test_tiny_preset_builds():
    encoder = BertEncoder(BertConfig.preset("tiny", vocab_size=VOCAB))
    out = encoder(make_inputs([3], 4))
    assert tuple(out["sequence_output"].shape) == (1, 4, 128)
    assert len(out["encoder_outputs"]) == 2


def test_docstring_examples():
    import doctest

    from bert_keras.models import (
        albert_encoder, electra_encoder, encoder, factory, roberta_encoder)
    for module in (encoder, albert_encoder, electra_encoder, roberta_encoder, factory):
        result = doctest.testmod(module, verbose=False)
        assert result.attempted > 0 and result.failed == 0, module.__name__
