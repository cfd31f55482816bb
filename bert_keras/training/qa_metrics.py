"""Extractive QA metrics, exactly as the official evaluation scripts define
them, in percent.

SQuAD v1.1 (`evaluate-v1.1.py`): answers normalized by lowercasing,
removing ASCII punctuation (`string.punctuation`), the articles a/an/the
and extra white space; exact match and token F1 (bag of white-space
tokens), each the maximum over the gold answers, averaged over questions.

CMRC 2018 (`cmrc2018_evaluate.py`): text lowercased and stripped; every
CJK character (U+4E00-U+9FA5) and each of the script's punctuation
characters is a segment of its own, other runs are split into words; F1
from the longest common SUBSTRING of the two segment lists, punctuation
removed; exact match on the text with that punctuation removed. The
official script splits non-Chinese runs with NLTK's `word_tokenize`; here
they are split into runs of letters/digits and single other characters,
which agrees with it on the letters, numbers and spaces CMRC answers hold.

Questions with no prediction count as 0 (the official scripts skip them
with a warning but still divide by the number of questions).

    >>> squad_v11_scores({"q": "The Denver Broncos!"}, {"q": ["Denver Broncos"]})
    {'exact_match': 100.0, 'f1': 100.0}
    >>> cmrc2018_scores({"q": "北京市"}, {"q": ["北京"]})
    {'exact_match': 0.0, 'f1': 80.0}
"""

import collections
import re
import string

from bert_keras.errors import InputError

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCTUATION = set(string.punctuation)


def normalize_squad_answer(text):
    """Lower case, ASCII punctuation, articles and extra white space removed."""
    text = "".join(c for c in text.lower() if c not in _PUNCTUATION)
    return " ".join(_ARTICLES.sub(" ", text).split())


def squad_exact_match(prediction, gold):
    return float(normalize_squad_answer(prediction) == normalize_squad_answer(gold))


def squad_f1(prediction, gold):
    predicted = normalize_squad_answer(prediction).split()
    wanted = normalize_squad_answer(gold).split()
    common = collections.Counter(predicted) & collections.Counter(wanted)
    same = sum(common.values())
    if same == 0:
        return 0.0
    precision, recall = same / len(predicted), same / len(wanted)
    return 2 * precision * recall / (precision + recall)


def squad_v11_scores(predictions, gold_answers):
    """`{"exact_match", "f1"}` over the questions of `gold_answers`.

    Args:
        predictions: question id -> predicted answer text.
        gold_answers: question id -> list of gold answer texts.
    """
    return _average(predictions, gold_answers, squad_exact_match, squad_f1)


# The punctuation of cmrc2018_evaluate.py. "……" is in its list too, but the
# script compares one character at a time, so it never matches.
_CMRC_PUNCTUATION = set("-:_*^/\\~`+=，。：？！“”；’《》·、「」（）－～『』")
_CJK = re.compile(r"[\u4e00-\u9fa5]")
_WORD = re.compile(r"\w+|[^\w\s]")


def cmrc_segments(text, remove_punctuation=False):
    """CMRC 2018's mixed segmentation: CJK characters and punctuation one by
    one, other runs split into words."""
    segments, run = [], ""
    for char in text.lower().strip():
        if remove_punctuation and char in _CMRC_PUNCTUATION:
            continue
        if _CJK.match(char) or char in _CMRC_PUNCTUATION:
            segments.extend(_WORD.findall(run))
            run = ""
            segments.append(char)
        else:
            run += char
    segments.extend(_WORD.findall(run))
    return segments


def _longest_common_substring(a, b):
    best, previous = 0, [0] * (len(b) + 1)
    for x in a:
        current = [0] * (len(b) + 1)
        for j, y in enumerate(b):
            if x == y:
                current[j + 1] = previous[j] + 1
                best = max(best, current[j + 1])
        previous = current
    return best


def cmrc_f1(prediction, gold):
    wanted = cmrc_segments(gold, remove_punctuation=True)
    predicted = cmrc_segments(prediction, remove_punctuation=True)
    same = _longest_common_substring(wanted, predicted)
    if same == 0:
        return 0.0
    precision, recall = same / len(predicted), same / len(wanted)
    return 2 * precision * recall / (precision + recall)


def cmrc_exact_match(prediction, gold):
    def strip(text):
        return "".join(c for c in text.lower().strip() if c not in _CMRC_PUNCTUATION)

    return float(strip(prediction) == strip(gold))


def cmrc2018_scores(predictions, gold_answers):
    """`{"exact_match", "f1"}` by the CMRC 2018 definitions (arguments as
    `squad_v11_scores`)."""
    return _average(predictions, gold_answers, cmrc_exact_match, cmrc_f1)


def _average(predictions, gold_answers, exact_match, f1):
    if not gold_answers:
        raise InputError("no questions to score")
    em = f1_total = 0.0
    for qid, golds in gold_answers.items():
        if not golds:
            raise InputError(f"question {qid!r} has no gold answer")
        if qid not in predictions:
            continue
        prediction = str(predictions[qid])
        em += max(exact_match(prediction, g) for g in golds)
        f1_total += max(f1(prediction, g) for g in golds)
    n = len(gold_answers)
    return {"exact_match": 100.0 * em / n, "f1": 100.0 * f1_total / n}
