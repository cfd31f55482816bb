"""The task object: what a fine-tuned model does, in ONE object that
round-trips through the model directory (`to_dict` / `from_dict`, the
`task` entry of `bert_keras.json`), so `evaluate`, `predict` and the serving
export rebuild it from the model directory alone.

A task knows its reader (a registered GLUE/CLUE reader, or your own CSV /
TSV / JSONL columns), its label set, whether it takes sentence pairs,
classification or regression, the metrics to report (the first picks the
best checkpoint) and the head settings it was trained with (sequence
length, pooling).

    >>> from bert_keras.data.tasks import Task, get_task
    >>> task = get_task("mrpc")
    >>> task.pair, task.metrics, task.display_labels
    (True, ('f1', 'accuracy'), ['not_equivalent', 'equivalent'])
    >>> stored = task.with_settings(sequence_length=64).to_dict()  # in bert_keras.json
    >>> Task.from_dict(stored) == task.with_settings(sequence_length=64)
    True

Other kinds of task (QA, NER) register their own class with
`register_task_kind`; `task_from_dict` dispatches on the stored `type`.
"""

import dataclasses
import functools

from bert_keras.data.clue import TNEWS_LABELS, TNEWS_NAMES, read_tnews
from bert_keras.data.glue import GLUE_FORMATS, read_glue
from bert_keras.data.tabular import read_table
from bert_keras.errors import InputError


FORMAT_VERSION = 2


@dataclasses.dataclass(frozen=True)
class Task:
    name: str
    reader: callable = dataclasses.field(compare=False)  # (path, skip_bad_rows) -> Examples
    labels: tuple = None  # label values as written in the data, class order
    label_names: tuple = None  # human-readable names, same order
    pair: bool = False
    regression: bool = False
    metrics: tuple = ("accuracy",)
    columns: tuple = None  # custom tasks: ((key, value), ...) of `custom_task`
    sequence_length: int = 128  # head settings, fixed by fine-tuning
    pooling: str = "cls"

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

    def with_settings(self, **settings):
        """This task with head settings (`sequence_length`, `pooling`)."""
        return dataclasses.replace(self, **settings)

    def to_dict(self, sequence_length=None):
        """The `task` entry of a classifier's `bert_keras.json` (the keys of
        the previous format stay, so older readers still work)."""
        d = {"format": FORMAT_VERSION, "type": self.type, "task_name": self.name,
             "num_classes": self.num_classes, "labels": self.display_labels,
             "label_values": None if self.labels is None else list(self.labels),
             "pair": self.pair, "metrics": list(self.metrics),
             "sequence_length": int(sequence_length or self.sequence_length),
             "pooling": self.pooling}
        if self.columns is not None:
            d["columns"] = dict(self.columns)
        return d

    @classmethod
    def from_dict(cls, d, source="bert_keras.json"):
        """The task of a `task` entry (this format or the previous one)."""
        try:
            name = d["task_name"]
            regression = d["type"] == "regression"
            if d["type"] not in ("classification", "regression"):
                raise InputError(f"{source}: task type {d['type']!r} is not a "
                                 "sentence classification task")
            settings = {"sequence_length": int(d.get("sequence_length", 128)),
                        "pooling": d.get("pooling", "cls")}
            if d.get("columns"):
                columns = dict(d["columns"])
                task = custom_task(columns["text_a"], columns.get("text_b"),
                                   columns.get("label", "label"),
                                   d.get("label_values") or d.get("labels"), regression,
                                   columns.get("fmt"), columns.get("header", True),
                                   name=name)
            elif name in TASKS:
                task = TASKS[name]
            else:  # a custom task saved before columns were recorded
                task = dataclasses.replace(
                    custom_task("text", None, "label", d.get("labels"), regression,
                                name=name), columns=None)
            if not regression and d.get("num_classes") != task.num_classes:
                raise InputError(f"{source}: task {name!r} has {task.num_classes} classes "
                                 f"but the model predicts {d.get('num_classes')}")
            return task.with_settings(**settings)
        except (KeyError, TypeError, ValueError) as e:
            if isinstance(e, InputError):
                raise
            raise InputError(f"{source}: malformed task entry {d!r} ({e})") from None

    @property
    def readable(self):
        """False for custom tasks saved before their columns were recorded:
        reading data needs --text-column etc. again."""
        return self.name in TASKS or self.columns is not None


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


# Modules that define the tasks of other kinds (QA, NER): each calls
# `register_task` and `register_task_kind` when imported. Imported on first
# lookup, so this module does not depend on them.
KIND_MODULES = ("bert_keras.data.qa_tasks", "bert_keras.data.ner_tasks")
_kinds_loaded = False


def _load_kinds():
    global _kinds_loaded
    if not _kinds_loaded:
        import importlib

        _kinds_loaded = True
        for module in KIND_MODULES:
            importlib.import_module(module)


def register_task(task, *aliases):
    """Makes `get_task(task.name)` (and each alias) return `task`."""
    TASKS[task.name] = task
    for alias in aliases:
        ALIASES[alias] = task.name


def get_task(name):
    _load_kinds()
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
        label_values=list(labels) if labels and not regression else None,
        regression=regression, fmt=fmt, header=header)
    metrics = ("pearson", "spearman") if regression else ("accuracy", "f1")
    columns = (("text_a", text_a), ("text_b", text_b), ("label", label), ("fmt", fmt),
               ("header", header))
    return Task(name, reader, tuple(labels) if labels and not regression else None, None,
                pair=text_b is not None, regression=regression, metrics=metrics,
                columns=columns)


_KINDS = {"classification": Task, "regression": Task}


def register_task_kind(type_name, cls):
    """Makes `task_from_dict` rebuild tasks whose stored `type` is
    `type_name` with `cls.from_dict` (QA, NER...)."""
    _KINDS[type_name] = cls


def task_from_dict(d, source="bert_keras.json"):
    """Any task from its `task` entry, whatever its kind."""
    _load_kinds()
    if not isinstance(d, dict) or d.get("type") not in _KINDS:
        kind = d.get("type") if isinstance(d, dict) else d
        raise InputError(f"{source}: unknown task type {kind!r}; known: {', '.join(_KINDS)}")
    return _KINDS[d["type"]].from_dict(d, source)
