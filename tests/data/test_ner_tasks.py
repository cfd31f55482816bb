"""The NER task kind: registered names and aliases, labels ("O" first),
the `task` entry of the model directory (the contract) round-tripping,
tag checks that name the file."""

import pytest

from bert_keras.data.conll import TaggedSentence
from bert_keras.data.tasks import get_task, task_from_dict
from bert_keras.errors import InputError


def test_registered_tasks_and_aliases():
    conll = get_task("conll")
    assert conll is get_task("CoNLL2003") and conll.type == "ner"
    assert conll.labels == ("O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC",
                            "B-MISC", "I-MISC")
    cluener = get_task("cluener")
    assert cluener.labels[0] == "O" and len(cluener.labels) == 21
    assert cluener.word_split == "characters" and cluener.reader == "cluener"
    assert get_task("ner").labels is None and get_task("ner").main_metric == "f1"


@pytest.mark.parametrize("name", ["conll2003", "cluener", "ner"])
def test_round_trip_through_the_task_entry(name):
    task = get_task(name)
    if task.labels is None:
        task = task.with_labels(["O", "B-X", "I-X"])
    task = task.with_settings(sequence_length=64)
    d = task.to_dict()
    # The contract's keys (the serving export reads these).
    assert d["format"] == 2 and d["type"] == "ner" and d["task_name"] == task.name
    assert d["labels"] == list(task.labels) and d["labels"][0] == "O"
    assert d["sequence_length"] == 64
    assert task_from_dict(d) == task


def test_labels_inferred_sorted_with_o_first():
    sentences = [TaggedSentence.from_words(["a", "b", "c"], ["I-PER", "O", "B-LOC"]),
                 TaggedSentence.from_words(["d"], ["B-PER"])]
    task = get_task("ner").labels_from(sentences)
    assert task.labels == ("O", "B-LOC", "B-PER", "I-PER")
    assert get_task("conll").labels_from(sentences) is get_task("conll")


def test_unknown_tag_names_file_and_sentence():
    task = get_task("ner").with_labels(["O", "B-PER"])
    dev = [TaggedSentence.from_words(["Paris"], ["B-LOC"])]
    with pytest.raises(InputError, match=r"dev.txt: sentence 1 \('Paris'\): tag 'B-LOC' "
                                         r"\(word 'Paris'\) is not one of the model's labels"):
        task.check_tags(dev, "dev.txt")


@pytest.mark.parametrize("entry, message", [
    ({"format": 2, "type": "ner", "task_name": "ner"}, "has no labels"),
    ({"format": 2, "type": "ner", "task_name": "ner", "labels": ["B-X", "O"]},
     "must start with 'O'"),
    ({"format": 2, "type": "ner", "labels": ["O"]}, "malformed task entry"),
])
def test_bad_task_entries(entry, message):
    with pytest.raises(InputError, match=message):
        task_from_dict(entry)


def test_skip_bad_rows_is_refused():
    with pytest.raises(InputError, match="--skip-bad-rows does not apply to NER"):
        get_task("conll").read("x.txt", skip_bad_rows=True)


def test_docstring_examples():
    import doctest

    from bert_keras.data import ner_tasks
    result = doctest.testmod(ner_tasks, verbose=False)
    assert result.attempted > 0 and result.failed == 0
