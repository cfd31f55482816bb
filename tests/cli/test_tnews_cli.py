"""Chinese end to end through the CLI: a Google-format (TF1) checkpoint with
the Chinese vocabulary is converted, pretrained further on TNEWS titles,
fine-tuned on a TNEWS slice, evaluated and used to predict."""

import json

import numpy as np
import pytest

from bert_keras.cli.main import main
from bert_keras.tokenization import load_vocab
from tests.conftest import shared_path
from tests.reference.tf1_checkpoint import (
    GOOGLE_CONFIG, random_tf1_weights, write_tf1_checkpoint)

TRAIN_ROWS = 240


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    vocab_file = shared_path("vocab", "chinese_L-12_H-768_A-12", "vocab.txt")
    lines = open(shared_path("TNEWS", "dev.json"), encoding="utf-8").read().splitlines()
    root = tmp_path_factory.mktemp("tnews")
    train, dev = root / "train.json", root / "dev.json"
    train.write_text("\n".join(lines[:TRAIN_ROWS]) + "\n", encoding="utf-8")
    dev.write_text("\n".join(lines[TRAIN_ROWS:TRAIN_ROWS + 60]) + "\n", encoding="utf-8")
    titles = root / "titles.txt"  # one title a document, split in two "sentences"
    with open(titles, "w", encoding="utf-8") as f:
        for line in lines[:TRAIN_ROWS]:
            title = json.loads(line)["sentence"]
            half = len(title) // 2
            f.write(f"{title[:half]}\n{title[half:]}\n\n")

    vocab = load_vocab(vocab_file)
    config = dict(GOOGLE_CONFIG, vocab_size=len(vocab), max_position_embeddings=64)
    google = write_tf1_checkpoint(str(root / "chinese_L-2_H-64_A-4"), config,
                                  random_tf1_weights(config), vocab)
    converted, pretrained, out = root / "converted", root / "pretrained", root / "out"
    assert main(["convert", google, str(converted)]) == 0
    assert main(["pretrain", "--corpus", str(titles), "--init-from", str(converted),
                 "--out", str(pretrained), "--steps", "6", "--batch-size", "8",
                 "--seq-length", "48", "--checkpoint-every", "3", "--quiet"]) == 0
    # No --dev: the model written is the last one (with --dev, the best on dev).
    assert main(["finetune", str(pretrained), "--task", "tnews", "--train", str(train),
                 "--out", str(out), "--epochs", "12",
                 "--batch-size", "16", "--lr", "3e-3", "--max-seq-length", "48",
                 "--no-tensorboard"]) == 0
    return root, out, train, dev, vocab


def test_pretrained_model_keeps_the_chinese_vocabulary(run):
    root, _, _, _, vocab = run
    assert load_vocab(str(root / "pretrained" / "vocab.txt")) == vocab
    meta = json.load(open(root / "pretrained" / "bert_keras.json"))
    assert meta["config"]["vocab_size"] == len(vocab)


def test_learns_the_training_titles(run, capsys):
    _, out, train, dev, _ = run
    capsys.readouterr()
    assert main(["evaluate", str(out), "--data", str(dev), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["examples"] == 60
    assert main(["evaluate", str(out), "--data", str(train), "--json"]) == 0
    metrics = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    labels = [json.loads(line)["label"] for line in open(train, encoding="utf-8")]
    majority = max(np.unique(labels, return_counts=True)[1]) / len(labels)
    assert metrics["task"] == "tnews" and metrics["examples"] == TRAIN_ROWS
    # 15 classes; fitting the titles is only possible if the Chinese
    # characters reach the model as distinct tokens.
    assert metrics["accuracy"] > majority + 0.2, (metrics, majority)


def test_predict_a_title(run, capsys):
    from bert_keras.data.clue import TNEWS_NAMES

    out = run[1]
    capsys.readouterr()
    assert main(["predict", str(out), "苹果发布新款手机，芯片性能大幅提升", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["label"] in TNEWS_NAMES
    assert len(result["probabilities"]) == 15
    assert sum(result["probabilities"]) == pytest.approx(1.0, abs=1e-3)
