"""SQuAD-format JSON (SQuAD v1.1, CMRC 2018): articles of paragraphs of
questions with answers as character spans of the paragraph's context.

    {"version": ..., "data": [{"title": ..., "paragraphs": [{"context": ...,
      "qas": [{"id": ..., "question": ..., "answers": [{"text": ...,
      "answer_start": ...}]}]}]}]}

Every answer keeps its text as written (the metrics compare texts). Its
start is checked against the context: CMRC 2018 as released has answers at
`answer_start` -1 or a few characters off, so a start that does not point
at the text is moved to the occurrence of the text nearest to it, or
marked `None` (no span to train on) when the text is not in the context.

    >>> from bert_keras.data.squad import read_squad
    >>> data = read_squad("SQuAD/train-split-v1.1.json")  # doctest: +SKIP
    >>> len(data.examples), data.examples[0].answers[0].text  # doctest: +SKIP
    (5696, 'Denver Broncos')
"""

import dataclasses
import json
import os

from bert_keras.errors import InputError, MissingFileError


@dataclasses.dataclass(frozen=True)
class Answer:
    """An answer's text and its character start in the context (`None` when
    the text is not found in the context)."""

    text: str
    start: int | None

    @property
    def end(self):
        return None if self.start is None else self.start + len(self.text)


@dataclasses.dataclass(frozen=True)
class QAExample:
    """One question on one context, with its gold answers (none at predict
    time)."""

    id: str
    question: str
    context: str
    answers: tuple = ()
    title: str = ""


@dataclasses.dataclass
class SquadData:
    """The examples of a file, and how many answer starts were repaired or
    could not be placed."""

    examples: list
    version: str = ""
    moved_answers: int = 0
    unplaced_answers: int = 0


def read_squad(path):
    """Reads a SQuAD-format JSON file (see the module docstring).

    Raises:
        MissingFileError: no such file.
        InputError: `file: article/paragraph/question: reason` for bad JSON
            or a missing or mistyped field.
    """
    if not os.path.exists(path):
        raise MissingFileError(f"{path}: no such file")
    try:
        with open(path, encoding="utf-8") as f:
            root = json.load(f)
    except json.JSONDecodeError as e:
        raise InputError(f"{path}:{e.lineno}: not valid JSON: {e.msg}") from None
    except UnicodeDecodeError as e:
        raise InputError(f"{path}: not UTF-8 text: {e.reason}") from None
    return parse_squad(root, path)


def parse_squad(root, source="<squad>"):
    """The examples of an already parsed SQuAD-format JSON object."""
    if not isinstance(root, dict) or not isinstance(root.get("data"), list):
        raise InputError(f"{source}: expected a JSON object with a \"data\" list (SQuAD format)")
    data = SquadData(examples=[], version=str(root.get("version", "")))
    seen = set()
    for a, article in enumerate(root["data"]):
        where_a = f"{source}: article {a}"
        paragraphs = _field(article, "paragraphs", list, where_a)
        title = article.get("title", "") if isinstance(article, dict) else ""
        for p, paragraph in enumerate(paragraphs):
            where_p = f"{where_a}/paragraph {p}"
            context = _field(paragraph, "context", str, where_p)
            for q, qa in enumerate(_field(paragraph, "qas", list, where_p)):
                where_q = f"{where_p}/question {q}"
                qid = _field(qa, "id", (str, int), where_q)
                qid = str(qid)
                if qid in seen:
                    raise InputError(f"{where_q}: duplicate question id {qid!r}")
                seen.add(qid)
                question = _field(qa, "question", str, where_q)
                answers = []
                for i, answer in enumerate(qa.get("answers", [])):
                    where_ans = f"{where_q} ({qid})/answer {i}"
                    text = _field(answer, "text", str, where_ans)
                    start = _field(answer, "answer_start", int, where_ans)
                    placed = _place_answer(context, text, start)
                    if placed is None:
                        data.unplaced_answers += 1
                    elif placed != start:
                        data.moved_answers += 1
                    answers.append(Answer(text, placed))
                data.examples.append(QAExample(qid, question, context, tuple(answers), title))
    return data


def _field(obj, key, types, where):
    if not isinstance(obj, dict):
        raise InputError(f"{where}: expected a JSON object, got {type(obj).__name__}")
    if key not in obj:
        raise InputError(f"{where}: missing \"{key}\"")
    value = obj[key]
    if isinstance(value, bool) or not isinstance(value, types):
        names = types.__name__ if isinstance(types, type) else "/".join(t.__name__ for t in types)
        raise InputError(f"{where}: \"{key}\" should be {names}, got {type(value).__name__}")
    return value


def _place_answer(context, text, start):
    """`start` when the text is there, else the nearest occurrence of the
    text, else None."""
    if not text:
        return None
    if 0 <= start and context[start:start + len(text)] == text:
        return start
    best, i = None, context.find(text)
    while i != -1:
        if best is None or abs(i - start) < abs(best - start):
            best = i
        i = context.find(text, i + 1)
    return best
