"""Original Google TF1 checkpoints (written with the google-research/bert
variable names by a TF1 Saver) convert to outputs that match an independent
numpy BERT reading the same checkpoint."""

import json
import os

import numpy as np
import pytest

import bert_keras
from bert_keras.checkpoints.convert import load_model_dir
from bert_keras.heads.pretrained import build_mlm_head, build_nsp_head
from bert_keras.cli.main import main as cli_main
from tests.reference import numpy_bert
from tests.reference.tf1_checkpoint import (
    GOOGLE_CONFIG, random_tf1_weights, write_tf1_checkpoint)

TOL = 1e-5


@pytest.fixture(scope="module")
def google_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("google") / "tiny_uncased_L-2_H-64_A-4"
    return write_tf1_checkpoint(str(out), GOOGLE_CONFIG, random_tf1_weights(GOOGLE_CONFIG))


@pytest.fixture(scope="module")
def converted(google_dir, tmp_path_factory):
    """Converted through the CLI code path (`bert-keras convert`)."""
    out = str(tmp_path_factory.mktemp("converted") / "model")
    assert cli_main(["convert", google_dir, out]) == 0
    return out


@pytest.fixture(scope="module")
def reference(google_dir):
    weights = numpy_bert.load_tf1_checkpoint(os.path.join(google_dir, "bert_model.ckpt"))
    return numpy_bert.NumpyBert(weights, num_layers=2, num_heads=4, activation="gelu_tanh")


@pytest.fixture(scope="module")
def inputs():
    rng = np.random.default_rng(7)
    ids = rng.integers(5, 100, (3, 16)).astype("int32")
    ids[:, 0] = 2
    segments = (np.arange(16) >= 9).astype("int32")[None].repeat(3, 0)
    mask = np.ones((3, 16), "int32")
    mask[1, 11:] = 0
    mask[2, 4:] = 0
    ids[mask == 0] = 0
    return {"token_ids": ids, "segment_ids": segments, "padding_mask": mask}


def _max_diff(a, b, mask=None):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if mask is not None:
        a, b = a[mask.astype(bool)], b[mask.astype(bool)]
    return np.abs(a - b).max()


def test_cli_output_dir(converted, capsys):
    files = sorted(os.listdir(converted))
    assert files == ["bert_keras.json", "model.safetensors", "vocab.txt"]
    with open(os.path.join(converted, "bert_keras.json")) as f:
        meta = json.load(f)
    assert meta["heads"] == ["mlm", "nsp"]
    # Google's "gelu" is the tanh approximation: kept through conversion.
    assert meta["config"]["hidden_act"] == "gelu_tanh"
    assert meta["tokenizer"]["lowercase"] is True  # "uncased" in the dir name
    assert not [f for f in os.listdir(os.path.dirname(converted)) if ".tmp-" in f]


def test_encoder_matches_reference(converted, reference, inputs):
    encoder = bert_keras.BertEncoder.from_pretrained(converted)
    out = encoder(inputs)
    seq, pooled = reference.encode(inputs["token_ids"], inputs["segment_ids"],
                                   inputs["padding_mask"])
    assert _max_diff(out["sequence_output"], seq, inputs["padding_mask"]) < TOL
    assert _max_diff(out["pooled_output"], pooled) < TOL
    assert _max_diff(out["encoder_outputs"][-1], seq, inputs["padding_mask"]) < TOL
    # The tolerance is meaningful: exact-erf GELU is far outside it.
    erf = numpy_bert.NumpyBert(reference.w, 2, 4, activation="gelu_erf")
    seq_erf, _ = erf.encode(inputs["token_ids"], inputs["segment_ids"], inputs["padding_mask"])
    assert _max_diff(seq_erf, seq, inputs["padding_mask"]) > 10 * TOL


def test_heads_match_reference(converted, reference, inputs):
    model = load_model_dir(converted)
    encoder = bert_keras.BertEncoder.from_pretrained(converted)
    out = encoder(inputs)
    positions = np.array([[1, 3, 5], [2, 4, 10], [0, 1, 3]], "int32")
    mlm = build_mlm_head(model, encoder)(out["sequence_output"], mask_positions=positions)
    nsp = build_nsp_head(model)(out["pooled_output"])
    seq, pooled = reference.encode(inputs["token_ids"], inputs["segment_ids"],
                                   inputs["padding_mask"])
    ref_mlm = reference.mlm_logits(seq, positions)
    assert mlm.shape == (3, 3, GOOGLE_CONFIG["vocab_size"])
    assert np.abs(ref_mlm).max() > 1  # logits of a real size, not ~0
    assert _max_diff(mlm, ref_mlm) < TOL
    assert _max_diff(nsp, reference.nsp_logits(pooled)) < TOL


def test_python_convert_equals_cli(google_dir, converted, tmp_path):
    model = bert_keras.convert(google_dir, str(tmp_path / "py"))
    assert model.heads == ["mlm", "nsp"]
    again = load_model_dir(str(tmp_path / "py"))
    first = load_model_dir(converted)
    assert sorted(again.weights) == sorted(first.weights)
    for name in first.weights:
        np.testing.assert_array_equal(again.weights[name], first.weights[name])
    # In-memory conversion (no model dir) gives the same encoder.
    direct = bert_keras.BertEncoder.from_pretrained(google_dir)
    np.testing.assert_array_equal(direct.token_embedding.embeddings.numpy(),
                                  first.weights["embeddings/word_embeddings"])


def test_without_heads(tmp_path, capsys):
    src = write_tf1_checkpoint(str(tmp_path / "noheads_uncased"), GOOGLE_CONFIG,
                               random_tf1_weights(GOOGLE_CONFIG, heads=False),
                               optimizer_slots=False)
    out = str(tmp_path / "out")
    assert cli_main(["convert", src, out]) == 0
    assert "heads: none (not in the source: mlm, nsp)" in capsys.readouterr().out
    model = load_model_dir(out)
    assert model.heads == []
    encoder = bert_keras.BertEncoder.from_pretrained(out)
    with pytest.raises(ValueError, match="no masked-LM head"):
        build_mlm_head(model, encoder)
    with pytest.raises(ValueError, match="no next-sentence head"):
        build_nsp_head(model)


def _broken(tmp_path, name, config=GOOGLE_CONFIG, drop=(), extra=None):
    weights = random_tf1_weights(GOOGLE_CONFIG)
    for key in drop:
        del weights[key]
    weights.update(extra or {})
    return write_tf1_checkpoint(str(tmp_path / name), config, weights, optimizer_slots=False)


def _assert_fails_naming(src, tmp_path, error, pattern):
    out = tmp_path / "out"
    with pytest.raises(error, match=pattern):
        bert_keras.convert(src, str(out))
    assert not out.exists()
    assert not [p for p in os.listdir(tmp_path) if ".tmp-" in p]


def test_missing_tensor(tmp_path):
    src = _broken(tmp_path, "missing", drop=["bert/encoder/layer_1/attention/self/key/bias"])
    _assert_fails_naming(src, tmp_path, KeyError,
                         "missing tensor 'bert/encoder/layer_1/attention/self/key/bias'")


def test_shape_mismatch_from_wrong_config(tmp_path):
    src = _broken(tmp_path, "wrongcfg", config=dict(GOOGLE_CONFIG, intermediate_size=256))
    _assert_fails_naming(src, tmp_path, ValueError,
                         r"'bert/encoder/layer_0/intermediate/dense/kernel' has shape "
                         r"\(64, 128\).*expects \(64, 256\)")


def test_unexpected_tensor(tmp_path):
    extra = {"bert/encoder/layer_0/attention/self/rotary/kernel": np.zeros((4, 4), "float32")}
    src = _broken(tmp_path, "extra", extra=extra)
    _assert_fails_naming(src, tmp_path, ValueError,
                         "unexpected tensors.*bert/encoder/layer_0/attention/self/rotary/kernel")


def test_too_few_layers_in_config(tmp_path):
    src = _broken(tmp_path, "fewer", config=dict(GOOGLE_CONFIG, num_hidden_layers=1))
    _assert_fails_naming(src, tmp_path, ValueError, "unexpected tensors.*layer_1")


def test_cli_reports_errors_in_one_line(tmp_path, capsys):
    src = _broken(tmp_path, "missing", drop=["bert/pooler/dense/bias"])
    assert cli_main(["convert", src, str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "'bert/pooler/dense/bias'" in err
    assert "\n" not in err and "Traceback" not in err


def test_pretraining_output_dir_uses_latest_checkpoint(tmp_path):
    """A run_pretraining.py output dir: model.ckpt-<step> files and a
    `checkpoint` state file naming the latest."""
    src = str(tmp_path / "pretraining_output")
    old = random_tf1_weights(GOOGLE_CONFIG, heads=False, seed=1)
    new = random_tf1_weights(GOOGLE_CONFIG, heads=False, seed=2)
    write_tf1_checkpoint(src, GOOGLE_CONFIG, old, optimizer_slots=False, prefix="model.ckpt-900")
    write_tf1_checkpoint(src, GOOGLE_CONFIG, new, optimizer_slots=False, prefix="model.ckpt-1000")
    model = load_model_dir(src)
    np.testing.assert_array_equal(model.weights["pooler/kernel"], new["bert/pooler/dense/kernel"])
    os.remove(os.path.join(src, "checkpoint"))  # by step number, not by name order
    write_tf1_checkpoint(src, GOOGLE_CONFIG, old, optimizer_slots=False, prefix="model.ckpt-200")
    os.remove(os.path.join(src, "checkpoint"))
    model = load_model_dir(src)
    np.testing.assert_array_equal(model.weights["pooler/kernel"], new["bert/pooler/dense/kernel"])
