"""Reliability tests (issue 11): each reproduces one way a user could lose
output, get a silently wrong answer, or see a traceback, and checks it is
gone. Every test carries exactly one class marker; `scripts/reliability_report.py`
counts passes and failures per class.

    data_loss       output lost or clobbered, debris left behind, unreadable files
    silently_wrong  a wrong or misleading result without a word
    traceback       a Python traceback (or an unusable message) instead of one clear line
"""

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO

MARKERS = {
    "data_loss": "output lost or clobbered, debris left behind, unreadable files",
    "silently_wrong": "a wrong or misleading result without a word",
    "traceback": "a traceback or unusable message instead of one clear error line",
}


def pytest_configure(config):
    for name, text in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {text}")


def run_cli(*args, env=None, stdin=None, timeout=600, cwd=None):
    """`bert-keras ARGS` in a fresh process running this checkout."""
    full_env = {**os.environ, "PYTHONPATH": REPO + os.pathsep + os.environ.get("PYTHONPATH", "")}
    full_env.pop("TF_CPP_MIN_LOG_LEVEL", None)  # the CLI must quieten TensorFlow itself
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "bert_keras.cli.main", *map(str, args)],
                          capture_output=True, text=True, env=full_env, input=stdin,
                          timeout=timeout, cwd=cwd or REPO)


def one_error_line(err):
    """Asserts `err` (stderr) ends in exactly one `error:` line, no traceback."""
    assert "Traceback" not in err, err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, err
    return errors[0]


def leftovers(parent):
    """Hidden staging/lock entries beside outputs in `parent`."""
    return sorted(n for n in os.listdir(parent)
                  if n.startswith(".") and (".tmp-" in n or ".old-" in n or ".save-" in n
                                            or n.endswith(".lock")))


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory):
    """A tiny random model directory (2 layers, hidden 32)."""
    from tests.tiny_classifier import tiny_model_dir

    path = tmp_path_factory.mktemp("reliability") / "tiny"
    tiny_model_dir(path)
    return str(path)


@pytest.fixture(scope="session")
def tiny_classifier(tmp_path_factory):
    """A tiny SST-2 classifier directory (random weights, not trained)."""
    from bert_keras.models.factory import build_encoder
    from bert_keras.data.tasks import get_task
    from bert_keras.tasks.classifier import build_classifier, save_classifier
    from tests.tiny_classifier import tiny_model_dir

    base = tiny_model_dir()
    model = build_classifier(build_encoder(base), get_task("sst2").num_classes)
    out = tmp_path_factory.mktemp("reliability") / "sst2"
    return save_classifier(model, out, base, get_task("sst2").to_dict(32))
