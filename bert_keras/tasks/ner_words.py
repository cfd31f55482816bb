"""Raw text to the words a token classifier tags, each with its character
span in the text, as `TokenClassifier.predict` cuts them (the same rule as
`split_words` in `tasks/token_classification.py`) and the NER serving
export does in its graph:

- `"words"` (English tasks): split at white space (Python's `str.split()`),
  and every punctuation or CJK character is a word of its own (BERT's basic
  tokenizer);
- `"characters"` (Chinese tasks such as CLUENER): every non-space character
  is a word.

    >>> words_of_text("John  lives in\\u00a0New-York.").words
    ['John', 'lives', 'in', 'New', '-', 'York', '.']
    >>> words_of_text("在 北京", "characters").spans
    [(0, 1), (2, 3), (3, 4)]
"""

import re
import unicodedata

from bert_keras.data.conll import TaggedSentence

WORD_SPLITS = ("words", "characters")
# Python's white space (str.isspace, re's \s), written out so the serving
# graph's regex (RE2, whose \s is ASCII only) splits exactly the same.
WHITESPACE_CODE_POINTS = (
    0x9, 0xA, 0xB, 0xC, 0xD, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x85, 0xA0, 0x1680,
    0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009,
    0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000)
WHITESPACE_RE2 = "[" + "".join(f"\\x{{{c:X}}}" for c in WHITESPACE_CODE_POINTS) + "]"
# CJK ideographs, as google-research/bert `_is_chinese_char` (and our tokenizer).
CJK_RANGES = ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F),
              (0x2B740, 0x2B81F), (0x2B820, 0x2CEAF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F))


def word_split(task):
    """A NER task entry's word split: its `word_split`, else "characters"
    for CLUENER or `"language": "zh"`, else "words"."""
    split = task.get("word_split")
    if split is None:
        chinese = task.get("task_name") == "cluener" or task.get("language") == "zh"
        split = "characters" if chinese else "words"
    return split


def split_words(text, split="words"):
    """(words, [start, end) spans) of raw `text`."""
    if split == "characters":
        spans = [(i, i + 1) for i, ch in enumerate(text) if not ch.isspace()]
    else:
        spans = []
        for match in re.finditer(r"\S+", text):
            at = match.start()
            for i, ch in enumerate(match.group(), start=match.start()):
                if is_punctuation(ch) or is_cjk(ch):
                    if at < i:
                        spans.append((at, i))
                    spans.append((i, i + 1))
                    at = i + 1
            if at < match.end():
                spans.append((at, match.end()))
    return [text[s:e] for s, e in spans], spans


def words_of_text(text, split="words"):
    """A `TaggedSentence` (no tags) of `text`'s words and their spans."""
    words, spans = split_words(text, split)
    return TaggedSentence(words, [], text, spans)


def is_punctuation(ch):
    """BERT's: ASCII non-alphanumeric symbols and Unicode P* characters."""
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def is_cjk(ch):
    cp = ord(ch)
    return any(a <= cp <= b for a, b in CJK_RANGES)
