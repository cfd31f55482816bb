"""Token-classification data: CoNLL column files read into sentences of
words with IOB2 tags and their character spans (CLUENER: `data/cluener.py`).

CoNLL (CoNLL-2003 and a user's own tagged file): one token a line, columns
separated by white space, the word first and the tag last; a blank line
ends a sentence; `-DOCSTART-` lines are skipped. IOB1 tags (I-X starting an
entity, B-X only between two touching entities) are converted to IOB2.

    >>> from bert_keras.data.conll import read_conll
    >>> dev = read_conll("CoNLL-2003/dev.txt")  # doctest: +SKIP
    >>> dev[0].words[:3], dev[0].tags[:3]  # doctest: +SKIP
    (['CRICKET', '-', 'LEICESTERSHIRE'], ['O', 'O', 'B-ORG'])

A sentence's `text` is its words joined by single spaces and `spans` are
each word's `[start, end)` characters in it, so predictions map back to
entities with character spans.
"""

import dataclasses
import os
import re

from bert_keras.errors import InputError, MissingFileError

_TAG = re.compile(r"^(O|[BIES]-\S+)$")


@dataclasses.dataclass
class TaggedSentence:
    """Words with IOB2 tags (empty at predict time) and where each word is in
    `text`."""

    words: list
    tags: list
    text: str = ""
    spans: list = dataclasses.field(default_factory=list)

    @classmethod
    def from_words(cls, words, tags=()):
        spans, at = [], 0
        for word in words:
            spans.append((at, at + len(word)))
            at += len(word) + 1
        return cls(list(words), list(tags), " ".join(words), spans)


def read_conll(path):
    """Sentences of a CoNLL column file (see the module docstring).

    Raises:
        MissingFileError: no such file.
        InputError: `file:line: reason` for a line without a tag or with a
            tag that is not `O`, `B-X` or `I-X`.
    """
    lines = read_lines(path)
    sentences, words, tags = [], [], []
    for number, line in enumerate(lines, 1):
        fields = line.split()
        if not fields or fields[0] == "-DOCSTART-":
            if words:
                sentences.append(TaggedSentence.from_words(words, to_iob2(tags)))
                words, tags = [], []
            continue
        if len(fields) < 2:
            raise InputError(f"{path}:{number}: expected a word and a tag, got {line.strip()!r}")
        tag = fields[-1]
        if not _TAG.match(tag) or tag[0] in "ES":
            raise InputError(f"{path}:{number}: tag {tag!r} is not O, B-TYPE or I-TYPE")
        words.append(fields[0])
        tags.append(tag)
    if words:
        sentences.append(TaggedSentence.from_words(words, to_iob2(tags)))
    return sentences


def to_iob2(tags):
    """IOB1 (or IOB2) tags to IOB2: an `I-X` that does not continue an `X`
    entity starts one, `B-X`."""
    out = []
    for i, tag in enumerate(tags):
        if tag.startswith("I-"):
            previous = out[i - 1] if i else "O"
            if previous == "O" or previous[2:] != tag[2:]:
                tag = "B-" + tag[2:]
        out.append(tag)
    return out


def read_lines(path):
    """The lines of a UTF-8 text file, with clear errors."""
    if not os.path.exists(path):
        raise MissingFileError(f"{path}: no such file")
    try:
        with open(path, encoding="utf-8") as f:
            return f.read().splitlines()
    except UnicodeDecodeError as e:
        raise InputError(f"{path}: not UTF-8 text: {e.reason}") from None
