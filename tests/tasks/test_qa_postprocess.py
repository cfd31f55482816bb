"""QA post-processing: best span over windows, length and context limits,
answers cut from the original context."""

import numpy as np

from bert_keras import BertTokenizer
from bert_keras.data.squad import QAExample
from bert_keras.tasks.qa_features import build_qa_features
from bert_keras.tasks.qa_postprocess import postprocess_qa

VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "who", "cafe", "muller",
         "in", "paris", ",", "the", "best", "."]


def _logits(features, spans):
    """Logits 0 everywhere but 5 at each (window, start) and (window, end)."""
    start = np.zeros(features.token_ids.shape, np.float32)
    end = np.zeros(features.token_ids.shape, np.float32)
    for w, s, e, value in spans:
        start[w, s] = end[w, e] = value
    return start, end


def test_answer_text_from_original_context():
    tokenizer = BertTokenizer(VOCAB)
    context = "the  CAFÉ\u200b Müller, in Paris."
    example = QAExample("q", "who", context)
    f = build_qa_features([example], tokenizer, max_length=16, doc_stride=2, max_query_length=2)
    start, end = _logits(f, [(0, 4, 5, 5.0)])   # [CLS] who [SEP] the cafe muller
    (best,) = postprocess_qa([example], f.offsets, f.example_index, start, end)
    assert best["answer"] == "CAFÉ\u200b Müller"
    assert context[best["start"]:best["end"]] == best["answer"]
    assert 0 < best["score"] <= 1


def test_best_over_windows_and_limits():
    tokenizer = BertTokenizer(VOCAB)
    context = " ".join(["the best"] * 6 + ["in paris"])
    example = QAExample("q", "who", context)
    f = build_qa_features([example], tokenizer, max_length=10, doc_stride=2, max_query_length=1)
    assert len(f) > 2
    last = len(f) - 1
    n = int(f.padding_mask[last].sum())
    start, end = _logits(f, [(0, 3, 4, 3.0), (last, n - 3, n - 2, 4.0)])
    start[0, 0] = end[0, 0] = 100.0   # [CLS]: never an answer here
    (best,) = postprocess_qa([example], f.offsets, f.example_index, start, end)
    assert best["answer"] == "in paris"
    # Too long a span loses to a short one.
    start, end = _logits(f, [(0, 3, 3, 1.0)])
    start[0, 3], end[last, n - 2] = 9.0, 9.0   # same example, windows apart
    (best,) = postprocess_qa([example], f.offsets, f.example_index, start, end,
                             max_answer_length=3)
    assert best["answer"] == "the"


def test_example_without_windows_gets_empty_answer():
    examples = [QAExample("a", "who", "x"), QAExample("b", "who", "y")]
    offsets = np.full((1, 4, 2), -1)
    offsets[0, 2] = [0, 1]
    out = postprocess_qa(examples, offsets, np.array([0]), np.zeros((1, 4)), np.zeros((1, 4)))
    # [CLS] shares the softmax (as in Hugging Face's pipeline): 0.5 * 0.5.
    assert out[0] == {"answer": "x", "score": 0.25, "start": 0, "end": 1}
    assert out[1] == {"answer": "", "score": 0.0, "start": 0, "end": 0}


def test_end_before_start_is_never_chosen():
    example = QAExample("q", "who", "ab cd ef")
    offsets = np.full((1, 6, 2), -1)
    offsets[0, 2:5] = [[0, 2], [3, 5], [6, 8]]
    start = np.full((1, 6), -10.0)
    end = np.full((1, 6), -10.0)
    start[0, 3], end[0, 2] = 10.0, 10.0   # the best pair ends before it starts
    (best,) = postprocess_qa([example], offsets, np.array([0]), start, end)
    assert best["answer"] == "cd"


def test_top_k_answers_best_first_each_span_once():
    tokenizer = BertTokenizer(VOCAB)
    context = " ".join(["the best"] * 6 + ["in paris"])
    example = QAExample("q", "who", context)
    f = build_qa_features([example], tokenizer, max_length=10, doc_stride=2, max_query_length=1)
    start = np.zeros(f.token_ids.shape, np.float32)
    end = np.zeros(f.token_ids.shape, np.float32)
    start[:, 3], end[:, 4] = 3.0, 3.0   # the same kind of span in every window
    start[0, 3], end[0, 4] = 6.0, 6.0   # best in window 0
    answers = postprocess_qa([example], f.offsets, f.example_index, start, end, top_k=3)[0]
    assert len(answers) == 3
    assert len({(a["start"], a["end"]) for a in answers}) == 3
    assert answers[0]["start"] == 0 and answers[0]["answer"] == "the best"
    best = postprocess_qa([example], f.offsets, f.example_index, start, end)[0]
    assert best == answers[0]


def test_score_equals_hugging_face_pipeline_formula():
    """p(start) * p(end), softmax over the context tokens and [CLS] (the
    question, [SEP] and padding masked out), as transformers'
    `select_starts_ends` normalizes them."""
    example = QAExample("q", "who", "ab cd ef")
    offsets = np.full((1, 7, 2), -1)
    offsets[0, 3:6] = [[0, 2], [3, 5], [6, 8]]   # [CLS] q [SEP] ab cd ef [SEP]
    rng = np.random.default_rng(0)
    start, end = rng.normal(size=(1, 7)), rng.normal(size=(1, 7))
    (best,) = postprocess_qa([example], offsets, np.array([0]), start, end)
    keep = np.array([1, 0, 0, 1, 1, 1, 0], bool)

    def softmax(x):
        x = np.where(keep, x, -10000.0)
        x = np.exp(x - x.max())
        return x / x.sum()

    ps, pe = softmax(start[0]), softmax(end[0])
    s = 3 + [0, 3, 6].index(best["start"])
    e = 3 + [2, 5, 8].index(best["end"])
    np.testing.assert_allclose(best["score"], ps[s] * pe[e], rtol=1e-9)
