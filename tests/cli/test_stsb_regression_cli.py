"""STS-B regression end to end through the CLI on a tiny model and a small
slice of the real data: finetune -> evaluate --json -> predict."""

import io
import json
import sys

import numpy as np
import pytest

from bert_keras.cli.main import main
from bert_keras.training.metrics import pearson, spearman
from tests.conftest import shared_path
from tests.tiny_classifier import tiny_model_dir


def _slice(src, dst, start, n):
    with open(src, encoding="utf-8") as f:
        header, *rows = f.read().splitlines()
    dst.write_text("\n".join([header] + rows[start:start + n]) + "\n", encoding="utf-8")
    columns = header.split("\t")
    a, b, s = (columns.index(c) for c in ("sentence1", "sentence2", "score"))
    rows = [r.split("\t") for r in rows[start:start + n]]
    return [r[a] for r in rows], [r[b] for r in rows], [float(r[s]) for r in rows]


@pytest.fixture(scope="module")
def trained(tmp_path_factory, uncased_vocab):
    from bert_keras.tokenization.vocab import load_vocab

    root = tmp_path_factory.mktemp("stsb")
    train, dev = root / "train.tsv", root / "dev.tsv"
    _slice(shared_path("STS-B", "train.tsv"), train, 0, 96)
    dev_rows = _slice(shared_path("STS-B", "dev.tsv"), dev, 0, 40)
    base = tiny_model_dir(root / "base", vocab=load_vocab(uncased_vocab))
    out = root / "out"
    assert main(["finetune", base.path, "--task", "stsb", "--train", str(train),
                 "--dev", str(dev), "--out", str(out), "--epochs", "2", "--batch-size", "16",
                 "--lr", "1e-3", "--max-seq-length", "32", "--no-tensorboard"]) == 0
    return out, dev, dev_rows


def test_finetune_stores_a_regression_task(trained):
    out, _, _ = trained
    task = json.load(open(out / "bert_keras.json"))["task"]
    assert task["task_name"] == "stsb" and task["type"] == "regression"
    assert task["num_classes"] == 1 and task["pair"]


def test_evaluate_json_agrees_with_predict(trained, capsys, monkeypatch):
    out, dev, (first, second, gold) = trained
    capsys.readouterr()
    assert main(["evaluate", str(out), "--data", str(dev), "--json"]) == 0
    metrics = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert metrics["task"] == "stsb" and metrics["examples"] == 40
    assert set(metrics) >= {"pearson", "spearman"}

    pairs = "".join(f"{a}\t{b}\n" for a, b in zip(first, second))
    monkeypatch.setattr(sys, "stdin", io.StringIO(pairs))
    assert main(["predict", str(out), "-", "--json"]) == 0
    scores = [r["score"] for r in json.loads(capsys.readouterr().out)]
    assert len(scores) == 40 and np.std(scores) > 0 and np.all(np.isfinite(scores))
    # evaluate's metrics (fractions, as metric libraries report them) are
    # those of predict's scores against the gold ones
    assert metrics["pearson"] == pytest.approx(pearson(gold, scores), abs=5e-4)
    assert metrics["spearman"] == pytest.approx(spearman(gold, scores), abs=5e-4)


def test_predict_pair_and_refuses_single(trained, capsys):
    out, _, _ = trained
    capsys.readouterr()
    assert main(["predict", str(out), "A man is playing a guitar.",
                 "Someone plays the guitar.", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {"score"} and np.isfinite(result["score"])
    assert main(["predict", str(out), "only one sentence"]) == 2
    assert "takes sentence pairs" in capsys.readouterr().err
