"""Fine-tuning: it learns, pads dynamically in length buckets and keeps the
best dev checkpoint (killing and resuming: tests/training/test_runner.py)."""

import json
import os

import numpy as np
import pytest

from bert_keras.tokenization.factory import build_tokenizer
from bert_keras.data.examples import Examples
from bert_keras.data.tasks import get_task
from bert_keras.training import batching
from bert_keras.training.finetune import FinetuneOptions, finetune
from tests.tiny_classifier import NEGATIVE, POSITIVE, tiny_model_dir

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
