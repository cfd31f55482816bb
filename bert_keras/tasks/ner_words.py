"""Raw text to the words a token classifier tags: whitespace-separated words
(Python's `str.split()`), or every character for Chinese (as CLUENER
annotates), each with its character span in the text.

    >>> sentence = words_of_text("John  lives in\\u00a0York")
    >>> sentence.words, sentence.spans
    (['John', 'lives', 'in', 'York'], [(0, 4), (6, 11), (12, 14), (15, 19)])
    >>> words_of_text("在北京", by_character=True).words
    ['在', '北', '京']
"""

import re

from bert_keras.data.conll import TaggedSentence

# Python's whitespace (str.isspace, re's \s): written out so the serving
# graph's regex (RE2, whose \s is ASCII only) splits exactly the same.
WHITESPACE_CODE_POINTS = (
    0x9, 0xA, 0xB, 0xC, 0xD, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x85, 0xA0, 0x1680,
    0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009,
    0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000)
WHITESPACE_RE2 = "[" + "".join(f"\\x{{{c:X}}}" for c in WHITESPACE_CODE_POINTS) + "]+"


def tags_characters(task):
    """Whether a NER task entry tags characters (Chinese: CLUENER, or a
    task entry with "language": "zh") rather than whitespace words."""
    return task.get("task_name") == "cluener" or task.get("language") == "zh"


def words_of_text(text, by_character=False):
    """A `TaggedSentence` (no tags) of `text`'s words and their spans."""
    if by_character:
        return TaggedSentence(list(text), [], text, [(i, i + 1) for i in range(len(text))])
    matches = list(re.finditer(r"\S+", text))
    return TaggedSentence([m.group() for m in matches], [], text,
                          [(m.start(), m.end()) for m in matches])
