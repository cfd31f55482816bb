"""GLUE / CLUE / generic readers: real files, quirks, and bad input."""

import json

import pytest

from bert_keras.data.examples import DataError
from bert_keras.data.tabular import read_table
from bert_keras.data.tasks import custom_task, get_task
from tests.conftest import shared_path


def write(path, text, mode="w"):
    if mode == "wb":
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("task,parts,rows,pair,first_label", [
    ("sst2", ("SST-2", "dev.tsv"), 872, False, 1),
    ("cola", ("CoLA", "dev.tsv"), 1043, False, 1),  # headerless, 4 columns
    ("mrpc", ("MRPC", "dev.tsv"), 408, True, 1),  # header with a BOM
    ("tnews", ("TNEWS", "dev.json"), 10000, False, 2),  # "102" is class 2
])
def test_real_files(task, parts, rows, pair, first_label):
    examples = get_task(task).read(shared_path(*parts))
    assert len(examples) == rows
    assert (examples.text_b is not None) == pair
    assert examples.labels[0] == first_label
    assert set(examples.labels) <= set(range(get_task(task).num_classes))
    assert all(t.strip() for t in examples.text_a)


def test_cola_sentence_column():
    ex = get_task("cola").read(shared_path("CoLA", "dev.tsv"))
    assert ex.text_a[0] == "The sailors rode the breeze clear of the rocks."


def test_mrpc_quotes_are_text():
    ex = get_task("mrpc").read(shared_path("MRPC", "dev.tsv"))
    # GLUE TSVs are unquoted: a leading quote is part of the sentence.
    assert ex.text_b[0].startswith('"The foodservice pie business')


def test_other_glue_formats(tmp_path):
    rte = write(tmp_path / "rte.tsv", "index\tsentence1\tsentence2\tlabel\n"
                "0\tA man sleeps.\tA man rests.\tentailment\n"
                "1\tA dog.\tA cat.\tnot_entailment\n")
    assert get_task("rte").read(rte).labels == [0, 1]
    stsb = write(tmp_path / "stsb.tsv",
                 "index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\tscore\n"
                 "0\tmain\tf\t2012\t1\tnone\tnone\tA plane.\tAn airplane.\t5.000\n")
    ex = get_task("stsb").read(stsb)
    assert ex.labels == [5.0] and ex.text_b == ["An airplane."]
    assert get_task("stsb").regression and get_task("stsb").num_classes == 1
    qnli = write(tmp_path / "qnli.tsv", "index\tquestion\tsentence\tlabel\n"
                 "0\tWho?\tHe did.\tentailment\n")
    assert get_task("qnli").read(qnli).text_a == ["Who?"]
    mnli = write(tmp_path / "mnli.tsv", "index\tsentence1\tsentence2\tgold_label\n"
                 "0\ta\tb\tneutral\n1\tc\td\tcontradiction\n")
    assert get_task("mnli").read(mnli).labels == [2, 0]


def test_missing_column_names_file_and_header(tmp_path):
    path = write(tmp_path / "x.tsv", "text\tlabel\nhello\t1\n")
    with pytest.raises(DataError, match=r"x.tsv:1: missing column\(s\) \['sentence'\]"):
        get_task("sst2").read(path)


def test_label_outside_label_set(tmp_path):
    path = write(tmp_path / "x.tsv", "sentence\tlabel\ngood\t1\nbad\t7\n")
    with pytest.raises(DataError, match=r"x.tsv:3: label '7' is not one of \['0', '1'\]"):
        get_task("sst2").read(path)
    ex = get_task("sst2").read(path, skip_bad_rows=True)
    assert ex.labels == [1] and ex.skipped == 1


def test_empty_file(tmp_path):
    with pytest.raises(DataError, match="empty"):
        get_task("sst2").read(write(tmp_path / "e.tsv", ""))
    with pytest.raises(DataError, match="no usable rows"):
        get_task("sst2").read(write(tmp_path / "h.tsv", "sentence\tlabel\n"))


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.tsv"):
        get_task("sst2").read(str(tmp_path / "nope.tsv"))


def test_non_utf8_line(tmp_path):
    path = write(tmp_path / "b.tsv", b"sentence\tlabel\ngood\t1\nbad \xff\xfe\t0\nok\t1\n", "wb")
    with pytest.raises(DataError, match=r"b.tsv:3: not valid UTF-8"):
        get_task("sst2").read(path)
    ex = get_task("sst2").read(path, skip_bad_rows=True)
    assert ex.text_a == ["good", "ok"] and ex.skipped == 1


def test_wrong_field_count(tmp_path):
    path = write(tmp_path / "f.tsv", "sentence\tlabel\ngood\t1\textra\n")
    with pytest.raises(DataError, match=r"f.tsv:2: has 3 fields, the header has 2"):
        get_task("sst2").read(path)


def test_headerless_short_row(tmp_path):
    path = write(tmp_path / "cola.tsv", "gj04\t1\t\tFine sentence.\nbroken\t0\n")
    with pytest.raises(DataError, match=r"cola.tsv:2: row has no column 3"):
        get_task("cola").read(path)


def test_csv_with_quotes_and_inferred_labels(tmp_path):
    path = write(tmp_path / "r.csv", 'review,stars\n"Great, really",pos\nMeh,neg\nok,pos\n')
    ex = read_table(path, text_a="review", label="stars")
    assert ex.text_a[0] == "Great, really"
    assert ex.label_values == ["neg", "pos"] and ex.labels == [1, 0, 1]


def test_jsonl_custom_task_and_bad_json(tmp_path):
    lines = [json.dumps({"q": "a?", "d": "b", "y": "yes"}), "{broken", json.dumps({"q": "c?", "d": "d", "y": "no"})]
    path = write(tmp_path / "p.jsonl", "\n".join(lines) + "\n")
    task = custom_task("q", "d", "y", labels=["no", "yes"])
    with pytest.raises(DataError, match=r"p.jsonl:2: not valid JSON"):
        task.read(path)
    ex = task.read(path, skip_bad_rows=True)
    assert ex.labels == [1, 0] and ex.text_b == ["b", "d"] and task.pair


def test_custom_task_infers_then_fixes_labels(tmp_path):
    train = write(tmp_path / "t.tsv", "text\tlabel\na\tx\nb\ty\n")
    dev = write(tmp_path / "d.tsv", "text\tlabel\na\tz\n")
    task = custom_task("text")
    ex = task.read(train)
    fixed = task.with_labels(ex.label_values)
    assert fixed.labels == ("x", "y") and fixed.num_classes == 2
    with pytest.raises(DataError, match="label 'z' is not one of"):
        fixed.read(dev)


def test_unknown_task():
    with pytest.raises(ValueError, match="unknown task 'sst3'"):
        get_task("sst3")
    assert get_task("SST-2").name == "sst2"
