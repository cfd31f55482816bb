"""Reliability of training (issue 11, points 2, 3, 8, 9, 10, 12, 22, 24):
interrupted runs restart, reruns with other settings are refused, a
non-finite loss stops training, impossible settings are refused up front,
a model remembers its task and columns, and Keras prints no misleading
warnings. Tiny models; kills through the runner's step hook, not sleeps."""

import errno
import json
import os
import re
import subprocess
import sys
import warnings

import numpy as np
import pytest

from bert_keras.cli.main import main
from bert_keras.training.runner import KILL_AT_STEP_ENV
from tests.conftest import REPO
from tests.tiny_classifier import tiny_model_dir, write_toy_sst2

FAST = ["--epochs", "1", "--batch-size", "4", "--lr", "1e-3", "--max-seq-length", "32",
        "--no-tensorboard"]


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp("reliability-training")
    base = tiny_model_dir(root / "base").path
    train = write_toy_sst2(root / "train.tsv", repeat=1)  # 12 rows: 3 steps
    dev = write_toy_sst2(root / "dev.tsv", repeat=1)
    return root, base, train, dev


@pytest.fixture(scope="module")
def sst2_model(data):
    root, base, train, dev = data
    out = root / "sst2"
    assert main(["finetune", base, "--task", "sst2", "--train", train, "--dev", dev,
                 "--out", str(out), *FAST]) == 0
    return out


def one_error_line(capsys):
    err = capsys.readouterr().err.strip().splitlines()
    errors = [line for line in err if line.startswith("error: ")]
    assert len(errors) == 1 and "Traceback" not in "\n".join(err), err
    return errors[0]


def finetune_command(base, train, dev, out, *extra):
    return ["finetune", base, "--task", "sst2", "--train", train, "--dev", dev,
            "--out", str(out), *FAST, *extra]


# -- 2: a run stopped before its first checkpoint restarts -------------------
@pytest.mark.data_loss
def test_run_killed_before_its_first_checkpoint_restarts(data, tmp_path):
    _, base, train, dev = data
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "bert_keras.cli.main",
           *finetune_command(base, train, dev, out, "--checkpoint-every", "500")]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": REPO,
           KILL_AT_STEP_ENV: "1"}
    killed = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert killed.returncode == -9, killed.stderr[-2000:]
    assert not os.path.exists(out / "training" / "checkpoint.npz")
    env.pop(KILL_AT_STEP_ENV)
    again = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr[-2000:]  # no --overwrite needed
    assert "resuming" not in again.stderr
    assert json.load(open(out / "training" / "state.json"))["complete"]


@pytest.mark.data_loss
def test_full_disk_at_the_first_checkpoint_then_the_same_command_restarts(
        data, tmp_path, monkeypatch):
    from bert_keras.training import checkpoint
    from bert_keras.training.finetune import FinetuneOptions, finetune

    _, base, train, dev = data
    out = tmp_path / "out"
    options = dict(epochs=1, batch_size=4, max_seq_length=32, checkpoint_every=1,
                   tensorboard=False, verbose=0)
    real_save = checkpoint.save_checkpoint

    def full_disk(path, model, state):
        with open(path + ".tmp.npz", "wb") as f:
            f.write(b"partial")
        os.remove(path + ".tmp.npz")  # what save_checkpoint does on failure
        raise OSError(errno.ENOSPC, "No space left on device", path)

    monkeypatch.setattr(checkpoint, "save_checkpoint", full_disk)
    with pytest.raises(OSError, match="No space left"):
        finetune(base, "sst2", train, dev, out, FinetuneOptions(**options), log=lambda m: None)
    assert sorted(os.listdir(out / "training")) == ["run.json"]  # no debris
    monkeypatch.setattr(checkpoint, "save_checkpoint", real_save)
    # Other settings are refused, naming the difference; the same ones restart.
    with pytest.raises(ValueError, match=r"options\.seed: 0 in the stored run, 1 now"):
        finetune(base, "sst2", train, dev, out, FinetuneOptions(seed=1, **options),
                 log=lambda m: None)
    result = finetune(base, "sst2", train, dev, out, FinetuneOptions(**options),
                      log=lambda m: None)
    assert result["complete"] and result["global_step"] == 3


# -- 3: rerunning into a finished run ---------------------------------------
@pytest.mark.data_loss
def test_rerun_with_other_settings_is_refused_naming_them(data, sst2_model, capsys):
    root, base, train, dev = data
    weights = os.path.join(sst2_model, "model.safetensors")
    before = os.path.getmtime(weights)
    capsys.readouterr()
    args = finetune_command(base, train, dev, sst2_model)
    assert main([*args[:-len(FAST)], *[("2e-3" if a == "1e-3" else a) for a in FAST]]) == 2
    assert "options.learning_rate: 0.001 in the stored run, 0.002 now" in one_error_line(capsys)
    assert main(finetune_command(base, train, dev, sst2_model, "--epochs", "2")) == 2
    assert "options.epochs: 1.0 in the stored run, 2.0 now" in one_error_line(capsys)
    # The same path with other content: the fingerprint differs.
    changed = root / "changed"
    changed.mkdir()
    (changed / "train.tsv").write_text(open(train).read().replace("good", "fine"))
    moved = finetune_command(base, str(changed / "train.tsv"), dev, sst2_model)
    assert main(moved) == 2
    line = one_error_line(capsys)
    assert "train.path:" in line and "train.sha256:" in line
    # The same settings: the finished run is reported, not trained again.
    assert main(finetune_command(base, train, dev, sst2_model)) == 0
    assert "training already complete" in capsys.readouterr().err
    assert os.path.getmtime(weights) == before


# -- 8: non-finite loss -----------------------------------------------------
@pytest.mark.silently_wrong
def test_nan_weight_stops_training_with_one_error_and_nothing_saved(data, tmp_path, capsys):
    from bert_keras.checkpoints.model_dir import save_model_dir

    _, _, train, dev = data
    md = tiny_model_dir()
    table = np.array(md.weights["embeddings/word_embeddings"])
    table[5, 0] = np.nan
    md.weights["embeddings/word_embeddings"] = table
    save_model_dir(md, str(tmp_path / "nan-base"))
    out = tmp_path / "out"
    assert main(finetune_command(str(tmp_path / "nan-base"), train, dev, out)) == 2
    assert re.search(r"nan", one_error_line(capsys), re.I)
    assert not os.path.exists(out / "model.safetensors")
    assert not os.path.exists(out / "bert_keras.json")


@pytest.mark.silently_wrong
def test_loss_overflow_mid_run_keeps_the_last_good_checkpoint(data, tmp_path, capsys):
    _, base, _, _ = data
    rows = [f"good film {i}\t{i % 5 / 4}" for i in range(23)] + ["awful film\t1e38"]
    path = tmp_path / "scores.tsv"
    path.write_text("text\tscore\n" + "\n".join(rows) + "\n")
    out = tmp_path / "out"
    assert main(["finetune", base, "--text-column", "text", "--label-column", "score",
                 "--regression", "--train", str(path), "--out", str(out),
                 "--checkpoint-every", "1", *FAST]) == 2
    line = one_error_line(capsys)
    step = int(re.search(r"the training loss became (?:inf|nan) at step (\d+)", line).group(1))
    assert "Nothing was saved as final" in line
    checkpoint = out / "training" / "checkpoint.npz"
    if step > 1:
        assert f"last good checkpoint (step {step - 1})" in line
        with np.load(checkpoint) as saved:
            assert json.loads(str(saved["state"]))["global_step"] == step - 1
            assert all(np.isfinite(saved[k]).all() for k in saved.files if k != "state")
    else:
        assert not checkpoint.exists()
    assert not os.path.exists(out / "model.safetensors")
    state = json.load(open(out / "training" / "state.json")) if step > 1 else {}
    assert not state.get("complete")


# -- 9: sequence length above the position table ----------------------------
@pytest.mark.traceback
def test_max_seq_length_above_max_position_embeddings_is_refused_up_front(
        data, tmp_path, capsys):
    _, base, train, dev = data
    out = tmp_path / "out"
    args = finetune_command(base, train, dev, out)
    args[args.index("--max-seq-length") + 1] = "65"
    assert main(args) == 2
    assert "--max-seq-length 65 exceeds the model's max_position_embeddings (64)" in \
        one_error_line(capsys)
    assert not os.path.exists(out)


# -- 10: one label value ------------------------------------------------------
@pytest.mark.silently_wrong
def test_training_file_with_a_single_label_is_refused(data, tmp_path, capsys):
    _, base, _, _ = data
    own = tmp_path / "own.csv"
    own.write_text("text,stars\n" + "good movie,pos\n" * 8)
    assert main(["finetune", base, "--text-column", "text", "--label-column", "stars",
                 "--train", str(own), "--out", str(tmp_path / "a"), *FAST]) == 2
    assert "every training label is 'pos'" in one_error_line(capsys)
    sst2 = tmp_path / "sst2.tsv"
    sst2.write_text("sentence\tlabel\n" + "good movie\t1\n" * 8)
    assert main(["finetune", base, "--task", "sst2", "--train", str(sst2),
                 "--out", str(tmp_path / "b"), *FAST]) == 2
    assert "every training label is 'positive'" in one_error_line(capsys)
    assert not os.path.exists(tmp_path / "a") and not os.path.exists(tmp_path / "b")


# -- 12: evaluate with another task -------------------------------------------
@pytest.mark.silently_wrong
def test_evaluate_with_another_task_is_refused(data, sst2_model, capsys):
    root, _, _, dev = data
    mrpc = root / "mrpc.tsv"
    mrpc.write_text("Quality\t#1 ID\t#2 ID\t#1 String\t#2 String\n1\t1\t2\ta b\ta b\n")
    capsys.readouterr()
    assert main(["evaluate", str(sst2_model), "--task", "mrpc", "--data", str(mrpc)]) == 2
    assert "fine-tuned for task 'sst2', not 'mrpc'" in one_error_line(capsys)
    assert main(["evaluate", str(sst2_model), "--task", "sst2", "--data", dev, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["task"] == "sst2"


# -- 22: custom columns and the model's source --------------------------------
@pytest.mark.silently_wrong
def test_custom_columns_are_remembered_and_the_source_is_a_name(data, tmp_path, capsys):
    _, base, _, _ = data
    own = tmp_path / "reviews.csv"
    own.write_text("id,review,stars\n" + "".join(
        f"{i},{t},{s}\n" for i, (t, s) in enumerate([("good movie", "pos"),
                                                     ("bad movie", "neg")] * 6)))
    out = tmp_path / "own"
    assert main(["finetune", base, "--text-column", "review", "--label-column", "stars",
                 "--train", str(own), "--out", str(out), *FAST]) == 0
    meta = json.load(open(out / "bert_keras.json"))
    assert meta["task"]["columns"]["text_a"] == "review" and meta["source"] == base
    capsys.readouterr()
    assert main(["evaluate", str(out), "--data", str(own), "--json"]) == 0  # no flags
    assert json.loads(capsys.readouterr().out)["examples"] == 12
    assert main(["predict", str(out), "good movie", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["label"] in ("pos", "neg")


@pytest.mark.silently_wrong
def test_a_builtin_model_is_recorded_by_name_not_by_its_install_path():
    from bert_keras.training.finetune import _with_source

    md = tiny_model_dir()
    md.source = "Hugging Face checkpoint /usr/lib/python3/site-packages/some_pkg/model"
    assert _with_source(md, "minilm-l6-h384-uncased").source == "minilm-l6-h384-uncased"


# -- 24: misleading Keras warnings -------------------------------------------
@pytest.mark.traceback
def test_mean_pooling_prints_no_misleading_keras_warnings(data, tmp_path):
    from bert_keras.training.finetune import FinetuneOptions, finetune

    _, base, train, dev = data
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = finetune(base, "sst2", train, dev, tmp_path / "mean", FinetuneOptions(
            epochs=1, batch_size=4, max_seq_length=32, pooling="mean", tensorboard=False,
            verbose=0), log=lambda m: None)
    assert result["complete"]
    messages = [str(w.message) for w in caught]
    assert not [m for m in messages if "Gradients do not exist" in m or "shuffle" in m], messages
    # The frozen pooler is saved unchanged, so the model still loads anywhere.
    meta = json.load(open(tmp_path / "mean" / "bert_keras.json"))
    assert meta["task"]["pooling"] == "mean"
