"""Reading a text file line by line with errors that name the line."""

import os

from bert_keras.data.examples import DataError
from bert_keras.errors import MissingFileError


def read_lines(path):
    """Yields `(line_number, text)` for each line, without the newline.

    The file is decoded as UTF-8 line by line, so a stray byte is reported
    at its line instead of failing the whole file; a leading BOM is dropped
    (MRPC's header has one). A missing or empty file is a `DataError`.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise MissingFileError(f"{path}: no such data file")
    if os.path.getsize(path) == 0:
        raise DataError(path, None, "the file is empty")
    with open(path, "rb") as f:
        for number, raw in enumerate(f, start=1):
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as e:
                yield number, DecodeFailure(f"not valid UTF-8 ({e.reason} at byte {e.start})")
                continue
            yield number, text.rstrip("\r\n")


class DecodeFailure(str):
    """Stands in for a line that could not be decoded."""
