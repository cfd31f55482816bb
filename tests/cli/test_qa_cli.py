"""`bert-keras finetune --task squad` -> `evaluate --json` -> `predict`
(text, --json, JSON lines, one object of lists), and the QA errors: a
malformed SQuAD file, a question without a context, bad input lines."""

import json

import pytest

from bert_keras.cli.main import main
from tests.tiny_qa import TINY_FLAGS, tiny_qa_base, write_squad_slice

CONTEXT = "The Denver Broncos defeated the Carolina Panthers 24-10 to win Super Bowl 50."


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("qa-cli")
    base = tiny_qa_base(root / "base")
    train = write_squad_slice(root / "train.json", 6)
    dev = write_squad_slice(root / "dev.json", 4, skip=6)
    out = root / "out"
    assert main(["finetune", base, "--task", "squad", "--train", train, "--dev", dev,
                 "--out", str(out), "--epochs", "1", "--batch-size", "8", "--lr", "1e-3",
                 "--max-answer-length", "10", "--no-tensorboard", *TINY_FLAGS]) == 0
    return root, out, dev


def test_finetune_stores_the_flags_in_the_task(trained):
    _, out, _ = trained
    task = json.load(open(out / "bert_keras.json"))["task"]
    assert (task["type"], task["sequence_length"], task["doc_stride"],
            task["max_query_length"], task["max_answer_length"]) == ("qa", 64, 16, 16, 10)


def test_evaluate_json_gives_fractions(trained, capsys):
    _, out, dev = trained
    capsys.readouterr()
    assert main(["evaluate", str(out), "--data", dev, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert list(result) == ["task", "examples", "exact_match", "f1"]
    assert result["task"] == "squad" and result["examples"] == 4
    assert 0.0 <= result["exact_match"] <= result["f1"] <= 1.0
    assert main(["evaluate", str(out), "--data", dev]) == 0
    text = capsys.readouterr().out
    assert "exact_match: " in text and "f1: " in text


def test_predict_text_json_and_lines(trained, capsys, tmp_path):
    _, out, _ = trained
    capsys.readouterr()
    assert main(["predict", str(out), "--question", "Who won?", "--context", CONTEXT,
                 "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert sorted(answer) == ["answer", "end", "score", "start"]
    assert CONTEXT[answer["start"]:answer["end"]] == answer["answer"]
    assert main(["predict", str(out), "--question", "Who won?", "--context", CONTEXT]) == 0
    fields = capsys.readouterr().out.rstrip("\n").split("\t")
    assert len(fields) == 4 and CONTEXT[int(fields[2]):int(fields[3])] == fields[0]
    assert main(["predict", str(out), "--question", "Who won?", "--context", CONTEXT,
                 "--top-k", "2", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 2

    long_context = " ".join([CONTEXT] * 12)   # far more than one 64-token window
    lines = tmp_path / "in.jsonl"
    lines.write_text("\n".join([
        json.dumps({"question": "Who won?", "context": CONTEXT}),
        "",
        json.dumps({"question": "Who lost?"}),
        "{not json",
        json.dumps({"question": "Who won?", "context": long_context}),
    ]) + "\n")
    assert main(["predict", str(out), "--input", str(lines), "--json"]) == 1
    records = json.loads(capsys.readouterr().out)
    assert len(records) == 5
    assert records[1] == {"line": 2, "error": "blank line: nothing to answer"}
    assert records[2] == {"line": 3, "error": 'missing "context"'}
    assert records[3]["line"] == 4 and records[3]["error"].startswith("not a JSON object")
    for record, context in ((records[0], CONTEXT), (records[4], long_context)):
        assert context[record["start"]:record["end"]] == record["answer"]
    assert main(["predict", str(out), "--input", str(lines)]) == 1
    text = capsys.readouterr().out.splitlines()
    assert len(text) == 5 and text[2] == 'error\tline 3: missing "context"'


def test_predict_one_object_of_lists_on_stdin(trained, capsys, monkeypatch):
    import io
    import sys

    _, out, _ = trained
    payload = {"question": ["Who won?", "Who lost?", 3], "context": [CONTEXT, CONTEXT, "x"]}
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(json.dumps(payload).encode())))
    capsys.readouterr()
    assert main(["predict", str(out), "-", "--json"]) == 1
    records = json.loads(capsys.readouterr().out)
    assert len(records) == 3 and records[2] == {"index": 2, "error":
                                                '"question" should be a string, got int'}
    assert all(CONTEXT[r["start"]:r["end"]] == r["answer"] for r in records[:2])


def test_question_without_context_is_one_error(trained, capsys):
    _, out, _ = trained
    capsys.readouterr()
    assert main(["predict", str(out), "--question", "Who won?"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == "error: give --context too: a question is answered from a context"
    assert main(["predict", str(out), "Who won?"]) == 2
    assert "--question Q --context C" in capsys.readouterr().err


def test_malformed_squad_file_is_one_error_line(trained, capsys, tmp_path):
    root, out, dev = trained
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"version": "1.1", "data": [{"title": "t", "paragraphs": [
        {"context": "Ann met Bob.", "qas": [
            {"id": "a", "question": "Who?", "answers": [{"text": "Bob", "answer_start": 8}]},
            {"id": "b", "answers": []}]}]}]}))
    for command in (["evaluate", str(out), "--data", str(bad)],
                    ["finetune", str(root / "base"), "--task", "squad", "--train", str(bad),
                     "--dev", dev, "--out", str(tmp_path / "never"), *TINY_FLAGS]):
        capsys.readouterr()
        assert main(command) == 2
        err = capsys.readouterr().err.strip().splitlines()
        errors = [line for line in err if line.startswith("error: ")]
        assert errors == [f'error: {bad}: article 0/paragraph 0/question 1: missing "question"'], err
    assert not (tmp_path / "never").exists()


def test_qa_flags_refused_for_classification(trained, capsys, tmp_path):
    root, _, dev = trained
    capsys.readouterr()
    assert main(["finetune", str(root / "base"), "--task", "sst2", "--train", dev,
                 "--out", str(tmp_path / "x"), "--doc-stride", "8"]) == 2
    assert "--doc-stride: only for question answering" in capsys.readouterr().err
