"""Reading a JSON file with errors that name it: `bert_keras.json: line 24
column 3: Expecting ',' delimiter`, never a bare `JSONDecodeError`.

    >>> import tempfile
    >>> path = tempfile.mktemp(suffix=".json")
    >>> _ = open(path, "w").write('{"a": 1,\\n "b": }')
    >>> read_json(path)
    Traceback (most recent call last):
    ...
    bert_keras.errors.InputError: ....json: line 2 column 7: not valid JSON (Expecting value)
"""

import json
import os

from bert_keras.errors import InputError, MissingFileError


def read_json(path, expect=dict):
    """The parsed content of `path`; `InputError` naming the file and line
    when it is not valid JSON (or not an `expect` at the top level)."""
    if not os.path.isfile(path):
        raise MissingFileError(f"{path}: no such file")
    try:
        with open(path, encoding="utf-8") as f:
            value = json.load(f)
    except json.JSONDecodeError as e:
        raise InputError(f"{path}: line {e.lineno} column {e.colno}: not valid JSON "
                         f"({e.msg})") from None
    except UnicodeDecodeError as e:
        raise InputError(f"{path}: not UTF-8 text (byte {e.start})") from None
    if expect is not None and not isinstance(value, expect):
        raise InputError(f"{path}: expected a JSON {expect.__name__}, "
                         f"got {type(value).__name__}")
    return value


def require_keys(value, keys, path):
    """Raises `InputError` naming `path` and the first missing key."""
    for key in keys:
        if key not in value:
            raise InputError(f"{path}: missing the {key!r} entry")
