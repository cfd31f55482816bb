"""The plain-Keras example script runs end to end (tiny model, toy data)."""

import os
import subprocess
import sys

from tests.conftest import REPO
from tests.tiny_classifier import tiny_model_dir, write_toy_sst2


def test_finetune_sst2_keras_example(tmp_path):
    base = tiny_model_dir(tmp_path / "base")
    train = write_toy_sst2(tmp_path / "train.tsv", repeat=2)
    dev = write_toy_sst2(tmp_path / "dev.tsv", repeat=1)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": REPO}
    out = subprocess.run(
        [sys.executable, os.path.join(REPO, "examples", "finetune_sst2_keras.py"),
         "--model", base.path, "--train", train, "--dev", dev, "--epochs", "2",
         "--batch-size", "4", "--lr", "5e-3", "--sequence-length", "32"],
        capture_output=True, text=True, env=env, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    # fit ran both epochs with validation, then evaluate printed the score.
    # (Learning itself is asserted in tests/training/test_finetune.py.)
    assert out.stdout.count("val_accuracy") == 2, out.stdout[-2000:]
    last = out.stdout.strip().splitlines()[-1]
    assert last.startswith("dev accuracy: ") and 0.0 <= float(last.split(": ")[1]) <= 1.0
