"""`export --format onnx`: the tiny encoder and classifier run through
ONNX Runtime match the Keras model within 1e-4 on SST-2 dev sentences
(strings in through the exported tokenizer.json); the embedded MiniLM in a
slow optional test."""

import pytest

from tests.export.runtime_fixtures import (  # noqa: F401  (fixture)
    check_runtime_parity, slow, tiny_runtime_models)

pytest.importorskip("onnxruntime")
pytest.importorskip("tf2onnx")


@pytest.mark.parametrize("kind", ["encoder", "classifier"])
def test_tiny_onnx_matches_keras(kind, tiny_runtime_models, tmp_path):
    diffs = check_runtime_parity("onnx", tiny_runtime_models[kind], kind, str(tmp_path / kind))
    assert set(diffs) == ({"probabilities"} if kind == "classifier"
                          else {"pooled_output", "sequence_output", "embedding"})


@slow
def test_minilm_onnx_matches_keras(minilm_path, tmp_path):
    check_runtime_parity("onnx", "minilm-l6-h384-uncased", "encoder", str(tmp_path / "m"), n=200)
