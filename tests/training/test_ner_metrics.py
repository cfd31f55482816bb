"""Entity-level P/R/F1 on hand cases, and against seqeval when installed."""

import random

import pytest

from bert_keras.errors import InputError
from bert_keras.training.ner_metrics import entity_scores, get_entities


def test_get_entities_conlleval_rules():
    assert get_entities(["B-PER", "I-PER", "O", "I-LOC", "I-LOC", "B-LOC", "I-ORG"]) == [
        ("PER", 0, 1), ("LOC", 3, 4), ("LOC", 5, 5), ("ORG", 6, 6)]
    assert get_entities(["O", "O"]) == []
    assert get_entities(["B-X", "B-X", "I-X"]) == [("X", 0, 0), ("X", 1, 2)]


def test_scores_hand_case():
    gold = [["B-PER", "I-PER", "O", "B-LOC"], ["B-ORG", "O"]]
    pred = [["B-PER", "O", "O", "B-LOC"], ["B-ORG", "B-ORG"]]
    s = entity_scores(gold, pred)
    # Correct: LOC, ORG (2); predicted 4; gold 3.
    assert s["precision"] == pytest.approx(50.0)
    assert s["recall"] == pytest.approx(200 / 3)
    assert s["f1"] == pytest.approx(2 * 50 * (200 / 3) / (50 + 200 / 3))
    assert s["per_type"]["PER"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}
    assert s["per_type"]["ORG"]["precision"] == 50.0 and s["per_type"]["ORG"]["recall"] == 100.0


def test_length_mismatch():
    with pytest.raises(InputError, match="sentence 0"):
        entity_scores([["O"]], [["O", "O"]])


def test_matches_seqeval_on_random_tags():
    seqeval = pytest.importorskip("seqeval.metrics")
    rng = random.Random(0)
    tags = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "I-ORG"]
    gold = [[rng.choice(tags) for _ in range(rng.randint(1, 12))] for _ in range(300)]
    pred = [[t if rng.random() < 0.7 else rng.choice(tags) for t in s] for s in gold]
    ours = entity_scores(gold, pred)
    assert ours["f1"] == pytest.approx(100 * seqeval.f1_score(gold, pred))
    assert ours["precision"] == pytest.approx(100 * seqeval.precision_score(gold, pred))
    assert ours["recall"] == pytest.approx(100 * seqeval.recall_score(gold, pred))
    report = seqeval.classification_report(gold, pred, output_dict=True)
    for kind, scores in ours["per_type"].items():
        assert scores["f1"] == pytest.approx(100 * report[kind]["f1-score"]), kind
        assert scores["support"] == report[kind]["support"], kind


def test_docstring_examples():
    import doctest

    from bert_keras.training import ner_metrics, qa_metrics
    for module in (ner_metrics, qa_metrics):
        result = doctest.testmod(module, verbose=False)
        assert result.attempted > 0 and result.failed == 0, module.__name__
