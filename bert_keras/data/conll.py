"""Token-classification data: CoNLL column files and CLUENER line-JSON, read
into sentences of words with IOB2 tags and their character spans.

CoNLL (CoNLL-2003 and a user's own tagged file): one token a line, columns
separated by white space, the word first and the tag last; a blank line
ends a sentence; `-DOCSTART-` lines are skipped. IOB1 tags (I-X starting an
entity, B-X only between two touching entities) are converted to IOB2.

    >>> from bert_keras.data.conll import read_conll
    >>> dev = read_conll("CoNLL-2003/dev.txt")  # doctest: +SKIP
    >>> dev[0].words[:3], dev[0].tags[:3]  # doctest: +SKIP
    (['CRICKET', '-', 'LEICESTERSHIRE'], ['O', 'O', 'B-ORG'])

A sentence's `text` is its words joined by single spaces (CoNLL) or the
original line's text (CLUENER), and `spans` are each word's `[start, end)`
characters in it, so predictions map back to entities with character spans.
"""

import dataclasses
import json
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
    lines = _read_lines(path)
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


def read_cluener(path):
    """CLUENER 2020 line-JSON: `{"text", "label": {type: {mention: [[start,
    end], ...]}}}` with inclusive ends. Each character is a word.

    Raises:
        InputError: `file:line: reason` for bad JSON, a span outside the
            text or a span whose text is not the mention. Of overlapping
            mentions the longest is kept.
    """
    sentences = []
    for number, line in enumerate(_read_lines(path), 1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise InputError(f"{where}: not valid JSON: {e.msg}") from None
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            raise InputError(f"{where}: expected an object with a \"text\" string")
        text = row["text"]
        tags = ["O"] * len(text)
        labels = row.get("label") or {}
        if not isinstance(labels, dict):
            raise InputError(f"{where}: \"label\" should be an object")
        spans = []
        for kind, mentions in labels.items():
            if not isinstance(mentions, dict):
                raise InputError(f"{where}: label {kind!r} should map mentions to spans")
            for mention, mention_spans in mentions.items():
                for span in mention_spans:
                    if (not isinstance(span, list) or len(span) != 2
                            or not all(isinstance(x, int) for x in span)):
                        raise InputError(f"{where}: span {span!r} of {mention!r} is not [start, end]")
                    start, end = span
                    if not 0 <= start <= end < len(text):
                        raise InputError(f"{where}: span {span} of {mention!r} is outside the text")
                    if text[start:end + 1] != mention:
                        raise InputError(f"{where}: span {span} is {text[start:end + 1]!r}, "
                                         f"not {mention!r}")
                    spans.append((start, end, kind))
        # A few CLUENER mentions overlap (a company inside an organization):
        # IOB2 holds one entity per character, the longer one wins.
        for start, end, kind in sorted(spans, key=lambda x: (x[0] - x[1], x[0])):
            if all(t == "O" for t in tags[start:end + 1]):
                tags[start] = "B-" + kind
                tags[start + 1:end + 1] = ["I-" + kind] * (end - start)
        sentences.append(TaggedSentence(list(text), tags, text,
                                        [(i, i + 1) for i in range(len(text))]))
    return sentences


def _read_lines(path):
    if not os.path.exists(path):
        raise MissingFileError(f"{path}: no such file")
    try:
        with open(path, encoding="utf-8") as f:
            return f.read().splitlines()
    except UnicodeDecodeError as e:
        raise InputError(f"{path}: not UTF-8 text: {e.reason}") from None
