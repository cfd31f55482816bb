"""`bert-keras export` and `export/export_tfhub.py`: outputs, model card,
refusals, and no half-written output after a failure."""

import os
import runpy
import sys

import numpy as np
import pytest
import tensorflow as tf

from bert_keras.cli.main import main
from tests.conftest import REPO

hub = pytest.importorskip("tensorflow_hub")


def _leftovers(parent):
    return [n for n in os.listdir(parent) if n.startswith(".") and (".tmp-" in n or ".lock" in n)]


def test_export_command(tiny_model_dirs, tmp_path, capsys):
    """Refuses a non-empty OUT, then with --overwrite writes both models and
    the model card, with progress output."""
    out = tmp_path / "hub"
    out.mkdir()
    (out / "keep.txt").write_text("precious")
    argv = ["export", tiny_model_dirs["plain"], str(out), "--seq-length", "12"]
    assert main(argv) == 2
    assert "exists and is not empty" in capsys.readouterr().err
    assert (out / "keep.txt").read_text() == "precious"

    assert main(argv + ["--overwrite"]) == 0
    assert sorted(os.listdir(out)) == ["README.md", "encoder", "preprocess"]
    assert _leftovers(tmp_path) == []
    printed = capsys.readouterr().err  # progress goes to stderr
    assert "[1] reading model" in printed and "exported to" in printed
    card = (out / "README.md").read_text()
    for text in ("| Fine-tunable | yes |", "| Layers (L) | 2 |", "| Hidden size (H) | 32 |",
                 "`input_word_ids`", "`encoder_outputs_1`", "hub.KerasLayer", "HubLayer",
                 "uncased", "| Default sequence length | 12 |"):
        assert text in card, text
    preprocess = hub.load(str(out / "preprocess"))
    assert preprocess(tf.constant(["hello"]))["input_word_ids"].shape == (1, 12)
    assert not hasattr(hub.load(str(out / "encoder")), "mlm")


def test_frozen_card(tiny_exports):
    with open(tiny_exports["frozen"]["model_card"], encoding="utf-8") as f:
        card = f.read()
    assert "| Fine-tunable | no |" in card and "folded into constants" in card
    assert "encoder.mlm" in card


@pytest.mark.parametrize("argv, message", [
    (["--with-mlm"], "no masked-LM head"),
    (["--seq-length", "2"], "--seq-length must be at least 3"),
    (["--seq-length", "1000"], "max_position_embeddings"),
])
def test_clear_errors(tiny_model_dirs, tmp_path, capsys, argv, message):
    out = tmp_path / "x"
    assert main(["export", tiny_model_dirs["plain"], str(out)] + argv) == 2
    err = capsys.readouterr().err.splitlines()  # progress lines, then the error
    assert err[-1].startswith("error: ") and message in err[-1]
    assert not [line for line in err if line.startswith("error")][:-1]
    assert not out.exists() and _leftovers(tmp_path) == []


def test_missing_model(tmp_path, capsys):
    assert main(["export", str(tmp_path / "nope"), str(tmp_path / "x")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_failure_midway_leaves_nothing(tiny_model_dirs, tmp_path, monkeypatch):
    """An interruption after the preprocess model is written leaves neither
    OUT nor a temporary directory, and an existing OUT is untouched."""
    from bert_keras.export import exporter

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(exporter, "build_encoder_module", interrupted)
    out = tmp_path / "hub"
    with pytest.raises(KeyboardInterrupt):
        exporter.export_hub(tiny_model_dirs["plain"], str(out), seq_length=8, verbose=False)
    assert not out.exists() and _leftovers(tmp_path) == []

    monkeypatch.setattr(exporter, "build_preprocess_module", interrupted)
    out.mkdir()
    (out / "old.txt").write_text("old")
    with pytest.raises(KeyboardInterrupt):
        exporter.export_hub(tiny_model_dirs["plain"], str(out), seq_length=8, overwrite=True,
                            verbose=False)
    assert os.listdir(out) == ["old.txt"] and _leftovers(tmp_path) == []


def test_entry_script_help(monkeypatch, capsys):
    """export/export_tfhub.py is the CLI's export command (run in-process:
    a subprocess would pay for importing TensorFlow again)."""
    script = os.path.join(REPO, "export", "export_tfhub.py")
    monkeypatch.setattr(sys, "argv", [script, "--help"])
    with pytest.raises(SystemExit) as exit_info:
        runpy.run_path(script, run_name="__main__")
    assert exit_info.value.code == 0
    printed = capsys.readouterr().out
    assert "--frozen" in printed and "--with-mlm" in printed and "--seq-length" in printed


def test_minilm_export_matches_hugging_face(minilm_dir, tmp_path):
    """The one MiniLM export of the suite: hub.load output against the
    Hugging Face PyTorch golden values."""
    from tests.test_parity_minilm import GOLDEN

    out = tmp_path / "minilm"
    assert main(["export", minilm_dir, str(out), "--seq-length", "15"]) == 0
    g = np.load(GOLDEN)
    preprocess = hub.load(str(out / "preprocess"))
    encoder = hub.load(str(out / "encoder"))
    x = preprocess(tf.constant([str(s) for s in g["sentences"]]))
    np.testing.assert_array_equal(x["input_word_ids"], g["single_input_ids"])
    pooled = encoder(x)["pooled_output"].numpy()
    np.testing.assert_allclose(pooled, g["single_pooled_output"], atol=1e-4)
    assert len(encoder.trainable_variables) == 5 + 16 * 6 + 2
