"""The fine-tuning loop: it learns, pads dynamically in length buckets,
keeps the best dev checkpoint, and resumes after being killed."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from bert_keras.checkpoints.loading import build_tokenizer
from bert_keras.data.examples import Examples
from bert_keras.data.tasks import get_task
from bert_keras.training import batching
from bert_keras.training.finetune import FinetuneOptions, finetune
from tests.conftest import REPO
from tests.tiny_classifier import NEGATIVE, POSITIVE, tiny_model_dir, write_toy_sst2

FAST = dict(batch_size=4, learning_rate=2e-3, warmup_fraction=0.1, verbose=0,
            tensorboard=False, max_seq_length=32)


@pytest.fixture(scope="module")
def base():
    return tiny_model_dir()


@pytest.fixture(scope="module")
def toy():
    texts = POSITIVE + NEGATIVE
    labels = [1] * len(POSITIVE) + [0] * len(NEGATIVE)
    return Examples(texts * 2, labels=labels * 2), Examples(texts, labels=labels)


def test_learns_a_toy_task_and_saves_the_best(base, toy, tmp_path):
    train, dev = toy
    result = finetune(base, "sst2", train, dev, tmp_path / "out",
                      FinetuneOptions(epochs=6, **FAST), log=lambda m: None)
    assert result["complete"] and result["global_step"] == result["run"]["total_steps"]
    assert result["best"]["metric"] == "accuracy"
    assert result["best"]["value"] >= 90.0, result["history"]
    first = result["history"][0]["accuracy"]
    assert result["best"]["value"] > first or first >= 90.0
    # The best model is a loadable model directory; the big checkpoint is gone.
    from bert_keras.tasks.classifier import load_classifier, predict

    model, pre, task = load_classifier(str(tmp_path / "out"))
    assert predict(model, pre, task, "a very great film !")[0]["label"] == "positive"
    assert not os.path.exists(tmp_path / "out" / "training" / "checkpoint.npz")
    # Running again does not train again.
    again = finetune(base, "sst2", train, dev, tmp_path / "out",
                     FinetuneOptions(epochs=6, **FAST), log=lambda m: None)
    assert again["best"] == result["best"]


def test_bf16_xla_and_mean_pooling_run(base, toy, tmp_path):
    train, dev = toy  # all shorter than 16 tokens: one XLA shape to compile
    result = finetune(base, "sst2", train, dev, tmp_path / "bf16",
                      FinetuneOptions(epochs=1, precision="bf16", xla=True, pooling="mean",
                                      **{**FAST, "batch_size": 24}),
                      log=lambda m: None)
    assert result["complete"] and 0 <= result["best"]["value"] <= 100
    meta = json.load(open(tmp_path / "bf16" / "bert_keras.json"))
    assert meta["task"]["pooling"] == "mean"


def test_length_bucketing_and_dynamic_padding(base):
    rng = np.random.default_rng(0)
    words = ["good", "bad", "movie", "the", "plot"]
    texts = [" ".join(rng.choice(words, size=rng.integers(1, 40))) for _ in range(200)]
    enc = batching.encode(Examples(texts, labels=[0] * 200), build_tokenizer(base), 64)
    ds = batching.train_dataset(enc, 8, 64, seed=1)
    batches = list(ds)
    assert len(batches) == batching.num_batches(enc.lengths, 8, 64) == ds.cardinality()
    assert sum(len(y) for _, y in batches) == 200
    widths = []
    for x, _ in batches:
        mask = x["padding_mask"].numpy()
        lengths = mask.sum(axis=1)
        assert mask.shape[1] == lengths.max()  # padded only to the batch's longest
        bounds = [0] + batching.bucket_boundaries(64) + [64]
        bucket = np.searchsorted(bounds, lengths, side="left")
        assert len(set(bucket.tolist())) == 1  # one length bucket per batch
        widths.append(mask.shape[1])
    assert len(set(widths)) > 3
    # The same seed gives the same order (resuming relies on it).
    again = list(batching.train_dataset(enc, 8, 64, seed=1))
    np.testing.assert_array_equal(again[3][0]["token_ids"], batches[3][0]["token_ids"])


def test_refuses_to_overwrite_a_foreign_directory(base, toy, tmp_path):
    train, dev = toy
    (tmp_path / "mine.txt").write_text("keep me")
    with pytest.raises(FileExistsError, match="not a training run"):
        finetune(base, "sst2", train, dev, tmp_path, FinetuneOptions(**FAST), log=lambda m: None)
    assert (tmp_path / "mine.txt").read_text() == "keep me"


def _wait_for(path, process, timeout=240):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if os.path.exists(path):
            return True
        if process.poll() is not None:
            return False
        time.sleep(0.02)
    return False


def test_killed_run_resumes_from_last_checkpoint(tmp_path):
    base_dir = tmp_path / "base"
    tiny_model_dir(base_dir)
    train = write_toy_sst2(tmp_path / "train.tsv", repeat=40)  # 480 rows, 120 steps an epoch
    dev = write_toy_sst2(tmp_path / "dev.tsv", repeat=1)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "bert_keras.cli.main", "finetune", str(base_dir),
           "--task", "sst2", "--train", train, "--dev", dev, "--out", str(out),
           "--epochs", "3", "--batch-size", "4", "--lr", "1e-3", "--max-seq-length", "32",
           "--checkpoint-every", "5", "--no-tensorboard"]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": REPO}
    checkpoint = out / "training" / "checkpoint.npz"
    first = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        # Kill as soon as the first checkpoint exists (the run is far from done).
        assert _wait_for(checkpoint, first), first.communicate()[0].decode()[-2000:]
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    # Whatever moment the kill hit, the checkpoint on disk is whole.
    with np.load(checkpoint) as data:
        state = json.loads(str(data["state"]))
    killed_at = state["global_step"]
    assert 0 < killed_at < 360 and killed_at % 5 == 0

    second = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert second.returncode == 0, second.stderr[-3000:]
    assert f"resuming from step {killed_at} of 360" in second.stderr
    final = json.load(open(out / "training" / "state.json"))
    assert final["complete"] and final["global_step"] == 360
    assert os.path.isfile(out / "model.safetensors")
