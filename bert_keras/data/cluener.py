"""CLUENER 2020 line-JSON read into `TaggedSentence`s of characters with IOB2
tags: `{"text", "label": {type: {mention: [[start, end], ...]}}}`, ends
inclusive.

    >>> from bert_keras.data.cluener import read_cluener
    >>> dev = read_cluener("CLUENER/dev.json")  # doctest: +SKIP
    >>> dev[0].text[:3], dev[0].tags[:3]  # doctest: +SKIP
    ('彭小军', ['B-name', 'I-name', 'I-name'])
"""

import json

from bert_keras.data.conll import TaggedSentence, read_lines
from bert_keras.errors import InputError


def read_cluener(path):
    """CLUENER 2020 line-JSON: `{"text", "label": {type: {mention: [[start,
    end], ...]}}}` with inclusive ends. Each character is a word.

    Raises:
        InputError: `file:line: reason` for bad JSON, a span outside the
            text or a span whose text is not the mention. Of overlapping
            mentions the longest is kept.
    """
    sentences = []
    for number, line in enumerate(read_lines(path), 1):
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
