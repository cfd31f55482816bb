"""The task registry: a task name gives its reader, label set, whether it
takes sentence pairs, whether it is classification or regression, and the
metrics to report (the first one picks the best checkpoint).

    >>> from bert_keras.data.tasks import get_task
    >>> task = get_task("mrpc")
    >>> task.pair, task.metrics, task.display_labels
    (True, ('f1', 'accuracy'), ['not_equivalent', 'equivalent'])
"""

import dataclasses
import functools

from bert_keras.data.clue import TNEWS_LABELS, TNEWS_NAMES, read_tnews
from bert_keras.data.glue import GLUE_FORMATS, read_glue
from bert_keras.data.tabular import read_table
from bert_keras.errors import InputError


@dataclasses.dataclass(frozen=True)
class Task:
    name: str
    reader: callable  # reader(path, skip_bad_rows=False) -> Examples
    labels: tuple = None  # label values as written in the data, class order
    label_names: tuple = None  # human-readable names, same order
    pair: bool = False
    regression: bool = False
    metrics: tuple = ("accuracy",)

    @property
    def type(self):
        return "regression" if self.regression else "classification"

    @property
    def num_classes(self):
        return 1 if self.regression else len(self.labels)

    @property
    def display_labels(self):
        names = self.label_names or self.labels
        return None if names is None else list(names)

    @property
    def main_metric(self):
        return self.metrics[0]

    def read(self, path, skip_bad_rows=False):
        return self.reader(path, skip_bad_rows=skip_bad_rows)

    def with_labels(self, labels):
        """This task with its label set fixed (custom tasks infer it from
        the training file, and every later file must use the same set)."""
        labels = tuple(labels)
        reader = self.reader
        if isinstance(reader, functools.partial) and "label_values" in reader.keywords:
            reader = functools.partial(reader.func, *reader.args,
                                       **{**reader.keywords, "label_values": list(labels)})
        return dataclasses.replace(self, labels=labels, reader=reader)

    def to_dict(self, sequence_length):
        """The `task` entry of a classifier's `bert_keras.json`."""
        return {"type": self.type, "num_classes": self.num_classes,
                "labels": self.display_labels, "pair": self.pair,
                "sequence_length": int(sequence_length), "task_name": self.name,
                "metrics": list(self.metrics)}


def _glue(name, metrics):
    spec = GLUE_FORMATS[name]
    return Task(
        name=name, reader=functools.partial(read_glue, name),
        labels=tuple(spec["label_values"]) if "label_values" in spec else None,
        label_names=tuple(spec["label_names"]) if "label_names" in spec else None,
        pair="text_b" in spec, regression=spec.get("regression", False), metrics=metrics)


TASKS = {
    "sst2": _glue("sst2", ("accuracy",)),
    "cola": _glue("cola", ("mcc", "accuracy")),
    "mrpc": _glue("mrpc", ("f1", "accuracy")),
    "rte": _glue("rte", ("accuracy",)),
    "qnli": _glue("qnli", ("accuracy",)),
    "mnli": _glue("mnli", ("accuracy",)),
    "stsb": _glue("stsb", ("pearson", "spearman")),
    "tnews": Task("tnews", read_tnews, tuple(TNEWS_LABELS), tuple(TNEWS_NAMES)),
}
ALIASES = {"sst-2": "sst2", "sts-b": "stsb", "mnli-m": "mnli"}


def get_task(name):
    key = ALIASES.get(name.lower(), name.lower())
    if key not in TASKS:
        raise InputError(f"unknown task {name!r}; known tasks: {', '.join(TASKS)} "
                         "(or use --text-column/--label-column for your own CSV/TSV/JSONL)")
    return TASKS[key]


def custom_task(text_a, text_b=None, label="label", labels=None, regression=False,
                fmt=None, header=True, name="custom"):
    """A task over your own CSV / TSV / JSONL columns. With `labels=None`
    the label set is inferred from the training file (see `with_labels`)."""
    reader = functools.partial(
        read_table, text_a=text_a, text_b=text_b, label=label,
        label_values=list(labels) if labels else None, regression=regression,
        fmt=fmt, header=header)
    metrics = ("pearson", "spearman") if regression else ("accuracy", "f1")
    return Task(name, reader, tuple(labels) if labels else None, None,
                pair=text_b is not None, regression=regression, metrics=metrics)
