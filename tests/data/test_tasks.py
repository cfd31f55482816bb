"""The task object round-trips through `bert_keras.json` (`to_dict` /
`from_dict`), reads task entries of the previous format, and refuses
malformed ones."""

import json

import pytest

from bert_keras.data.tasks import TASKS, Task, custom_task, get_task, task_from_dict


@pytest.mark.parametrize("name", sorted(TASKS))
def test_registered_tasks_round_trip(name):
    task = get_task(name).with_settings(sequence_length=64, pooling="mean")
    stored = json.loads(json.dumps(task.to_dict()))  # as written to bert_keras.json
    again = task_from_dict(stored)
    assert again == task
    assert again.reader is TASKS[name].reader  # reads data like the original


@pytest.mark.parametrize("task", [
    custom_task("review", label="stars", labels=["neg", "pos"]),
    custom_task("a", "b", "same", labels=["0", "1"], fmt="csv"),
    custom_task(0, None, 1, labels=["x", "y", "z"], header=False),  # headerless, by index
    custom_task("text", label="score", regression=True, fmt="jsonl"),
])
def test_custom_tasks_remember_their_columns(task, tmp_path):
    again = Task.from_dict(json.loads(json.dumps(task.to_dict())))
    assert again == task and again.columns == task.columns and again.readable
    assert again.pair == task.pair and again.regression == task.regression
    if task.columns == custom_task("review", label="stars", labels=["neg", "pos"]).columns:
        data = tmp_path / "reviews.tsv"
        data.write_text("review\tstars\ngood\tpos\nbad\tneg\n")
        assert again.read(str(data)).labels == [1, 0]


def test_previous_format_is_read():
    old = {"type": "classification", "num_classes": 2, "labels": ["negative", "positive"],
           "pair": False, "sequence_length": 32, "task_name": "sst2",
           "metrics": ["accuracy"], "pooling": "mean"}
    task = task_from_dict(old)
    assert task.name == "sst2" and task.sequence_length == 32 and task.pooling == "mean"
    assert task.display_labels == ["negative", "positive"] and task.readable
    # A custom task of the previous format has no columns: it needs the flags.
    custom = task_from_dict({**old, "task_name": "custom", "labels": ["neg", "pos"],
                             "metrics": ["accuracy", "f1"]})
    assert custom.labels == ("neg", "pos") and not custom.readable
    # Old readers of the task dict keep working on the new format.
    new = get_task("mrpc").to_dict(128)
    assert {k: new[k] for k in old if k != "pooling"} == {
        "type": "classification", "num_classes": 2,
        "labels": ["not_equivalent", "equivalent"], "pair": True, "sequence_length": 128,
        "task_name": "mrpc", "metrics": ["f1", "accuracy"]}


@pytest.mark.parametrize("entry, message", [
    ({"type": "squad"}, "unknown task type 'squad'"),
    ("sst2", "unknown task type 'sst2'"),
    ({"type": "classification"}, "malformed task entry"),
    ({"type": "classification", "task_name": "sst2", "num_classes": 3},
     "task 'sst2' has 2 classes but the model predicts 3"),
])
def test_bad_entries_are_refused(entry, message):
    with pytest.raises(ValueError, match=message):
        task_from_dict(entry, "m/bert_keras.json")


def test_docstring_examples():
    import doctest

    from bert_keras.data import tasks

    result = doctest.testmod(tasks, verbose=False)
    assert result.attempted > 0 and result.failed == 0
