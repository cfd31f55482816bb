"""NER fine-tuning on the training runner (`NerJob`): a tiny random BERT
learns a toy tagging task to high entity F1; a few steps on slices of the
real CoNLL-2003 (IOB1) and CLUENER files; bf16 with `--strategy mirrored`
over two logical CPUs; the loss ignores every token but first sub-words."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from bert_keras.training.finetune import JOBS, FinetuneOptions, finetune
from bert_keras.training.ner_job import NerJob
from tests.conftest import REPO, shared_path
from tests.tiny_classifier import tiny_model_dir
from tests.tiny_ner import NER_VOCAB, toy_sentences, write_conll

QUIET = dict(tensorboard=False, verbose=0)


def test_registered_for_task_type_ner():
    assert JOBS["ner"] is NerJob


def test_learns_a_toy_task(tmp_path):
    base = tiny_model_dir(tmp_path / "base", vocab=NER_VOCAB).path
    train = write_conll(tmp_path / "train.txt", toy_sentences(96, 0), iob1=True)
    dev = write_conll(tmp_path / "dev.txt", toy_sentences(24, 1))
    result = finetune(base, "ner", train, dev, str(tmp_path / "out"), FinetuneOptions(
        epochs=3, batch_size=8, learning_rate=3e-3, max_seq_length=32, dropout=0.0, **QUIET),
        log=lambda m: None)
    best = result["best"]
    assert best["metric"] == "f1" and best["value"] >= 90, result["history"]
    assert set(best["metrics"]) == {"f1", "precision", "recall"}
    losses = [h["loss"] for h in result["train_history"]]
    assert losses[-1] < losses[0]
    meta = json.load(open(tmp_path / "out" / "bert_keras.json"))
    assert meta["task"]["labels"] == ["O", "B-LOC", "B-ORG", "B-PER", "I-PER"]


def test_loss_is_over_first_subwords_only(tmp_path):
    """Keras' loss with ignore_class=-100 equals the mean cross-entropy of
    the labelled (first sub-word) tokens."""
    import keras

    from bert_keras.tasks.ner_features import IGNORED

    labels = np.array([[IGNORED, 1, IGNORED, 0, IGNORED], [IGNORED, 2, IGNORED, IGNORED, 0]])
    logits = np.random.default_rng(0).normal(size=labels.shape + (3,)).astype("float32")
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=IGNORED)
    rows, cols = np.nonzero(labels >= 0)
    z = logits[rows, cols]
    ce = -(z[np.arange(len(z)), labels[rows, cols]] - np.log(np.exp(z).sum(-1)))
    assert float(loss(labels, logits)) == pytest.approx(ce.mean(), rel=1e-5)


@pytest.mark.parametrize("corpus", ["conll2003", "cluener"])
def test_a_few_steps_on_real_data(corpus, tmp_path):
    from bert_keras.data.tasks import get_task
    from bert_keras.tokenization import load_vocab

    if corpus == "conll2003":
        train, dev = (shared_path("CoNLL-2003", f) for f in ("train.txt", "dev.txt"))
        vocab_file = shared_path("vocab", "uncased_L-12_H-768_A-12", "vocab.txt")
    else:
        train, dev = (shared_path("CLUENER", f) for f in ("train.json", "dev.json"))
        vocab_file = shared_path("vocab", "chinese_L-12_H-768_A-12", "vocab.txt")
    vocab = load_vocab(vocab_file)
    base = tiny_model_dir(tmp_path / "base", vocab=vocab).path
    # A dev slice: a CoNLL column file cut at a sentence boundary.
    task = get_task(corpus)
    if corpus == "conll2003":
        small_dev = write_conll(tmp_path / "dev.txt", [
            (s.words, s.tags) for s in task.read(dev)[:40]])
    else:
        small_dev = str(tmp_path / "dev.json")
        with open(dev, encoding="utf-8") as f, open(small_dev, "w", encoding="utf-8") as g:
            g.writelines(f.readlines()[:40])
    result = finetune(base, corpus, train, small_dev, str(tmp_path / "out"), FinetuneOptions(
        epochs=1, batch_size=16, learning_rate=1e-3, max_seq_length=64,
        max_train_examples=64, **QUIET), log=lambda m: None)
    assert result["complete"] and result["global_step"] == result["total_steps"] >= 4
    assert np.isfinite([h["loss"] for h in result["train_history"]]).all()
    assert 0 <= result["best"]["value"] <= 100
    meta = json.load(open(tmp_path / "out" / "bert_keras.json"))
    assert meta["task"]["task_name"] == corpus
    assert meta["task"]["labels"] == list(task.labels)
    assert meta["task"]["sequence_length"] == 64 and meta["heads"] == ["token_classifier"]


def test_bf16_mirrored_over_two_cpus(tmp_path):
    """`--precision bf16 --strategy mirrored` (two logical CPUs, a fresh
    process) trains and keeps the best model by dev F1."""
    base = tiny_model_dir(tmp_path / "base", vocab=NER_VOCAB).path
    train = write_conll(tmp_path / "train.txt", toy_sentences(64, 0))
    dev = write_conll(tmp_path / "dev.txt", toy_sentences(16, 1))
    out = tmp_path / "out"
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", CUDA_VISIBLE_DEVICES="",
               PYTHONPATH=REPO)
    worker = os.path.join(REPO, "tests", "training", "distribute_worker.py")
    proc = subprocess.run(
        [sys.executable, worker, "2", "finetune", base, "--task", "ner", "--format", "conll",
         "--train", train, "--dev", dev, "--out", str(out), "--epochs", "2",
         "--batch-size", "8", "--lr", "3e-3", "--max-seq-length", "32", "--dropout", "0",
         "--precision", "bf16", "--strategy", "mirrored", "--no-tensorboard"],
        env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    state = json.load(open(out / "training" / "state.json"))
    assert state["best"]["metric"] == "f1" and state["best"]["value"] >= 60, state["history"]
