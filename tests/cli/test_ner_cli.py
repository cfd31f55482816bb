"""NER from the command line: finetune (`--task ner --format conll`) ->
evaluate --json -> predict (TEXT, `-`, --input, --json; a blank line is an
error record and exit 1); bad input is one `error:` line with exit 2 (a
malformed CoNLL line as `file:line: reason`, a dev tag the training file
never uses); a SIGKILLed NER run resumes to the same model; the end-to-end
F1 equals seqeval's on the same predictions (when seqeval is installed)."""

import io
import json
import os
import subprocess
import sys

import pytest

from bert_keras.cli.main import main
from bert_keras.training.runner import KILL_AT_STEP_ENV
from tests.conftest import REPO
from tests.tiny_classifier import tiny_model_dir
from tests.tiny_ner import NER_VOCAB, toy_sentences, write_conll

FAST = ["--epochs", "3", "--batch-size", "8", "--lr", "3e-3", "--max-seq-length", "32",
        "--dropout", "0", "--no-tensorboard"]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("ner-cli")
    base = tiny_model_dir(root / "base", vocab=NER_VOCAB).path
    train = write_conll(root / "train.txt", toy_sentences(96, 0), iob1=True)
    dev = write_conll(root / "dev.txt", toy_sentences(24, 1))
    out = root / "ner"
    assert main(["finetune", base, "--task", "ner", "--format", "conll", "--train", train,
                 "--dev", dev, "--out", str(out), *FAST]) == 0
    return root, base, train, dev, str(out)


def error_line(capsys):
    err = capsys.readouterr().err.strip().splitlines()
    errors = [line for line in err if line.startswith("error: ")]
    assert len(errors) == 1 and "Traceback" not in "\n".join(err), err
    return errors[0]


def test_evaluate_json(trained, capsys):
    _, _, _, dev, out = trained
    capsys.readouterr()
    assert main(["evaluate", out, "--data", dev, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["task"] == "ner" and result["examples"] == 24
    assert set(result) == {"task", "examples", "f1", "precision", "recall", "per_type"}
    assert set(result["per_type"]) == {"PER", "LOC", "ORG"}
    assert 0.9 <= result["f1"] <= 1.0  # fractions; the toy task is learnt
    assert main(["evaluate", out, "--data", dev]) == 0
    text = capsys.readouterr().out
    assert "f1: " in text and "f1 per type: LOC" in text


def test_predict_text_and_json(trained, capsys):
    out = trained[4]
    text = "Mary  Smith works for ACME."
    capsys.readouterr()
    assert main(["predict", out, text]) == 0
    lines = capsys.readouterr().out.splitlines()
    fields = [line.split("\t") for line in lines]
    assert [f[0] for f in fields] == ["PER", "ORG"]
    for kind, word, start, end, score in fields:
        assert text[int(start):int(end)] == word and 0 < float(score) <= 1
    assert fields[0][1] == "Mary  Smith"   # the original text, its two spaces kept
    assert main(["predict", out, text, "--json"]) == 0
    entities = json.loads(capsys.readouterr().out)
    assert [(e["entity"], e["word"]) for e in entities] == [("PER", "Mary  Smith"),
                                                              ("ORG", "ACME")]


def test_predict_lines_one_record_each_in_order(trained, capsys, monkeypatch, tmp_path):
    out = trained[4]
    lines = ["John lives in Paris.", "", "lives in", "the Rome met Anna at Globex"]
    path = tmp_path / "in.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["predict", out, "--input", str(path), "--json"]) == 1
    captured = capsys.readouterr()
    records = json.loads(captured.out)
    assert len(records) == 4
    assert [e["word"] for e in records[0]] == ["John", "Paris"]
    assert records[1] == {"line": 2, "error": "blank line: nothing to tag"}
    assert records[2] == []
    assert [e["entity"] for e in records[3]] == ["LOC", "PER", "ORG"]
    assert "1 of 4 lines could not be tagged" in captured.err
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(lines) + "\n"))
    assert main(["predict", out, "-"]) == 1
    # Text: each record's entity lines, then an empty line.
    expected = ""
    for r in records:
        if "error" in r:
            expected += f"error\tline {r['line']}: {r['error']}\n"
        else:
            expected += "".join(f"{e['entity']}\t{e['word']}\t{e['start']}\t{e['end']}\t"
                                f"{e['score']:.4f}\n" for e in r)
        expected += "\n"
    assert capsys.readouterr().out == expected


def test_malformed_conll_line_is_file_line_reason(trained, tmp_path, capsys):
    _, base, train, _, _ = trained
    bad = tmp_path / "bad.txt"
    bad.write_text("John NNP O B-PER\nlives\n", encoding="utf-8")
    assert main(["finetune", base, "--task", "ner", "--format", "conll", "--train", str(bad),
                 "--out", str(tmp_path / "o"), *FAST]) == 2
    assert error_line(capsys) == (f"error: {bad}:2: expected a word and a tag, got 'lives'")
    assert not os.path.exists(tmp_path / "o")  # nothing written


def test_dev_tag_unknown_to_training(trained, tmp_path, capsys):
    _, base, train, _, out = trained
    dev = write_conll(tmp_path / "dev.txt", [(["Acme", "Corp"], ["B-ORG", "I-ORG"])])
    assert main(["finetune", base, "--task", "ner", "--format", "conll", "--train", train,
                 "--dev", dev, "--out", str(tmp_path / "o"), *FAST]) == 2
    line = error_line(capsys)
    assert f"{dev}: sentence 1 ('Acme Corp'): tag 'I-ORG'" in line
    assert "the training file never uses it" in line
    assert main(["evaluate", out, "--data", dev]) == 2
    assert "tag 'I-ORG'" in error_line(capsys)


def test_flags_that_do_not_fit(trained, tmp_path, capsys):
    _, base, train, dev, out = trained
    args = ["finetune", base, "--train", train, "--out", str(tmp_path / "o"), *FAST]
    assert main([*args, "--task", "conll2003", "--format", "tsv"]) == 2
    assert "--format tsv does not fit task 'conll2003' (ner)" in error_line(capsys)
    assert main([*args, "--task", "cluener", "--format", "conll"]) == 2
    assert "--format conll does not fit task 'cluener'" in error_line(capsys)
    assert main([*args, "--task", "sst2", "--format", "conll"]) == 2
    assert "--format conll does not fit task 'sst2'" in error_line(capsys)
    assert main(["evaluate", out, "--data", dev, "--task", "conll2003"]) == 2
    assert "fine-tuned for task 'ner', not 'conll2003'" in error_line(capsys)
    assert main(["predict", out, "a", "b"]) == 2
    assert "tags single texts" in error_line(capsys)


def test_f1_equals_seqeval(trained):
    seqeval = pytest.importorskip("seqeval.metrics")
    from bert_keras.data.conll import read_conll
    from bert_keras.tasks.token_classification import load_token_classifier

    _, _, _, _, out = trained
    ner = load_token_classifier(out)
    # Sentences the toy model has not seen, some with unseen words: errors.
    sentences = read_conll(write_conll(os.path.join(os.path.dirname(out), "mixed.txt"),
                                       toy_sentences(40, 7) + [
        (["Smith", "lives", "in", "Acme"], ["B-PER", "O", "O", "B-LOC"]),
        (["Paris", "Smith", "visited", "Rome"], ["B-PER", "I-PER", "O", "B-LOC"])]))
    tags, _ = ner._word_predictions(sentences)
    gold = [s.tags for s in sentences]
    ours = ner.evaluate(sentences)
    assert ours["f1"] == pytest.approx(100 * seqeval.f1_score(gold, tags))
    assert ours["precision"] == pytest.approx(100 * seqeval.precision_score(gold, tags))
    assert ours["recall"] == pytest.approx(100 * seqeval.recall_score(gold, tags))


def test_killed_ner_run_resumes_to_the_same_model(tmp_path):
    """Mirrors the classification test in tests/training/test_runner.py."""
    from tests.training.test_runner import assert_same_weights

    base = tiny_model_dir(tmp_path / "base", vocab=NER_VOCAB).path
    train = write_conll(tmp_path / "train.txt", toy_sentences(80, 0))  # 20 steps of 4
    dev = write_conll(tmp_path / "dev.txt", toy_sentences(8, 1))

    def run(out, kill_at=None):
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": REPO}
        env.pop(KILL_AT_STEP_ENV, None)
        if kill_at is not None:
            env[KILL_AT_STEP_ENV] = str(kill_at)
        return subprocess.run(
            [sys.executable, "-m", "bert_keras.cli.main", "finetune", base, "--task", "ner",
             "--format", "conll", "--train", train, "--dev", dev, "--out", str(out),
             "--epochs", "1", "--batch-size", "4", "--lr", "1e-3", "--max-seq-length", "16",
             "--checkpoint-every", "5", "--dropout", "0", "--no-tensorboard"],
            env=env, capture_output=True, text=True, timeout=600)

    killed = run(tmp_path / "out", kill_at=12)
    assert killed.returncode == -9, killed.stderr[-2000:]
    assert os.path.isfile(tmp_path / "out" / "training" / "checkpoint.npz")
    resumed = run(tmp_path / "out")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "resuming from step 10 of 20" in resumed.stderr
    whole = run(tmp_path / "whole")
    assert whole.returncode == 0, whole.stderr[-3000:]
    assert_same_weights(tmp_path / "out", tmp_path / "whole")
