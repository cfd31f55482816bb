"""Numerical parity of the embedded MiniLM with Hugging Face PyTorch (golden
fixture from scripts/make_golden_minilm.py) and with keras-hub."""

import os

import numpy as np
import pytest

import bert_keras
from tests.conftest import FIXTURES

GOLDEN = os.path.join(FIXTURES, "minilm_golden.npz")


def _inputs(g, name):
    return {"token_ids": g[f"{name}_input_ids"],
            "segment_ids": g[f"{name}_token_type_ids"],
            "padding_mask": g[f"{name}_attention_mask"]}


@pytest.fixture(scope="module")
def encoder(minilm_dir):
    return bert_keras.BertEncoder.from_pretrained(minilm_dir)


@pytest.mark.parametrize("name", ["single", "pair"])
def test_matches_hf_pytorch(encoder, name):
    g = np.load(GOLDEN)
    out = encoder(_inputs(g, name))
    mask = g[f"{name}_attention_mask"].astype(bool)
    seq = np.asarray(out["sequence_output"])[mask]
    ref = g[f"{name}_sequence_output"][mask]
    assert np.abs(seq - ref).max() < 1e-4
    assert np.abs(np.asarray(out["pooled_output"]) - g[f"{name}_pooled_output"]).max() < 1e-4


def test_our_preprocessor_gives_hf_inputs(minilm_dir):
    g = np.load(GOLDEN)
    pre = bert_keras.BertPreprocessor.from_pretrained(
        minilm_dir, sequence_length=g["single_input_ids"].shape[1])
    x = pre([str(s) for s in g["sentences"]])
    np.testing.assert_array_equal(x["token_ids"], g["single_input_ids"])
    np.testing.assert_array_equal(x["padding_mask"], g["single_attention_mask"])
    pair = pre(([str(g["pair"][0])], [str(g["pair"][1])]))
    n = g["pair_input_ids"].shape[1]
    np.testing.assert_array_equal(pair["token_ids"][:, :n], g["pair_input_ids"])
    np.testing.assert_array_equal(pair["segment_ids"][:, :n], g["pair_token_type_ids"])


def test_matches_keras_hub_with_tanh_gelu(minilm_path, minilm_dir):
    """keras-hub's converter ignores hidden_act and always uses tanh-GELU, so
    compare with our encoder switched to tanh-GELU."""
    import keras_hub

    from bert_keras.checkpoints import canonical
    from bert_keras.checkpoints.model_dir import read_model_dir

    model = read_model_dir(minilm_dir)
    model.config.hidden_act = "gelu_tanh"
    ours = bert_keras.BertEncoder(model.config)
    canonical.assign_encoder(ours, model.weights)
    theirs = keras_hub.models.BertBackbone.from_preset(minilm_path)
    g = np.load(GOLDEN)
    x = _inputs(g, "single")
    a, b = ours(x), theirs(x)
    mask = x["padding_mask"].astype(bool)
    assert np.abs(np.asarray(a["sequence_output"])[mask]
                  - np.asarray(b["sequence_output"])[mask]).max() < 1e-4
    assert np.abs(np.asarray(a["pooled_output"]) - np.asarray(b["pooled_output"])).max() < 1e-4
    # And the exact-GELU model really differs from keras-hub's: the
    # activation matters at this tolerance.
    exact = bert_keras.BertEncoder.from_pretrained(minilm_dir)(x)
    assert np.abs(np.asarray(exact["sequence_output"])[mask]
                  - np.asarray(b["sequence_output"])[mask]).max() > 1e-3
