"""`bert-keras finetune / evaluate / predict`, in process."""

import json

import pytest

from bert_keras.cli.main import main
from tests.tiny_classifier import tiny_model_dir, write_toy_sst2


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    base = tiny_model_dir(root / "base")
    train = write_toy_sst2(root / "train.tsv", repeat=2)
    dev = write_toy_sst2(root / "dev.tsv", repeat=1)
    out = root / "out"
    code = main(["finetune", base.path, "--task", "sst2", "--train", train, "--dev", dev,
                 "--out", str(out), "--epochs", "6", "--batch-size", "4", "--lr", "2e-3",
                 "--max-seq-length", "32", "--no-tensorboard"])
    assert code == 0
    return root, out, dev


def test_finetune_writes_a_model_dir(trained, capsys):
    _, out, _ = trained
    meta = json.load(open(out / "bert_keras.json"))
    assert meta["task"]["task_name"] == "sst2" and meta["task"]["sequence_length"] == 32


def test_evaluate_json(trained, capsys):
    _, out, dev = trained
    capsys.readouterr()
    assert main(["evaluate", str(out), "--data", dev, "--json"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    metrics = json.loads(lines[0])
    assert metrics["task"] == "sst2" and metrics["examples"] == 12
    assert 0.9 <= metrics["accuracy"] <= 1.0  # a fraction, as metric libraries report


def test_predict(trained, capsys):
    _, out, _ = trained
    capsys.readouterr()
    assert main(["predict", str(out), "a very great film !", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["label"] == "positive" and len(result["probabilities"]) == 2
    assert main(["predict", str(out), "the acting is very bad"]) == 0
    assert capsys.readouterr().out.startswith("negative\t")
    assert main(["predict", str(out), "a", "b"]) == 2
    assert "single sentences" in capsys.readouterr().err


def test_bad_data_is_a_clear_error(trained, capsys, tmp_path):
    _, out, _ = trained
    bad = tmp_path / "bad.tsv"
    bad.write_text("sentence\tlabel\ngood movie\t1\nbad movie\tpositive\n")
    assert main(["evaluate", str(out), "--data", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.tsv:3: label 'positive' is not one of ['0', '1']" in err
    assert main(["evaluate", str(out), "--data", str(bad), "--skip-bad-rows", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["skipped_rows"] == 1
    assert main(["evaluate", str(out), "--data", str(tmp_path / "missing.tsv")]) == 2
    assert "missing.tsv" in capsys.readouterr().err


def test_finetune_refuses_unknown_task_and_plain_predict(trained, capsys):
    root, out, dev = trained
    assert main(["finetune", str(root / "base"), "--task", "nope", "--train", dev,
                 "--out", str(root / "x")]) == 2
    assert "unknown task 'nope'" in capsys.readouterr().err
    assert main(["predict", str(root / "base"), "hello"]) == 2
    assert "not a fine-tuned classifier" in capsys.readouterr().err


def test_custom_columns(trained, capsys, tmp_path):
    root, _, _ = trained
    data = tmp_path / "reviews.csv"
    data.write_text("text,stars\n" + "".join(
        f"{t},{s}\n" for t, s in [("good movie", "pos"), ("bad movie", "neg")] * 6))
    out = tmp_path / "custom"
    assert main(["finetune", str(root / "base"), "--text-column", "text",
                 "--label-column", "stars", "--train", str(data), "--dev", str(data),
                 "--out", str(out), "--epochs", "1", "--batch-size", "4",
                 "--max-seq-length", "16", "--no-tensorboard"]) == 0
    meta = json.load(open(out / "bert_keras.json"))
    assert meta["task"]["labels"] == ["neg", "pos"] and meta["task"]["task_name"] == "custom"
    capsys.readouterr()
    assert main(["evaluate", str(out), "--data", str(data), "--text-column", "text",
                 "--label-column", "stars", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["examples"] == 12
