"""`bert-keras export MODEL OUT --format ...`: the runtime formats through
the command line (LiteRT, the quickest to convert), the files and model
card they write, the tfjs refusal, and nothing half-written after a
failed check."""

import json
import os

import pytest

from bert_keras.cli.main import main
from tests.export.runtime_fixtures import tiny_runtime_models  # noqa: F401  (fixture)

pytest.importorskip("ai_edge_litert")


def test_export_litert_command(tiny_runtime_models, tmp_path, capsys):
    out = tmp_path / "litert"
    assert main(["export", tiny_runtime_models["classifier"], str(out), "--format", "litert"]) == 0
    assert sorted(os.listdir(out)) == ["README.md", "export.json", "model.tflite",
                                       "model_strings.tflite", "tokenizer.json",
                                       "tokenizer_config.json", "vocab.txt"]
    meta = json.loads((out / "export.json").read_text())
    assert meta["format"] == "litert" and meta["kind"] == "classifier"
    assert meta["task"]["labels"] == ["negative", "positive"]
    assert meta["outputs"] == ["logits", "probabilities"]
    assert max(meta["max_abs_diff"].values()) <= 1e-4
    assert meta["strings_model_file"] == "model_strings.tflite"
    assert max(meta["strings_max_abs_diff"].values()) <= 1e-4
    card = (out / "README.md").read_text()
    assert "- Format: LiteRT flatbuffer" in card and "ai_edge_litert" in card
    assert "- Strings in: `model_strings.tflite`" in card and "SELECT_TFTEXT_OPS" in card
    printed = capsys.readouterr().out
    assert "model.tflite" in printed and "model_strings.tflite" in printed

    # A second run refuses the non-empty OUT unless --overwrite.
    assert main(["export", tiny_runtime_models["classifier"], str(out), "--format", "litert"]) == 2
    assert "exists and is not empty" in capsys.readouterr().err


def test_ids_only_writes_the_ids_model_alone(tiny_runtime_models, tmp_path, capsys):
    out = tmp_path / "ids"
    assert main(["export", tiny_runtime_models["encoder"], str(out), "--format", "litert",
                 "--ids-only"]) == 0
    assert "model_strings.tflite" not in os.listdir(out)
    meta = json.loads((out / "export.json").read_text())
    assert "strings_model_file" not in meta and max(meta["max_abs_diff"].values()) <= 1e-4
    assert main(["export", tiny_runtime_models["encoder"], str(tmp_path / "x"), "--format",
                 "onnx", "--ids-only"]) == 2
    assert "--ids-only applies to --format litert only" in capsys.readouterr().err


def test_tfjs_is_refused_with_the_reason(tiny_runtime_models, tmp_path, capsys):
    assert main(["export", tiny_runtime_models["encoder"], str(tmp_path / "js"),
                 "--format", "tfjs"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "TensorFlow 2.19" in err and "examples/node" in err
    assert not (tmp_path / "js").exists()


def test_failed_check_leaves_nothing(tiny_runtime_models, tmp_path, monkeypatch, capsys):
    """A parity failure is reported as one error line and OUT is not created."""
    from bert_keras.export import runtime_export

    monkeypatch.setattr(runtime_export, "VERIFY_ATOL", -1.0)  # every difference fails
    out = tmp_path / "bad"
    assert main(["export", tiny_runtime_models["encoder"], str(out), "--format", "litert"]) == 2
    assert "differs from the Keras model" in capsys.readouterr().err
    assert not out.exists()
    assert [n for n in os.listdir(tmp_path) if n.startswith(".tmp-")] == []
