"""The QA task kind: registered names and aliases, settings, and the
round trip through the `task` entry of `bert_keras.json`."""

import json

import pytest


def _tasks():
    # Imported here, not at collection: registering QA tasks while
    # test_tasks.py collects would add them to its classification cases.
    from bert_keras.data import qa_tasks
    from bert_keras.data.tasks import get_task, task_from_dict

    return qa_tasks, get_task, task_from_dict


@pytest.mark.parametrize("name,alias", [("squad", "squad1.1"), ("squad", "SQuAD-v1.1"),
                                        ("cmrc2018", "cmrc")])
def test_names_and_aliases(name, alias):
    _, get_task, _ = _tasks()
    assert get_task(alias) is get_task(name)
    task = get_task(name)
    assert task.type == "qa" and task.main_metric == "f1"
    assert (task.sequence_length, task.doc_stride, task.max_query_length,
            task.max_answer_length, task.n_best) == (384, 128, 64, 30, 20)


@pytest.mark.parametrize("name", ["squad", "cmrc2018"])
def test_round_trip_through_bert_keras_json(name):
    _, get_task, task_from_dict = _tasks()
    task = get_task(name).with_settings(sequence_length=256, doc_stride=64,
                                        max_query_length=32, max_answer_length=20, n_best=10)
    stored = json.loads(json.dumps(task.to_dict()))
    assert stored["type"] == "qa" and stored["task_name"] == name and stored["format"] == 2
    assert {k: stored[k] for k in ("sequence_length", "doc_stride", "max_query_length",
                                   "max_answer_length", "n_best")} == \
        {"sequence_length": 256, "doc_stride": 64, "max_query_length": 32,
         "max_answer_length": 20, "n_best": 10}
    assert task_from_dict(stored) == task
    assert stored["language"] == ("zh" if name == "cmrc2018" else "en")


def test_unregistered_name_and_contract_entry_without_metric():
    qa_tasks, _, task_from_dict = _tasks()
    # The serving export's contract entry has no "metric": it follows the language.
    entry = {"format": 2, "type": "qa", "task_name": "my_qa", "language": "zh",
             "sequence_length": 128, "doc_stride": 32, "max_query_length": 16,
             "max_answer_length": 30, "n_best": 20}
    task = task_from_dict(entry)
    assert isinstance(task, qa_tasks.QATask)
    assert (task.name, task.metric, task.sequence_length) == ("my_qa", "cmrc2018", 128)
    assert task_from_dict(task.to_dict()) == task


def test_bad_settings_and_entries_are_clear_errors():
    _, get_task, task_from_dict = _tasks()
    with pytest.raises(ValueError, match="windows must move forward"):
        get_task("squad").with_settings(sequence_length=128, doc_stride=128)
    with pytest.raises(ValueError, match="has no setting pooling"):
        get_task("squad").with_settings(pooling="mean")
    with pytest.raises(ValueError, match="malformed task entry"):
        task_from_dict({"type": "qa", "doc_stride": 3})


def test_scores_use_the_task_metric():
    _, get_task, _ = _tasks()
    assert get_task("squad").scores({"q": "the Broncos"}, {"q": ["Broncos"]})["exact_match"] \
        == 100.0
    assert get_task("cmrc2018").scores({"q": "北京市"}, {"q": ["北京"]}) == \
        {"exact_match": 0.0, "f1": 80.0}
