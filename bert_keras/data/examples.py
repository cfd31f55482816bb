"""`Examples`: texts and labels read from a file, and `DataError`, the error
that names the file and line of a bad row."""

import dataclasses

from bert_keras.errors import InputError


class DataError(InputError):
    """A data file the user gave cannot be read as asked: the message names
    the file and (1-based) line."""

    def __init__(self, path, line, message):
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {message}")
        self.path, self.line = path, line


@dataclasses.dataclass
class Examples:
    """Rows of one data file. `text_b` is None for single-sentence tasks;
    `labels` is None for unlabelled files, else class indices (int) or
    regression targets (float). `skipped` counts rows dropped by
    `skip_bad_rows`."""

    text_a: list
    text_b: list = None
    labels: list = None
    source: str = ""
    skipped: int = 0
    label_values: list = None  # as written in the file, when inferred

    def __len__(self):
        return len(self.text_a)

    def take(self, indices):
        """A subset (e.g. a train/eval split) in the given order."""
        pick = lambda xs: None if xs is None else [xs[i] for i in indices]
        return Examples(pick(self.text_a), pick(self.text_b), pick(self.labels),
                        self.source, 0)


class RowReader:
    """Collects rows, turning a bad one into a `DataError` or, with
    `skip_bad_rows`, into a count."""

    def __init__(self, path, skip_bad_rows=False):
        self.path, self.skip_bad_rows = str(path), skip_bad_rows
        self.text_a, self.text_b, self.labels, self.skipped = [], [], [], 0

    def bad(self, line, message):
        if not self.skip_bad_rows:
            raise DataError(self.path, line, message + " (or pass --skip-bad-rows)")
        self.skipped += 1

    def add(self, a, b=None, label=None):
        self.text_a.append(a)
        self.text_b.append(b)
        self.labels.append(label)

    def result(self, pair, labelled):
        if not self.text_a:
            raise DataError(self.path, None,
                            "no usable rows" + (f" ({self.skipped} skipped as bad)"
                                                if self.skipped else " (empty file?)"))
        return Examples(self.text_a, self.text_b if pair else None,
                        self.labels if labelled else None, self.path, self.skipped)
