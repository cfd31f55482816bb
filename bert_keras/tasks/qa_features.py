"""Extractive QA features: question + context packed as a pair, the context
cut into overlapping windows, gold answers mapped to token spans through
the tokenizer's character offsets.

    [CLS] question [SEP] context window [SEP] [PAD] ...

A window that does not contain the whole answer is labelled start = end = 0
(the `[CLS]` token), as the reference recipes (google-research/bert
`run_squad.py`, Hugging Face `run_qa.py`) do. Each token of a window keeps
the character span it came from in the ORIGINAL context (-1 for question,
special and padding tokens), so post-processing cuts answers from the text
the user gave, never from detokenized pieces.

Example:
>>> from bert_keras import BertTokenizer
>>> from bert_keras.data.squad import Answer, QAExample
>>> tokenizer = BertTokenizer(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
...     "who", "sat", "?", "the", "cat", "on", "mat", "."])
>>> example = QAExample("q1", "Who sat?", "The cat sat on the mat.",
...                     (Answer("The cat", 0),))
>>> features = build_qa_features([example], tokenizer, max_length=16,
...                              doc_stride=2, max_query_length=8)
>>> features.token_ids[0].tolist()
[2, 5, 6, 7, 3, 8, 9, 6, 10, 8, 11, 12, 3, 0, 0, 0]
>>> int(features.start_positions[0]), int(features.end_positions[0])
(5, 6)
>>> s, e = features.offsets[0, 5, 0], features.offsets[0, 6, 1]
>>> example.context[s:e]
'The cat'
"""

import dataclasses

import numpy as np

from bert_keras.errors import InputError


@dataclasses.dataclass
class QAFeatures:
    """Windows of a list of `QAExample`s, as numpy arrays of `[num_windows, ...]`.

    `token_ids`, `segment_ids`, `padding_mask`: int32 `[n, max_length]`, the
    encoder's inputs. `offsets`: int64 `[n, max_length, 2]`, each token's
    character `[start, end)` in its example's context, -1 outside the
    context. `example_index`: int32 `[n]`, the example each window belongs
    to. `start_positions`/`end_positions`: int32 `[n]` token labels (0 when
    the window does not hold the answer or the example has none).
    """

    token_ids: np.ndarray
    segment_ids: np.ndarray
    padding_mask: np.ndarray
    offsets: np.ndarray
    example_index: np.ndarray
    start_positions: np.ndarray
    end_positions: np.ndarray

    def __len__(self):
        return len(self.token_ids)

    def inputs(self):
        """The encoder's input dict."""
        return {"token_ids": self.token_ids, "segment_ids": self.segment_ids,
                "padding_mask": self.padding_mask}


def build_qa_features(examples, tokenizer, max_length=384, doc_stride=128,
                      max_query_length=64, batch_size=512):
    """Windows of `examples` (see the module docstring).

    Args:
        examples: `QAExample`s (`bert_keras.data.squad`).
        tokenizer: a `BertTokenizer`.
        max_length: tokens per window, special tokens included.
        doc_stride: context tokens shared by consecutive windows (Hugging
            Face's `stride`).
        max_query_length: questions are cut to this many tokens.
        batch_size: texts tokenized per call.
    """
    if max_query_length < 1 or doc_stride < 0 or max_length < max_query_length + doc_stride + 4:
        raise InputError(
            f"max_length {max_length} must exceed max_query_length {max_query_length} + "
            f"doc_stride {doc_stride} + 3 special tokens (windows must move forward)")
    ids = tokenizer.special_tokens_dict()
    cls_id, sep_id, pad_id = ids["start_of_sequence_id"], ids["end_of_segment_id"], ids["padding_id"]
    questions = _tokenize([e.question for e in examples], tokenizer, batch_size, offsets=False)
    contexts = _tokenize([e.context for e in examples], tokenizer, batch_size, offsets=True)
    rows = []
    for index, (example, q_ids, (c_ids, c_start, c_end)) in enumerate(
            zip(examples, questions, contexts)):
        q_ids = q_ids[:max_query_length]
        window = max_length - len(q_ids) - 3
        answer = next((a for a in example.answers if a.start is not None), None)
        begin = 0
        while True:
            end = min(begin + window, len(c_ids))
            rows.append(_window(index, q_ids, c_ids, c_start, c_end, begin, end, answer,
                                max_length, cls_id, sep_id, pad_id))
            if end >= len(c_ids):
                break
            begin = end - doc_stride
    if not rows:
        return _empty(max_length)
    columns = list(zip(*rows))
    return QAFeatures(
        token_ids=np.stack(columns[0]).astype(np.int32),
        segment_ids=np.stack(columns[1]).astype(np.int32),
        padding_mask=np.stack(columns[2]).astype(np.int32),
        offsets=np.stack(columns[3]).astype(np.int64),
        example_index=np.asarray(columns[4], np.int32),
        start_positions=np.asarray(columns[5], np.int32),
        end_positions=np.asarray(columns[6], np.int32))


def _tokenize(texts, tokenizer, batch_size, offsets):
    out = []
    for i in range(0, len(texts), batch_size):
        batch = texts[i:i + batch_size]
        if offsets:
            ids, starts, ends = tokenizer.tokenize_with_offsets(batch)
            out.extend(zip(ids.to_list(), starts.to_list(), ends.to_list()))
        else:
            out.extend(tokenizer(batch).to_list())
    return out


def _window(index, q_ids, c_ids, c_start, c_end, begin, end, answer, max_length,
            cls_id, sep_id, pad_id):
    context_at = 2 + len(q_ids)   # [CLS] question [SEP]
    token_ids = [cls_id] + q_ids + [sep_id] + c_ids[begin:end] + [sep_id]
    n = len(token_ids)
    segment_ids = [0] * context_at + [1] * (n - context_at)
    offsets = np.full((max_length, 2), -1, np.int64)
    offsets[context_at:context_at + end - begin, 0] = c_start[begin:end]
    offsets[context_at:context_at + end - begin, 1] = c_end[begin:end]
    start_position = end_position = 0
    if answer is not None and end > begin:
        # First token ending after the answer starts, last starting before it ends.
        first = int(np.searchsorted(c_end[begin:end], answer.start, side="right"))
        last = int(np.searchsorted(c_start[begin:end], answer.end, side="left")) - 1
        whole = (c_start[begin] <= answer.start and c_end[end - 1] >= answer.end)
        if whole and first <= last:
            start_position, end_position = context_at + first, context_at + last
    padding = max_length - n
    return (token_ids + [pad_id] * padding, segment_ids + [0] * padding,
            [1] * n + [0] * padding, offsets, index, start_position, end_position)


def _empty(max_length):
    zeros = np.zeros((0, max_length), np.int32)
    return QAFeatures(zeros, zeros, zeros, np.zeros((0, max_length, 2), np.int64),
                      np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0, np.int32))
