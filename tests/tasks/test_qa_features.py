"""QA windows: packing, document stride, answer labels, offsets; and on real
data, every labelled span cut from the context by the offsets is the gold
answer (SQuAD v1.1 split and CMRC 2018 dev)."""

import numpy as np
import pytest

from bert_keras import BertTokenizer
from bert_keras.data.squad import Answer, QAExample, read_squad
from bert_keras.errors import InputError
from bert_keras.tasks.qa_features import build_qa_features
from tests.conftest import shared_path

VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "who", "sat", "?", "the",
         "cat", "on", "mat", ".", "a", "dog", "ran"]


@pytest.fixture(scope="module")
def tokenizer():
    return BertTokenizer(VOCAB)


def test_windows_stride_and_labels(tokenizer):
    context = "a dog ran . the cat sat on the mat . a dog ran ."   # 15 tokens
    example = QAExample("q", "who sat ?", context,
                        (Answer("cat sat", context.index("cat sat")),))
    f = build_qa_features([example], tokenizer, max_length=14, doc_stride=3, max_query_length=4)
    # [CLS] + 3 question tokens + [SEP] + [SEP] leave 8 context tokens a
    # window, 3 shared with the next one.
    assert len(f) == 3
    assert f.example_index.tolist() == [0, 0, 0]
    context_ids = [[t for t, s in zip(ids, seg) if s == 1][:-1]
                   for ids, seg in zip(f.token_ids.tolist(), f.segment_ids.tolist())]
    full = tokenizer(context).numpy().tolist()
    assert context_ids == [full[0:8], full[5:13], full[10:15]]
    # "cat sat" is context tokens 5-6: in windows 0 and 1, not 2.
    assert f.start_positions.tolist() == [5 + 5, 5 + 0, 0]
    assert f.end_positions.tolist() == [5 + 6, 5 + 1, 0]
    for w in range(2):
        s, e = f.start_positions[w], f.end_positions[w]
        assert context[f.offsets[w, s, 0]:f.offsets[w, e, 1]] == "cat sat"
    assert (f.offsets[:, :5] == -1).all()   # [CLS] question [SEP]
    assert (f.offsets[2, 5 + 5:] == -1).all()   # [SEP] and padding
    assert f.padding_mask[2].sum() == 5 + 5 + 1
    assert f.token_ids.dtype == np.int32 and f.offsets.dtype == np.int64


def test_answer_cut_by_window_edge_is_cls(tokenizer):
    context = "a dog ran the cat sat"
    example = QAExample("q", "who", context, (Answer("ran the cat", 6),))
    f = build_qa_features([example], tokenizer, max_length=8, doc_stride=1, max_query_length=1)
    # Windows of 4 context tokens: [a dog ran the] [the cat sat]: never whole.
    assert f.start_positions.tolist() == [0, 0] and f.end_positions.tolist() == [0, 0]


def test_no_answers_and_unplaced_answers(tokenizer):
    examples = [QAExample("a", "who", "the cat"), QAExample("b", "who", "the cat", (Answer("x", None),))]
    f = build_qa_features(examples, tokenizer)
    assert f.start_positions.tolist() == [0, 0] and f.example_index.tolist() == [0, 1]
    assert f.token_ids.shape == (2, 384)


def test_bad_lengths(tokenizer):
    with pytest.raises(InputError, match="max_length"):
        build_qa_features([QAExample("a", "who", "the cat")], tokenizer, max_length=64)


def _check_real(path, vocab, limit):
    tokenizer = BertTokenizer(vocab)
    examples = read_squad(path).examples[:limit]
    f = build_qa_features(examples, tokenizer)
    results = {}
    for w in np.flatnonzero(f.start_positions):
        k = int(f.example_index[w])
        example = examples[k]
        s, e = f.start_positions[w], f.end_positions[w]
        got = example.context[f.offsets[w, s, 0]:f.offsets[w, e, 1]]
        gold = next(a for a in example.answers if a.start is not None).text
        results.setdefault(k, (got, gold))
    placed = [k for k, e in enumerate(examples) if any(a.start is not None for a in e.answers)]
    assert sorted(results) == placed   # every placed answer is in some window
    wrong = {k: v for k, v in results.items() if v[0] != v[1]}
    return len(results), wrong


def test_squad_answers_map_back(uncased_vocab):
    """All 5,696 questions of the SQuAD train split: 27 answers (0.5%) do not
    map back exactly; all of them start or end inside a token ("gold" of
    "golden", "8" of "18"), which no token span can express."""
    n, wrong = _check_real(shared_path("SQuAD", "train-split-v1.1.json"), uncased_vocab, None)
    assert n == 5696
    assert len(wrong) <= 0.01 * n, wrong
    for got, gold in wrong.values():
        assert gold.strip() in got or got in gold, (got, gold)


def test_cmrc2018_answers_map_back(chinese_vocab):
    n, wrong = _check_real(shared_path("CMRC2018", "cmrc2018_dev.json"), chinese_vocab, 1000)
    assert n > 900
    assert len(wrong) <= 0.01 * n, wrong
