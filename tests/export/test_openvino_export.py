"""`export --format openvino`: the tiny encoder and classifier run through
the OpenVINO runtime match the Keras model within 1e-4 on SST-2 dev sentences
(strings in through the exported tokenizer.json); the embedded MiniLM in a
slow optional test."""

import pytest

from tests.export.runtime_fixtures import (  # noqa: F401  (fixture)
    check_runtime_parity, slow, tiny_runtime_models)

pytest.importorskip("openvino")
pytest.importorskip("openvino")


@pytest.mark.parametrize("kind", ["encoder", "classifier"])
def test_tiny_openvino_matches_keras(kind, tiny_runtime_models, tmp_path):
    diffs = check_runtime_parity("openvino", tiny_runtime_models[kind], kind, str(tmp_path / kind))
    assert set(diffs) == ({"probabilities"} if kind == "classifier"
                          else {"pooled_output", "sequence_output", "embedding"})


@slow
def test_minilm_openvino_matches_keras(minilm_path, tmp_path):
    check_runtime_parity("openvino", "minilm-l6-h384-uncased", "encoder", str(tmp_path / "m"), n=200)


def test_bf16_is_close_not_equal(tiny_runtime_models, tmp_path):
    """The bf16 hint really changes the arithmetic (so the f32 parity above
    is not bf16 by accident) and stays near the f32 result."""
    import numpy as np

    from bert_keras.export.runtime_export import export_runtime, load_runtime
    from tests.export.runtime_fixtures import sst2_dev

    out = export_runtime(tiny_runtime_models["encoder"], str(tmp_path / "ov"), "openvino",
                         verbose=False)["out"]
    texts = sst2_dev(16)
    f32 = load_runtime(out, precision="f32").embed(texts)
    bf16 = load_runtime(out, precision="bf16").embed(texts)
    diff = float(np.abs(f32 - bf16).max())
    assert 1e-5 < diff < 5e-2, diff
