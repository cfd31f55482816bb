"""Extractive question answering tasks (SQuAD v1.1, CMRC 2018): the task
kind `"qa"`.

A `QATask` holds what a fine-tuned QA model needs besides its weights: the
window settings (`sequence_length` tokens a window, `doc_stride` context
tokens shared by consecutive windows, `max_query_length`), the answer
settings (`max_answer_length` tokens, `n_best` starts and ends considered
per window), the language and the metric (`"squad"`: the official SQuAD
v1.1 EM/F1; `"cmrc2018"`: CMRC 2018's, for Chinese). It round-trips through
the `task` entry of `bert_keras.json`.

    >>> from bert_keras.data.tasks import get_task, task_from_dict
    >>> task = get_task("squad1.1").with_settings(doc_stride=64)
    >>> task.type, task.sequence_length, task.doc_stride, task.main_metric
    ('qa', 384, 64, 'f1')
    >>> task_from_dict(task.to_dict()) == task
    True
    >>> get_task("cmrc").language, get_task("cmrc").metric
    ('zh', 'cmrc2018')
"""

import dataclasses

from bert_keras.data.tasks import FORMAT_VERSION, register_task, register_task_kind
from bert_keras.errors import InputError

METRICS = ("squad", "cmrc2018")
SETTINGS = ("sequence_length", "doc_stride", "max_query_length", "max_answer_length", "n_best")


@dataclasses.dataclass(frozen=True)
class QATask:
    name: str
    language: str = "en"  # "en" or "zh"
    metric: str = "squad"  # "squad" (SQuAD v1.1) or "cmrc2018"
    sequence_length: int = 384  # tokens a window, special tokens included
    doc_stride: int = 128  # context tokens shared by consecutive windows
    max_query_length: int = 64  # question tokens kept
    max_answer_length: int = 30  # longest answer, in tokens
    n_best: int = 20  # starts and ends considered per window

    @property
    def type(self):
        return "qa"

    @property
    def metrics(self):
        return ("f1", "exact_match")

    @property
    def main_metric(self):
        return self.metrics[0]

    def read(self, path, skip_bad_rows=False):
        """The `SquadData` of a SQuAD-format JSON file (`skip_bad_rows`
        does not apply: a malformed file stops with `file: article/
        paragraph/question: reason`)."""
        from bert_keras.data.squad import read_squad

        return read_squad(path)

    def with_settings(self, **settings):
        """This task with other window / answer settings (`SETTINGS`)."""
        unknown = set(settings) - set(SETTINGS)
        if unknown:
            raise InputError(f"task {self.name!r} (question answering) has no setting "
                             f"{', '.join(sorted(unknown))}; it has {', '.join(SETTINGS)}")
        task = dataclasses.replace(self, **{k: int(v) for k, v in settings.items()})
        task.check()
        return task

    def check(self):
        """Refuses settings that cannot work (windows must move forward)."""
        if self.max_query_length < 1 or self.doc_stride < 0 or self.max_answer_length < 1 \
                or self.n_best < 1:
            raise InputError(f"task {self.name!r}: max_query_length, max_answer_length and "
                             "n_best must be positive and doc_stride not negative")
        if self.sequence_length < self.max_query_length + self.doc_stride + 4:
            raise InputError(
                f"--max-seq-length {self.sequence_length} must exceed --max-query-length "
                f"{self.max_query_length} + --doc-stride {self.doc_stride} + 3 special tokens "
                "(windows must move forward)")
        if self.metric not in METRICS:
            raise InputError(f"task {self.name!r}: metric must be one of {METRICS}")

    def scores(self, predictions, gold_answers):
        """`{"exact_match", "f1"}` (x100) by the task's official metric.
        `predictions`: question id -> answer text; `gold_answers`: question
        id -> list of gold texts."""
        from bert_keras.training.qa_metrics import cmrc2018_scores, squad_v11_scores

        score = cmrc2018_scores if self.metric == "cmrc2018" else squad_v11_scores
        return score(predictions, gold_answers)

    def to_dict(self):
        """The `task` entry of a QA model's `bert_keras.json`."""
        return {"format": FORMAT_VERSION, "type": self.type, "task_name": self.name,
                "language": self.language, "metric": self.metric,
                **{k: int(getattr(self, k)) for k in SETTINGS}}

    @classmethod
    def from_dict(cls, d, source="bert_keras.json"):
        """The task of a `task` entry; a name that is not registered gives a
        task of that name with the stored settings."""
        from bert_keras.data.tasks import TASKS

        try:
            if d["type"] != "qa":
                raise InputError(f"{source}: task type {d['type']!r} is not question answering")
            name = d["task_name"]
            language = d.get("language", "en")
            base = TASKS.get(name)
            if not isinstance(base, QATask):
                base = QATask(name, language=language,
                              metric="cmrc2018" if language == "zh" else "squad")
            base = dataclasses.replace(base, language=language,
                                       metric=d.get("metric", base.metric))
            return base.with_settings(**{k: d[k] for k in SETTINGS if k in d})
        except (KeyError, TypeError, ValueError) as e:
            if isinstance(e, InputError):
                raise
            raise InputError(f"{source}: malformed task entry {d!r} ({e})") from None


register_task(QATask("squad"), "squad1.1", "squad-v1.1")
register_task(QATask("cmrc2018", language="zh", metric="cmrc2018"), "cmrc")
register_task_kind("qa", QATask)
