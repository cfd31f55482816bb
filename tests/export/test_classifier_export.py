"""A fine-tuned classifier as one serving SavedModel (raw strings in),
checked with `saved_model_cli run`."""

import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

from bert_keras.models.factory import build_encoder
from bert_keras.data.tasks import get_task
from bert_keras.export.classifier_export import export_classifier
from bert_keras.tasks.classifier import build_classifier, classifier_parts, save_classifier
from tests.conftest import REPO
from tests.tiny_classifier import tiny_model_dir

# saved_model_cli, with the tf-text ops registered first (the stock script
# does not import tensorflow_text, so it cannot run any text SavedModel).
SAVED_MODEL_CLI = ("import sys, tensorflow_text; "
                   "from tensorflow.python.tools.saved_model_cli import main; "
                   "sys.argv[0] = 'saved_model_cli'; sys.exit(main())")


def make_classifier(tmp_path, task_name, bias):
    base = tiny_model_dir()
    model = build_classifier(build_encoder(base), get_task(task_name).num_classes)
    _, head = classifier_parts(model)
    head.dense.bias.assign(np.array(bias, "float32"))
    return save_classifier(model, tmp_path / task_name, base, get_task(task_name).to_dict(32))


@pytest.fixture(scope="module")
def sst2_export(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("clf")
    src = make_classifier(tmp, "sst2", [-4.0, 4.0])
    return export_classifier(src, str(tmp / "serving"))


def test_saved_model_cli_runs_raw_strings(sst2_export):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": REPO}
    out = subprocess.run(
        [sys.executable, "-c", SAVED_MODEL_CLI, "run", "--dir", sst2_export, "--tag_set", "serve",
         "--signature_def", "serving_default",
         "--input_exprs", 'text=["a great film !", "awful"]'],
        capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "Result for output key label:\n[b'positive' b'positive']" in out.stdout
    assert "Result for output key probabilities:" in out.stdout


def test_signature_and_outputs(sst2_export):
    import tensorflow_text  # noqa: F401

    serving = tf.saved_model.load(sst2_export).signatures["serving_default"]
    assert set(serving.structured_input_signature[1]) == {"text"}
    out = serving(text=tf.constant(["good", "a much longer text about the movie plot ."]))
    assert out["probabilities"].shape == (2, 2)
    np.testing.assert_allclose(out["probabilities"].numpy().sum(axis=1), 1.0, atol=1e-5)
    assert out["label_id"].numpy().tolist() == [1, 1]


def test_pair_task_export(tmp_path):
    import tensorflow_text  # noqa: F401

    src = make_classifier(tmp_path, "mrpc", [3.0, -3.0])
    path = export_classifier(src, str(tmp_path / "mrpc-serving"))
    serving = tf.saved_model.load(path).signatures["serving_default"]
    assert set(serving.structured_input_signature[1]) == {"text", "text_b"}
    out = serving(text=tf.constant(["a movie"]), text_b=tf.constant(["a film"]))
    assert out["label"].numpy().tolist() == [b"not_equivalent"]


def test_export_refuses_to_overwrite(sst2_export, tmp_path):
    with pytest.raises(FileExistsError):
        export_classifier(os.path.dirname(sst2_export) + "/sst2", sst2_export)
