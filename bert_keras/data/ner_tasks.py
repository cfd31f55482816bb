"""The NER task kind: token classification with IOB2 tags, as ONE task object
that round-trips through a model directory's `bert_keras.json`.

Registered tasks:
- `conll2003` (alias `conll`): CoNLL-2003 English column files (IOB1 as
  distributed, read as IOB2), labels in Hugging Face's `conll2003` order;
- `cluener`: CLUENER 2020 line-JSON, one word per character;
- `ner`: your own CoNLL column file (`--format conll`: the word first, the
  tag last, a blank line between sentences); the label set is inferred
  from the training file, sorted with "O" first.

    >>> from bert_keras.data.tasks import get_task, task_from_dict
    >>> task = get_task("conll")
    >>> task.name, task.type, task.labels[:3], task.main_metric
    ('conll2003', 'ner', ('O', 'B-PER', 'I-PER'), 'f1')
    >>> mine = get_task("ner").with_labels(["O", "B-X", "I-X"]).with_settings(sequence_length=64)
    >>> task_from_dict(mine.to_dict()) == mine
    True

`word_split` says how raw text is cut into words at predict time: "words"
(white space, and punctuation and CJK characters as words of their own, as
BERT's basic tokenizer does) or "characters" (every non-space character is
a word, as CLUENER is annotated).
"""

import dataclasses

from bert_keras.data.cluener import read_cluener
from bert_keras.data.conll import read_conll
from bert_keras.data.tasks import FORMAT_VERSION, register_task, register_task_kind
from bert_keras.errors import InputError

READERS = {"conll": read_conll, "cluener": read_cluener}
WORD_SPLITS = ("words", "characters")
CONLL2003_LABELS = ("O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC",
                    "B-MISC", "I-MISC")
CLUENER_TYPES = ("address", "book", "company", "game", "government", "movie", "name",
                 "organization", "position", "scene")


def iob2_labels(types):
    """"O", then B-/I- of each entity type in order."""
    return ("O",) + tuple(f"{p}-{t}" for t in types for p in "BI")


@dataclasses.dataclass(frozen=True)
class NerTask:
    name: str
    reader: str = "conll"  # a key of READERS
    labels: tuple = None  # IOB2 tags in class order, "O" first; None: from the training file
    word_split: str = "words"
    sequence_length: int = 128
    metrics: tuple = ("f1", "precision", "recall")

    type = property(lambda self: "ner")
    main_metric = property(lambda self: self.metrics[0])
    num_classes = property(lambda self: len(self.labels))
    display_labels = property(lambda self: None if self.labels is None else list(self.labels))
    readable = True

    def read(self, path, skip_bad_rows=False):
        """`TaggedSentence`s of `path`. A bad line stops reading with
        `file:line: reason` (a line is part of a sentence: there is no
        skipping it)."""
        if skip_bad_rows:
            raise InputError("--skip-bad-rows does not apply to NER data: a bad line is part "
                             "of a sentence; fix the line the error names")
        return READERS[self.reader](path)

    def with_labels(self, labels):
        labels = tuple(labels)
        if not labels or labels[0] != "O":
            raise InputError(f"NER labels must start with 'O', got {list(labels)}")
        return dataclasses.replace(self, labels=labels)

    def labels_from(self, sentences):
        """The label set of training sentences: this task's own, or (`ner`)
        "O" then the sorted tags found."""
        if self.labels is not None:
            return self
        return self.with_labels(["O"] + sorted({t for s in sentences for t in s.tags} - {"O"}))

    def check_tags(self, sentences, source="data"):
        """Refuses a tag the model has no class for (e.g. a dev tag that
        never occurs in the training file), naming where it is."""
        known = set(self.labels)
        for i, sentence in enumerate(sentences, 1):
            for word, tag in zip(sentence.words, sentence.tags):
                if tag not in known:
                    raise InputError(
                        f"{source}: sentence {i} ({sentence.text[:40]!r}): tag {tag!r} (word "
                        f"{word!r}) is not one of the model's labels {list(self.labels)}"
                        + ("; the training file never uses it" if self.name == "ner" else ""))

    def with_settings(self, **settings):
        return dataclasses.replace(self, **settings)

    def to_dict(self, sequence_length=None):
        """The `task` entry of the model directory (the NER contract)."""
        return {"format": FORMAT_VERSION, "type": "ner", "task_name": self.name,
                "labels": self.display_labels,
                "sequence_length": int(sequence_length or self.sequence_length),
                "reader": self.reader, "word_split": self.word_split}

    @classmethod
    def from_dict(cls, d, source="bert_keras.json"):
        try:
            if d["type"] != "ner":
                raise InputError(f"{source}: task type {d['type']!r} is not NER")
            name = d["task_name"]
            base = NER_TASKS.get(name) or cls(name)
            labels = d.get("labels")
            if not labels:
                raise InputError(f"{source}: the NER task entry has no labels")
            task = dataclasses.replace(
                base, reader=d.get("reader", base.reader),
                word_split=d.get("word_split", base.word_split),
                sequence_length=int(d.get("sequence_length", 128))).with_labels(labels)
            if task.reader not in READERS or task.word_split not in WORD_SPLITS:
                raise InputError(f"{source}: unknown NER reader {task.reader!r} or word "
                                 f"split {task.word_split!r}")
            return task
        except (KeyError, TypeError, ValueError) as e:
            if isinstance(e, InputError):
                raise
            raise InputError(f"{source}: malformed task entry {d!r} ({e})") from None


NER_TASKS = {
    "conll2003": NerTask("conll2003", "conll", CONLL2003_LABELS),
    "cluener": NerTask("cluener", "cluener", iob2_labels(CLUENER_TYPES),
                       word_split="characters"),
    "ner": NerTask("ner", "conll"),
}
register_task(NER_TASKS["conll2003"], "conll", "conll-2003", "conll03")
register_task(NER_TASKS["cluener"], "cluener2020")
register_task(NER_TASKS["ner"])
register_task_kind("ner", NerTask)
