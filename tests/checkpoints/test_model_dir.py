"""This package's model directory: round trip, one-call loading, and clear
errors for broken directories."""

import json
import os

import numpy as np
import pytest
from safetensors.numpy import load_file, save_file

import bert_keras
from bert_keras.checkpoints import canonical
from bert_keras.checkpoints.layout import expected_shapes
from bert_keras.models.factory import build_encoder
from bert_keras.checkpoints.model_dir import (
    BertModelDir, TokenizerSettings, read_model_dir, save_model_dir)
from tests.conftest import TINY_VOCAB

CONFIG = bert_keras.BertConfig(vocab_size=len(TINY_VOCAB), hidden_size=32, num_layers=2,
                               num_heads=2, intermediate_size=64, max_position_embeddings=24)
INPUTS = {"token_ids": np.array([[2, 7, 9, 3, 0]], "int32"),
          "segment_ids": np.zeros((1, 5), "int32"),
          "padding_mask": np.array([[1, 1, 1, 1, 0]], "int32")}


@pytest.fixture(scope="module")
def source_encoder():
    return bert_keras.BertEncoder(CONFIG)


@pytest.fixture(scope="module")
def saved(source_encoder, tmp_path_factory):
    model = BertModelDir(
        config=CONFIG, vocab=list(TINY_VOCAB), weights=canonical.read_encoder(source_encoder),
        tokenizer=TokenizerSettings(lowercase=False, strip_accents=True),
        source="unit test", task={"type": "classification", "num_classes": 2})
    return save_model_dir(model, str(tmp_path_factory.mktemp("dirs") / "model"))


def test_round_trip(saved):
    model = read_model_dir(saved)
    assert model.config == CONFIG
    assert model.vocab == TINY_VOCAB
    assert model.tokenizer == TokenizerSettings(lowercase=False, strip_accents=True)
    assert model.heads == [] and model.source == "unit test"
    assert model.task == {"type": "classification", "num_classes": 2}
    assert model.path == saved
    assert sorted(model.weights) == sorted(expected_shapes(CONFIG))
    with open(os.path.join(saved, "bert_keras.json")) as f:
        assert json.load(f)["format"] == "bert_keras/1"
    assert oct(os.stat(saved).st_mode & 0o755) == oct(0o755 & ~_umask())


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_one_call_loading(saved, source_encoder):
    encoder = bert_keras.BertEncoder.from_pretrained(saved)
    np.testing.assert_allclose(encoder(INPUTS)["pooled_output"],
                               source_encoder(INPUTS)["pooled_output"], atol=1e-6)
    tokenizer = bert_keras.BertTokenizer.from_pretrained(saved)
    assert tokenizer.lowercase is False  # the saved setting, not the default
    assert tokenizer.tokenize(["the cat sat"]).to_list() == [[5, 7, 9]]
    pre = bert_keras.BertPreprocessor.from_pretrained(saved, sequence_length=6)
    np.testing.assert_array_equal(pre(["the cat"])["token_ids"], [[2, 5, 7, 3, 0, 0]])


def test_bf16_policy_loads_the_same_weights(saved):
    encoder = bert_keras.BertEncoder.from_pretrained(saved, dtype="mixed_bfloat16")
    assert encoder.token_embedding.embeddings.dtype == "float32"
    assert encoder(INPUTS)["sequence_output"].dtype == "bfloat16"


def test_not_a_model_dir(tmp_path):
    with pytest.raises(FileNotFoundError, match="not a bert_keras model directory"):
        read_model_dir(str(tmp_path))


def _copy(saved, tmp_path):
    import shutil

    dst = tmp_path / "copy"
    shutil.copytree(saved, dst)
    return dst


def test_unsupported_format(saved, tmp_path):
    dst = _copy(saved, tmp_path)
    meta = json.loads((dst / "bert_keras.json").read_text())
    meta["format"] = "bert_keras/99"
    (dst / "bert_keras.json").write_text(json.dumps(meta))
    with pytest.raises(ValueError, match="unsupported format 'bert_keras/99'"):
        bert_keras.BertEncoder.from_pretrained(str(dst))


def test_missing_weights_file(saved, tmp_path):
    dst = _copy(saved, tmp_path)
    os.remove(dst / "model.safetensors")
    with pytest.raises(FileNotFoundError, match="model.safetensors is missing"):
        bert_keras.BertEncoder.from_pretrained(str(dst))


def test_missing_vocab(saved, tmp_path):
    dst = _copy(saved, tmp_path)
    os.remove(dst / "vocab.txt")
    with pytest.raises(FileNotFoundError, match="vocab.txt"):
        bert_keras.BertTokenizer.from_pretrained(str(dst))


def test_vocab_larger_than_embeddings(saved, tmp_path):
    dst = _copy(saved, tmp_path)
    with open(dst / "vocab.txt", "a") as f:
        f.write("extra1\nextra2\n")
    with pytest.raises(ValueError, match="vocabulary has 28 tokens but the model's vocab_size is 26"):
        bert_keras.BertEncoder.from_pretrained(str(dst))


@pytest.mark.parametrize("edit, error, pattern", [
    (lambda w: w.pop("layer_1/key/bias"), KeyError, "layer_1/key/bias"),
    (lambda w: w.update({"layer_0/value/kernel": np.zeros((32, 16), "float32")}),
     ValueError, "'layer_0/value/kernel' has shape"),
    (lambda w: w.update({"layer_2/query/kernel": np.zeros((32, 32), "float32")}),
     ValueError, "unexpected tensors.*layer_2/query/kernel"),
])
def test_broken_weights_named(saved, tmp_path, edit, error, pattern):
    dst = _copy(saved, tmp_path)
    weights = load_file(str(dst / "model.safetensors"))
    edit(weights)
    save_file(weights, str(dst / "model.safetensors"))
    with pytest.raises(error, match=pattern):
        bert_keras.BertEncoder.from_pretrained(str(dst))


def test_build_encoder_from_memory(saved):
    model = read_model_dir(saved)
    encoder = build_encoder(model)
    assert encoder.config == CONFIG
    assert canonical.read_encoder(encoder).keys() == model.weights.keys()
