"""`bert-keras export-embedder`: strings -> embeddings serving SavedModel,
loaded in a fresh process that imports only tensorflow + tensorflow_text."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from bert_keras.cli.main import main
from bert_keras.tasks.text_embedder import TextEmbedder
from tests.tiny_classifier import tiny_model_dir

TEXTS = ["the movie was good .", "", "a very great film , the acting is good !", "bad"]

CONSUMER = """
import json, sys
import tensorflow as tf
import tensorflow_text  # noqa: F401  (registers the tokenizer's ops)
model = tf.saved_model.load(sys.argv[1])
out = model.signatures["serving_default"](text=tf.constant(json.loads(sys.argv[2])))
assert not [m for m in sys.modules if m.split(".")[0] in ("bert_keras", "keras_hub")]
print(json.dumps({k: v.numpy().tolist() for k, v in out.items()}))
"""


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    root = tmp_path_factory.mktemp("embed_export")
    base = tiny_model_dir(root / "tiny")
    out = root / "serving"
    assert main(["export-embedder", base.path, str(out), "--max-seq-length", "16"]) == 0
    return base.path, str(out)


def test_fresh_process_with_only_tf_and_tf_text(exported):
    src, out = exported
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH="")
    result = subprocess.run([sys.executable, "-c", CONSUMER, out, json.dumps(TEXTS)],
                            capture_output=True, text=True, env=env, cwd="/", timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    got = np.array(json.loads(result.stdout.strip().splitlines()[-1])["embedding"], "float32")
    want = TextEmbedder.from_pretrained(src, sequence_length=16).embed(TEXTS)
    assert got.shape == (4, 32)
    assert np.abs(got - want).max() <= 1e-5


def test_settings_file_and_refuses_existing_output(exported, capsys):
    src, out = exported
    settings = json.load(open(os.path.join(out, "assets.extra", "embedder.json")))
    assert settings == {"pooling": "mean", "normalize": True, "sequence_length": 16,
                        "dimension": 32, "source": src}
    capsys.readouterr()
    assert main(["export-embedder", src, out]) == 2
    assert "exists and is not empty" in capsys.readouterr().err
