"""The errors bert_keras raises on purpose.

Every error caused by what a user gave us (a file, a flag, a checkpoint, a
text) is a `BertKerasError`. The command line prints these as one
`error: ...` line; anything else is a bug in bert_keras and keeps its
traceback. Each class also derives from the built-in exception it refines,
so `except ValueError` keeps working for callers of the Python API.

    >>> from bert_keras.errors import BertKerasError, InputError
    >>> try:
    ...     raise InputError("data.tsv:3: label 'x' is not a number")
    ... except BertKerasError as e:
    ...     print(f"error: {e}")
    error: data.tsv:3: label 'x' is not a number
"""


class BertKerasError(Exception):
    """Base class: an error the user can fix, reported without a traceback."""


class InputError(BertKerasError, ValueError):
    """A bad value: data rows, flags, configs, texts, settings."""


class InputTypeError(BertKerasError, TypeError):
    """A value of the wrong type (e.g. numbers where strings are expected)."""


class InputKeyError(BertKerasError, KeyError):
    """A name that is not there: a missing tensor, input key or field."""

    def __str__(self):
        # KeyError quotes its message; ours are sentences.
        return str(self.args[0]) if self.args else ""


class MissingFileError(BertKerasError, FileNotFoundError):
    """A file or directory the user named does not exist."""


class OutputExistsError(BertKerasError, FileExistsError):
    """An output path is already taken and --overwrite was not given."""


class ExportCheckError(BertKerasError, RuntimeError):
    """An export's self-check failed: the written model disagrees with Keras."""
