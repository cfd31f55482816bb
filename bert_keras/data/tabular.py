"""Generic readers: TSV / CSV / JSONL files with named (or numbered) columns.

    >>> from bert_keras.data.tabular import read_table
    >>> ex = read_table("train.csv", text_a="review", label="stars",
    ...                 label_values=["1", "2", "3", "4", "5"])  # doctest: +SKIP

Columns are header names, or 0-based indices for headerless files
(`header=False`, e.g. CoLA). Labels are mapped to class indices through
`label_values` (strings as written in the file), or parsed as floats for
regression. Every bad row (missing column, unknown label, bad UTF-8, broken
JSON) is a `DataError` naming the file and line, or is skipped and counted
with `skip_bad_rows=True`.
"""

import csv
import json
import os

from bert_keras.data.examples import DataError, RowReader
from bert_keras.data.lines import DecodeFailure, read_lines
from bert_keras.errors import InputError

FORMATS = ("tsv", "csv", "jsonl")


def guess_format(path):
    ext = os.path.splitext(os.fspath(path))[1].lower().lstrip(".")
    return {"tsv": "tsv", "txt": "tsv", "csv": "csv", "json": "jsonl",
            "jsonl": "jsonl", "ndjson": "jsonl"}.get(ext, "tsv")


def read_table(path, text_a, text_b=None, label=None, label_values=None,
               regression=False, fmt=None, header=True, skip_bad_rows=False):
    """Reads `path` into `Examples`.

    Args:
        text_a, text_b: columns of the first / second segment.
        label: the label column, or None for unlabelled data.
        label_values: allowed labels as written in the file, in class-index
            order; None infers them (sorted) from the file.
        regression: labels are floats.
        fmt: "tsv", "csv" or "jsonl" (default: from the extension).
        header: the first line names the columns (TSV/CSV).
        skip_bad_rows: skip and count bad rows instead of failing.
    """
    fmt = fmt or guess_format(path)
    if fmt not in FORMATS:
        raise InputError(f"unknown data format {fmt!r}; choose from {', '.join(FORMATS)}")
    rows = _json_rows(path) if fmt == "jsonl" else _delimited_rows(path, fmt, header)
    out = RowReader(path, skip_bad_rows)
    columns = [c for c in (text_a, text_b, label) if c is not None]
    raw_labels = []
    for line, row in rows:
        if isinstance(row, DecodeFailure):
            out.bad(line, row)
            continue
        if isinstance(row, _Header):
            _check_columns(path, line, row.names, columns)
            continue
        missing = [c for c in columns if not _has(row, c)]
        if missing:
            out.bad(line, f"row has no column {', '.join(map(repr, missing))}"
                    + (f" (it has {len(row)} fields)" if isinstance(row, list) else ""))
            continue
        a = _text(row[text_a])
        b = _text(row[text_b]) if text_b is not None else None
        if not a.strip() and (b is None or not b.strip()):
            out.bad(line, "empty text")
            continue
        value = None
        if label is not None:
            value = _text(row[label]).strip()
            if regression:
                try:
                    value = float(value)
                except ValueError:
                    out.bad(line, f"label {value!r} is not a number")
                    continue
            elif label_values is not None:
                if value not in label_values:
                    out.bad(line, f"label {value!r} is not one of {list(label_values)}")
                    continue
                value = label_values.index(value)
        out.add(a, b, value)
        raw_labels.append(value)
    examples = out.result(pair=text_b is not None, labelled=label is not None)
    if label is not None and not regression and label_values is None:
        found = sorted(set(examples.labels))
        examples.labels = [found.index(v) for v in examples.labels]
        examples.label_values = found
    return examples


class _Header:
    def __init__(self, names):
        self.names = names


def _check_columns(path, line, names, columns):
    missing = [c for c in columns if isinstance(c, str) and c not in names]
    if missing:
        raise DataError(path, line, f"missing column(s) {missing}; the header has {names}")


def _has(row, column):
    if isinstance(row, dict):
        return column in row and row[column] is not None
    if isinstance(column, int):
        return column < len(row)
    return False


def _text(value):
    return value if isinstance(value, str) else str(value)


def _delimited_rows(path, fmt, header):
    """(line, row) pairs; rows are dicts when there is a header."""
    names = None
    lines = read_lines(path)
    for number, text in lines:
        if isinstance(text, DecodeFailure):
            if names is None and header:
                raise DataError(path, number, f"header line is {text}")
            yield number, text
            continue
        if not text.strip():
            continue
        if fmt == "tsv":
            # GLUE TSVs are unquoted: quotes are part of the sentences.
            fields = text.split("\t")
        else:
            fields = next(csv.reader([text]), [])
        if header and names is None:
            names = [f.strip() for f in fields]
            yield number, _Header(names)
            continue
        if names is None:
            yield number, fields
        elif len(fields) != len(names):
            yield number, DecodeFailure(
                f"has {len(fields)} fields, the header has {len(names)}")
        else:
            yield number, dict(zip(names, fields))
    if header and names is None:
        raise DataError(path, None, "the file has no header line")


def _json_rows(path):
    for number, text in read_lines(path):
        if isinstance(text, DecodeFailure):
            yield number, text
            continue
        if not text.strip():
            continue
        try:
            row = json.loads(text)
        except json.JSONDecodeError as e:
            yield number, DecodeFailure(f"not valid JSON ({e.msg})")
            continue
        if not isinstance(row, dict):
            yield number, DecodeFailure("a JSON line must be an object")
            continue
        yield number, row
