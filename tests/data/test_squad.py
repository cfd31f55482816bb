"""SQuAD-format reader: both real files, CMRC 2018's misplaced answers, and
bad files failing with `file: article/paragraph/question: reason`."""

import json

import pytest

from bert_keras.data.squad import read_squad
from bert_keras.errors import InputError, MissingFileError
from tests.conftest import shared_path


def _write(tmp_path, obj, name="data.json"):
    path = tmp_path / name
    path.write_text(obj if isinstance(obj, str) else json.dumps(obj), encoding="utf-8")
    return str(path)


def _squad(context="The cat sat.", answers=({"text": "cat", "answer_start": 4},), **qa):
    qa = {"id": "q1", "question": "Who sat?", "answers": list(answers), **qa}
    return {"version": "1.1", "data": [{"title": "T", "paragraphs": [
        {"context": context, "qas": [qa]}]}]}


def test_small_file(tmp_path):
    data = read_squad(_write(tmp_path, _squad()))
    (example,) = data.examples
    assert (example.id, example.question, example.context, example.title) == (
        "q1", "Who sat?", "The cat sat.", "T")
    assert example.answers[0].text == "cat" and example.answers[0].start == 4
    assert example.answers[0].end == 7
    assert data.version == "1.1" and data.moved_answers == data.unplaced_answers == 0


def test_misplaced_answers_are_moved_or_unplaced(tmp_path):
    path = _write(tmp_path, _squad(context="a cat and a cat", answers=[
        {"text": "cat", "answer_start": 11}, {"text": "cat", "answer_start": -1},
        {"text": "dog", "answer_start": 0}]))
    data = read_squad(path)
    assert [a.start for a in data.examples[0].answers] == [12, 2, None]
    assert data.moved_answers == 2 and data.unplaced_answers == 1


@pytest.mark.parametrize("obj, message", [
    ("{not json", r"data.json:1: not valid JSON"),
    ([1, 2], r"data.json: expected a JSON object with a \"data\" list"),
    ({"data": [{"title": "x"}]}, r"data.json: article 0: missing \"paragraphs\""),
    ({"data": [{"paragraphs": [{"qas": []}]}]},
     r"data.json: article 0/paragraph 0: missing \"context\""),
    (_squad(question=None), r"article 0/paragraph 0/question 0: \"question\" should be str"),
    (_squad(answers=[{"text": "cat"}]),
     r"article 0/paragraph 0/question 0 \(q1\)/answer 0: missing \"answer_start\""),
    (_squad(answers=[{"text": "cat", "answer_start": "4"}]), r"\"answer_start\" should be int"),
])
def test_bad_files(tmp_path, obj, message):
    with pytest.raises(InputError, match=message):
        read_squad(_write(tmp_path, obj))


def test_duplicate_ids(tmp_path):
    obj = _squad()
    obj["data"][0]["paragraphs"].append(obj["data"][0]["paragraphs"][0])
    with pytest.raises(InputError, match=r"article 0/paragraph 1/question 0: duplicate question id 'q1'"):
        read_squad(_write(tmp_path, obj))


def test_missing_file(tmp_path):
    with pytest.raises(MissingFileError):
        read_squad(str(tmp_path / "nope.json"))


def test_real_squad_split():
    data = read_squad(shared_path("SQuAD", "train-split-v1.1.json"))
    assert len(data.examples) == 5696
    assert data.moved_answers == data.unplaced_answers == 0
    for example in data.examples:
        for answer in example.answers:
            assert example.context[answer.start:answer.end] == answer.text


def test_real_cmrc2018_dev():
    """As SOURCES.md counts them: 193 answers not in the context, 7 off by a
    few characters."""
    data = read_squad(shared_path("CMRC2018", "cmrc2018_dev.json"))
    assert len(data.examples) == 3219
    assert data.unplaced_answers == 193 and data.moved_answers == 7
    placed = [(e, a) for e in data.examples for a in e.answers if a.start is not None]
    assert len(placed) == 9657 - 193
    assert all(e.context[a.start:a.end] == a.text for e, a in placed)
