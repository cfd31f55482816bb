"""keras-hub preset directories (`BertBackbone.save_to_preset` +
`BertTokenizer.save_to_preset`) convert to an encoder with the backbone's
outputs."""

import os

import numpy as np
import pytest

import bert_keras
from bert_keras.checkpoints.convert import load_model_dir
from tests.reference.tf1_checkpoint import tiny_vocab

# Raised inside Keras' own save_weights (numpy 2 copy semantics), not ours.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")


@pytest.fixture(scope="module")
def preset(tmp_path_factory):
    import keras
    import keras_hub

    keras.utils.set_random_seed(0)
    backbone = keras_hub.models.BertBackbone(
        vocabulary_size=100, num_layers=2, num_heads=4, hidden_dim=64,
        intermediate_dim=128, max_sequence_length=40, num_segments=2)
    # Default init is N(0, 0.02): outputs would hardly depend on the weights.
    # Scale every weight so that each one matters at 1e-5.
    rng = np.random.default_rng(0)
    for w in backbone.weights:
        shape = tuple(w.shape)
        if w.path.endswith("gamma"):
            value = 1.0 + 0.2 * rng.standard_normal(shape)
        elif w.path.endswith(("beta", "bias")):
            value = 0.1 * rng.standard_normal(shape)
        else:
            value = rng.standard_normal(shape) / np.sqrt(max(shape[0], 25))
        w.assign(value.astype("float32"))
    tokenizer = keras_hub.tokenizers.BertTokenizer(vocabulary=tiny_vocab(100), lowercase=True)
    path = str(tmp_path_factory.mktemp("keras_hub") / "preset")
    backbone.save_to_preset(path)
    tokenizer.save_to_preset(path)
    return path, backbone


@pytest.fixture(scope="module")
def inputs():
    rng = np.random.default_rng(5)
    ids = rng.integers(5, 100, (2, 10)).astype("int32")
    mask = np.ones((2, 10), "int32")
    mask[1, 6:] = 0
    ids[mask == 0] = 0
    segments = (np.arange(10) >= 4).astype("int32")[None].repeat(2, 0)
    return {"token_ids": ids, "segment_ids": segments, "padding_mask": mask}


def test_convert_matches_backbone(preset, inputs, tmp_path):
    path, backbone = preset
    assert {"config.json", "model.weights.h5", "tokenizer.json"} <= set(os.listdir(path))
    model = bert_keras.convert(path, str(tmp_path / "out"))
    assert model.heads == []
    assert model.config.hidden_act == "gelu_tanh"  # keras-hub's BertBackbone
    assert model.tokenizer.lowercase is True
    assert model.vocab == tiny_vocab(100)
    encoder = bert_keras.BertEncoder.from_pretrained(str(tmp_path / "out"))
    ours, theirs = encoder(inputs), backbone(inputs)
    mask = inputs["padding_mask"].astype(bool)
    seq_diff = np.abs(np.asarray(ours["sequence_output"])[mask]
                      - np.asarray(theirs["sequence_output"])[mask]).max()
    assert seq_diff < 1e-5
    assert np.abs(np.asarray(ours["pooled_output"])
                  - np.asarray(theirs["pooled_output"])).max() < 1e-5
    # The same ids from both tokenizers.
    text = ["tok1 tok22 TOK3 unknownword"]
    np.testing.assert_array_equal(
        bert_keras.BertTokenizer.from_pretrained(str(tmp_path / "out")).tokenize(text).to_list(),
        [[6, 27, 8, 1]])
    assert load_model_dir(str(tmp_path / "out")).config.num_layers == 2


def test_not_a_bert_preset(tmp_path):
    (tmp_path / "config.json").write_text('{"class_name": "keras_hub>GPT2Backbone"}')
    (tmp_path / "model.weights.h5").write_bytes(b"")
    with pytest.raises(ValueError, match="Cannot tell what kind of checkpoint"):
        bert_keras.convert(str(tmp_path), str(tmp_path / "out"))
