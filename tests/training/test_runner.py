"""The one training runner: a process SIGKILLed at a chosen step (a test
hook, not a sleep) resumes from its last checkpoint when the same command
is run again, for fine-tuning (ending with the very model an uninterrupted
run makes) and for pretraining."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from bert_keras.training.run_directory import settings_difference
from bert_keras.training.runner import KILL_AT_STEP_ENV
from tests.conftest import REPO, shared_path
from tests.tiny_classifier import tiny_model_dir, write_toy_sst2


def run_cli(args, kill_at=None):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": REPO}
    env.pop(KILL_AT_STEP_ENV, None)
    if kill_at is not None:
        env[KILL_AT_STEP_ENV] = str(kill_at)
    return subprocess.run([sys.executable, "-m", "bert_keras.cli.main", *args], env=env,
                          capture_output=True, text=True, timeout=600)


def weights(out):
    from safetensors.numpy import load_file

    return load_file(os.path.join(out, "model.safetensors"))


def assert_same_weights(a, b, atol=1e-5):
    wa, wb = weights(a), weights(b)
    assert set(wa) == set(wb)
    diff = max(float(np.abs(wa[k] - wb[k]).max()) for k in wa)
    assert diff < atol, f"resumed run differs from the uninterrupted one by {diff}"


def test_killed_finetuning_resumes_to_the_same_model(tmp_path):
    base = tiny_model_dir(tmp_path / "base").path
    train = write_toy_sst2(tmp_path / "train.tsv", repeat=10)  # 120 rows: 30 steps
    dev = write_toy_sst2(tmp_path / "dev.tsv", repeat=1)

    def command(out):
        return ["finetune", base, "--task", "sst2", "--train", train, "--dev", dev,
                "--out", str(out), "--epochs", "1", "--batch-size", "4", "--lr", "1e-3",
                "--max-seq-length", "32", "--checkpoint-every", "5", "--dropout", "0",
                "--no-tensorboard"]

    killed = run_cli(command(tmp_path / "out"), kill_at=12)
    assert killed.returncode == -9, killed.stderr[-2000:]
    assert os.path.isfile(tmp_path / "out" / "training" / "checkpoint.npz")
    resumed = run_cli(command(tmp_path / "out"))
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "resuming from step 10 of 30" in resumed.stderr
    assert not os.path.exists(tmp_path / "out" / "training" / "checkpoint.npz")

    whole = run_cli(command(tmp_path / "whole"))
    assert whole.returncode == 0, whole.stderr[-3000:]
    assert_same_weights(tmp_path / "out", tmp_path / "whole")


@pytest.mark.parametrize("family", ["bert", "albert", "roberta"])
def test_killed_pretraining_resumes_to_the_same_model(tmp_path, family):
    """Each family's objective on the one runner (tiny configs and the
    families' tokenizers: tests/pretrain_families.py)."""
    from tests.pretrain_families import CONFIGS, family_vocab

    corpus = shared_path("corpus", "sample_text.txt")
    if family == "bert":
        model = ["--config", "tiny", "--vocab-size", "300"]
    else:
        config = tmp_path / f"{family}.json"
        config.write_text(json.dumps(CONFIGS[family]))
        model = ["--config", str(config), "--vocab", family_vocab(family)]

    def command(out):
        return ["pretrain", "--corpus", corpus, "--out", str(out), *model,
                "--steps", "9", "--batch-size", "4",
                "--seq-length", "32", "--checkpoint-every", "3", "--dropout", "0"]

    killed = run_cli(command(tmp_path / "out"), kill_at=5)
    assert killed.returncode == -9, killed.stderr[-2000:]
    assert not os.path.exists(tmp_path / "out" / "bert_keras.json")
    resumed = run_cli(command(tmp_path / "out"))
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "resuming from step 3 of 9" in resumed.stderr  # progress and notices: stderr
    state = json.load(open(tmp_path / "out" / "training" / "state.json"))
    assert state["complete"] and state["resumed_from"] == 3 and state["global_step"] == 9
    # Intervals 1 (before the kill) and 2-3 (after it) are all in the history.
    assert [e["step"] for e in state["train_history"]] == [3, 6, 9]
    assert os.path.isfile(tmp_path / "out" / "model.safetensors")
    # (Weights are not compared with an uninterrupted run: the masking ops of
    # the pretraining input pipeline are not seeded per op.)


def test_settings_difference_names_each_change():
    diff = settings_difference({"options": {"lr": 1}, "train": "a", "seed": 0},
                               {"options": {"lr": 2}, "train": "a", "epochs": 3})
    assert diff == ["epochs: null in the stored run, 3 now",
                    "options.lr: 1 in the stored run, 2 now",
                    "seed: 0 in the stored run, null now"]


@pytest.mark.parametrize("precision", ["fp16", "int8"])
def test_unknown_precision_is_refused(precision):
    from bert_keras.training.runner import dtype_policy

    with pytest.raises(ValueError, match="--precision must be fp32 or bf16"):
        dtype_policy(precision)


def test_docstring_examples():
    import doctest

    from bert_keras.training import checkpoint, run_directory, runner

    for module in (runner, run_directory, checkpoint):
        result = doctest.testmod(module, verbose=False)
        assert result.attempted > 0 and result.failed == 0, module.__name__


def test_run_directory_rules(tmp_path):
    from bert_keras.training.run_directory import RunDirectory

    settings = {"options": {"epochs": 1}}
    # A run killed before it wrote anything but its (empty) state directory is ours.
    (tmp_path / "early" / "training").mkdir(parents=True)
    assert not RunDirectory(tmp_path / "early", settings).complete
    # A fine-tuning directory of the previous version cannot be resumed: said clearly.
    old = tmp_path / "old"
    (old / "training").mkdir(parents=True)
    (old / "training" / "state.json").write_text('{"complete": true}')
    (old / "bert_keras.json").write_text("{}")
    with pytest.raises(FileExistsError, match="older bert_keras"):
        RunDirectory(old, settings)
    assert RunDirectory(old, settings, overwrite=True).complete is False
    # A finished run with the same settings is reported complete.
    done = RunDirectory(tmp_path / "done", settings)
    done.write_state({"complete": True})
    assert RunDirectory(tmp_path / "done", settings).complete
    with pytest.raises(ValueError, match="options.epochs: 1 in the stored run, 2 now"):
        RunDirectory(tmp_path / "done", {"options": {"epochs": 2}})
