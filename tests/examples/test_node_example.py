"""examples/node: `npm ci` + `npm test` against freshly exported tiny ONNX
models (encoder and classifier), and the command line's printed embeddings
and labels against Python's (<= 1e-4, same top label). Skips with the
reason when node/npm are missing or the npm packages cannot be installed."""

import json
import os
import shutil
import subprocess

import numpy as np
import pytest

from tests.conftest import REPO
from tests.export.runtime_fixtures import (  # noqa: F401  (fixture)
    SEQ_LENGTH, keras_reference, sst2_dev, tiny_runtime_models)

pytest.importorskip("onnxruntime")
pytest.importorskip("tf2onnx")
EXAMPLE = os.path.join(REPO, "examples", "node")
FILES = ("package.json", "package-lock.json", ".npmrc", "bert.mjs", "predict.mjs", "test")


@pytest.fixture(scope="module")
def node_example(tmp_path_factory):
    """A copy of examples/node with `npm ci` done (the source tree stays clean)."""
    if not (shutil.which("node") and shutil.which("npm")):
        pytest.skip("node and npm are not installed")
    work = tmp_path_factory.mktemp("node_example")
    for name in FILES:
        src = os.path.join(EXAMPLE, name)
        (shutil.copytree if os.path.isdir(src) else shutil.copy)(src, os.path.join(work, name))
    done = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=work,
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        pytest.skip(f"npm ci failed (no registry access?): {done.stderr.strip()[-300:]}")
    return str(work)


def _python_ids(model_dir, texts):
    from bert_keras.checkpoints.convert import load_model_dir
    from bert_keras.tokenization.factory import build_tokenizer
    from bert_keras.tokenization.preprocessor import BertPreprocessor

    x = BertPreprocessor(build_tokenizer(load_model_dir(model_dir)), SEQ_LENGTH,
                         dynamic_length=True)(texts)
    ids, mask = np.asarray(x["token_ids"]), np.asarray(x["padding_mask"])
    return [row[m == 1].tolist() for row, m in zip(ids, mask)]


@pytest.mark.parametrize("kind", ["encoder", "classifier"])
def test_node_matches_python(kind, node_example, tiny_runtime_models, tmp_path):
    from bert_keras.export.runtime_export import export_runtime

    model_dir = tiny_runtime_models[kind]
    out = export_runtime(model_dir, str(tmp_path / "onnx"), "onnx", seq_length=SEQ_LENGTH,
                         verbose=False)["out"]
    texts = sst2_dev(24) + ["word " * 200]  # the last one is cut to seq_length
    want = keras_reference(model_dir, kind, texts)
    expected = {"texts": texts, "ids": _python_ids(model_dir, texts),
                "outputs": {k: want[k].tolist() for k in
                            (("probabilities",) if kind == "classifier"
                             else ("embedding", "pooled_output"))}}
    if kind == "classifier":
        expected["labels"] = [["negative", "positive"][i] for i in want["probabilities"].argmax(1)]
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f)

    test = subprocess.run(["npm", "test"], cwd=node_example, capture_output=True, text=True,
                          env={**os.environ, "BERT_KERAS_EXPORT": out}, timeout=300)
    assert test.returncode == 0, test.stdout[-3000:] + test.stderr[-2000:]
    assert "# pass 3" in test.stdout and "# fail 0" in test.stdout, test.stdout[-2000:]

    printed = subprocess.run(["node", os.path.join(node_example, "predict.mjs"), out, *texts[:6]],
                             capture_output=True, text=True, timeout=120, check=True).stdout
    rows = [json.loads(line) for line in printed.strip().splitlines()]
    assert [r["text"] for r in rows] == texts[:6]
    if kind == "classifier":
        got = np.array([r["probabilities"] for r in rows])
        assert [r["label"] for r in rows] == expected["labels"][:6]
        assert np.abs(got - want["probabilities"][:6]).max() <= 1e-4
    else:
        got = np.array([r["embedding"] for r in rows])
        assert np.abs(got - want["embedding"][:6]).max() <= 1e-4


def test_node_refuses_other_formats(node_example, tmp_path):
    (tmp_path / "export.json").write_text(json.dumps({"format": "litert"}))
    done = subprocess.run(["node", os.path.join(node_example, "predict.mjs"), str(tmp_path), "x"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "needs --format onnx" in done.stderr
