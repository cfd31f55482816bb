"""Extractive QA answers from start/end logits: the n best starts and ends of
each window, spans inside the context no longer than `max_answer_length`
tokens, the best span over all windows of an example, its text cut from the
ORIGINAL context by character offsets.

Spans are ranked by `start_logit + end_logit` (the reference recipes'
rule); `score` is the span's probability inside its window, `p(start) *
p(end)`, each a softmax over the window's context tokens and its `[CLS]`
token (index 0), exactly as Hugging Face's question-answering pipeline
computes it (it leaves `[CLS]` in the softmax for "no answer", then never
picks it).

Example:
>>> import numpy as np
>>> from bert_keras.data.squad import QAExample
>>> example = QAExample("q", "Who?", "Ann met Bob.")
>>> offsets = np.full((1, 6, 2), -1)
>>> offsets[0, 2:5] = [[0, 3], [4, 7], [8, 11]]   # Ann / met / Bob
>>> start = np.array([[0, 0, 1, 0, 5, 0]], "float32")
>>> end = np.array([[0, 0, 0, 0, 5, 0]], "float32")
>>> best = postprocess_qa([example], offsets, np.zeros(1, int), start, end)[0]
>>> best["answer"], best["start"], best["end"], round(best["score"], 3)
('Bob', 8, 11, 0.95)
"""

import numpy as np


def postprocess_qa(examples, offsets, example_index, start_logits, end_logits,
                   n_best=20, max_answer_length=30, top_k=None):
    """One answer per example, `{"answer", "score", "start", "end"}` (an
    empty answer with score 0 when no window has a valid span); with
    `top_k`, a list of up to `top_k` answers per example instead, best
    first, each character span once (overlapping windows see the same
    span: its best-ranked one is kept).

    Args:
        examples: the `QAExample`s the windows were built from.
        offsets: int `[windows, length, 2]` character spans in the context,
            -1 outside it (`QAFeatures.offsets`).
        example_index: int `[windows]`, each window's example.
        start_logits, end_logits: float `[windows, length]`.
        n_best: starts and ends considered per window.
        max_answer_length: longest answer, in tokens.
        top_k: None (one answer per example) or how many to return.
    """
    start_logits = np.asarray(start_logits, np.float64)
    end_logits = np.asarray(end_logits, np.float64)
    # Per example: character span -> (rank, score), its best over windows.
    found = [{} for _ in examples]
    for w in range(len(offsets)):
        in_context = offsets[w, :, 0] >= 0
        if not in_context.any():
            continue
        in_softmax = in_context.copy()
        in_softmax[0] = True   # [CLS], as Hugging Face's pipeline
        start_p = _softmax(np.where(in_softmax, start_logits[w], -np.inf))
        end_p = _softmax(np.where(in_softmax, end_logits[w], -np.inf))
        starts = _top(start_logits[w], in_context, n_best)
        ends = _top(end_logits[w], in_context, n_best)
        spans = found[int(example_index[w])]
        for s in starts:
            for e in ends:
                if e < s or e - s + 1 > max_answer_length:
                    continue
                rank = start_logits[w, s] + end_logits[w, e]
                span = (int(offsets[w, s, 0]), int(offsets[w, e, 1]))
                if span not in spans or rank > spans[span][0]:
                    spans[span] = (rank, float(start_p[s] * end_p[e]))
    answers = []
    for example, spans in zip(examples, found):
        ranked = sorted(spans.items(), key=lambda item: -item[1][0])[:top_k or 1]
        best = [{"answer": example.context[s:e], "score": score, "start": s, "end": e}
                for (s, e), (_, score) in ranked]
        if top_k is None:
            best = best[0] if best else {"answer": "", "score": 0.0, "start": 0, "end": 0}
        answers.append(best)
    return answers


def _top(logits, allowed, n):
    candidates = np.flatnonzero(allowed)
    order = np.argsort(-logits[candidates], kind="stable")[:n]
    return candidates[order]


def _softmax(x):
    x = x - np.max(x)
    p = np.exp(x)
    return p / p.sum()
