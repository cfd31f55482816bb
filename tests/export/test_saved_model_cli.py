"""`saved_model_cli show --all` and `run --signature_def serving_default`
on the exported encoder, as subprocesses (the TF Serving view: a graph and
signatures, no Python objects)."""

import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

from tests.export.conftest import SEQ_LENGTH


def _saved_model_cli():
    path = os.path.join(os.path.dirname(sys.executable), "saved_model_cli")
    if not os.path.exists(path):
        path = shutil.which("saved_model_cli")
    if not path:
        pytest.skip("saved_model_cli not found")
    return path


def _run(args, cwd):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    result = subprocess.run([_saved_model_cli()] + args, capture_output=True, text=True,
                            env=env, cwd=cwd, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_show_all(tiny_exports, tmp_path):
    out = _run(["show", "--dir", tiny_exports["trainable"]["encoder"], "--all"], tmp_path)
    serving = out[out.index("signature_def['serving_default']"):]
    for name in ("input_word_ids", "input_mask", "input_type_ids"):
        assert f"inputs['{name}'] tensor_info:\n        dtype: DT_INT32\n        shape: (-1, -1)" \
            in serving, name
    for name in ("pooled_output", "sequence_output", "encoder_outputs_0", "encoder_outputs_1"):
        assert f"outputs['{name}']" in serving, name
    assert "outputs['encoder_outputs_2']" not in serving
    assert "shape: (-1, 32)" in serving   # pooled_output [batch, H]


@pytest.mark.parametrize("form", ["trainable", "frozen"])
def test_run_serving_default(tiny_exports, tiny_keras, tmp_path, form):
    from bert_keras.tokenization import BertPreprocessor

    encoder, _, tokenizer = tiny_keras
    x = BertPreprocessor(tokenizer, sequence_length=SEQ_LENGTH)(
        tf.constant(["hello world", "the cat sat on the mat ."]))
    exprs = ";".join(f"{hub_name}={np.asarray(x[name]).tolist()}".replace(" ", "")
                     for hub_name, name in (("input_word_ids", "token_ids"),
                                            ("input_mask", "padding_mask"),
                                            ("input_type_ids", "segment_ids")))
    _run(["run", "--dir", tiny_exports[form]["encoder"], "--tag_set", "serve",
          "--signature_def", "serving_default", "--input_exprs", exprs,
          "--outdir", str(tmp_path / "out")], tmp_path)
    want = encoder(x)
    pooled = np.load(tmp_path / "out" / "pooled_output.npy")
    np.testing.assert_allclose(pooled, np.asarray(want["pooled_output"]), atol=1e-5)
    layer0 = np.load(tmp_path / "out" / "encoder_outputs_0.npy")
    np.testing.assert_allclose(layer0, np.asarray(want["encoder_outputs"][0]), atol=1e-5)
