"""CoNLL and CLUENER readers: IOB1 -> IOB2, documents and sentences, spans,
real-file counts (SOURCES.md), bad lines as `file:line: reason`."""

import json

import pytest

from bert_keras.data.cluener import read_cluener
from bert_keras.data.conll import TaggedSentence, read_conll, to_iob2
from bert_keras.errors import InputError, MissingFileError
from tests.conftest import shared_path


def test_iob1_to_iob2():
    assert to_iob2(["I-PER", "I-PER", "O", "I-LOC", "B-LOC", "I-LOC", "I-ORG"]) == [
        "B-PER", "I-PER", "O", "B-LOC", "B-LOC", "I-LOC", "B-ORG"]
    assert to_iob2(["B-PER", "I-PER"]) == ["B-PER", "I-PER"]   # IOB2 stays


def test_small_conll_file(tmp_path):
    path = tmp_path / "mine.txt"
    path.write_text("-DOCSTART- -X- O O\n\nJohn NNP I-PER\nSmith NNP I-PER\nran VBD O\n\n"
                    "\n-DOCSTART- -X- O O\nParis I-LOC\n", encoding="utf-8")
    sentences = read_conll(str(path))
    assert [s.words for s in sentences] == [["John", "Smith", "ran"], ["Paris"]]
    assert [s.tags for s in sentences] == [["B-PER", "I-PER", "O"], ["B-LOC"]]
    assert sentences[0].text == "John Smith ran"
    assert sentences[0].spans == [(0, 4), (5, 10), (11, 14)]


@pytest.mark.parametrize("content, message", [
    ("John B-PER\nalone\n", r"mine.txt:2: expected a word and a tag"),
    ("John PERSON\n", r"mine.txt:1: tag 'PERSON' is not O, B-TYPE or I-TYPE"),
])
def test_bad_conll_lines(tmp_path, content, message):
    path = tmp_path / "mine.txt"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        read_conll(str(path))


def test_missing_file(tmp_path):
    with pytest.raises(MissingFileError):
        read_conll(str(tmp_path / "none.txt"))


def test_real_conll2003_counts():
    """SOURCES.md: dev 3,250 sentences, 51,362 tokens, 5,942 entities."""
    dev = read_conll(shared_path("CoNLL-2003", "dev.txt"))
    assert len(dev) == 3250 and sum(len(s.words) for s in dev) == 51362
    assert sum(t.startswith("B-") for s in dev for t in s.tags) == 5942
    assert dev[0].words[:3] == ["CRICKET", "-", "LEICESTERSHIRE"]
    assert dev[0].tags[:3] == ["O", "O", "B-ORG"]


def _cluener(tmp_path, rows):
    path = tmp_path / "c.json"
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)
                              for r in rows), encoding="utf-8")
    return str(path)


def test_small_cluener_file(tmp_path):
    path = _cluener(tmp_path, [
        {"text": "彭小军在台湾", "label": {"name": {"彭小军": [[0, 2]]}, "address": {"台湾": [[4, 5]]}}},
        {"text": "没有", "label": {}},
    ])
    first, second = read_cluener(path)
    assert first.words == list("彭小军在台湾") and first.text == "彭小军在台湾"
    assert first.tags == ["B-name", "I-name", "I-name", "O", "B-address", "I-address"]
    assert first.spans[4] == (4, 5) and second.tags == ["O", "O"]


def test_cluener_overlaps_keep_the_longest(tmp_path):
    path = _cluener(tmp_path, [{"text": "招商银行总行", "label": {
        "company": {"招商银行": [[0, 3]]}, "organization": {"招商银行总行": [[0, 5]]}}}])
    (sentence,) = read_cluener(path)
    assert sentence.tags == ["B-organization"] + ["I-organization"] * 5


@pytest.mark.parametrize("row, message", [
    ("{bad", r"c.json:1: not valid JSON"),
    ({"label": {}}, r"c.json:1: expected an object with a \"text\" string"),
    ({"text": "ab", "label": {"x": {"ab": [[0, 2]]}}}, r"c.json:1: span \[0, 2\] of 'ab' is outside"),
    ({"text": "ab", "label": {"x": {"b": [[0, 0]]}}}, r"c.json:1: span \[0, 0\] is 'a', not 'b'"),
])
def test_bad_cluener_lines(tmp_path, row, message):
    with pytest.raises(InputError, match=message):
        read_cluener(_cluener(tmp_path, [row]))


def test_real_cluener_dev():
    dev = read_cluener(shared_path("CLUENER", "dev.json"))
    assert len(dev) == 1343
    assert sum(t.startswith("B-") for s in dev for t in s.tags) == 3072


def test_from_words():
    s = TaggedSentence.from_words(["a", "bc"])
    assert s.text == "a bc" and s.spans == [(0, 1), (2, 4)] and s.tags == []
