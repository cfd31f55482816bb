"""Task metrics against hand-computed values."""

import numpy as np
import pytest

from bert_keras.training import metrics as m


def test_accuracy_and_binary_f1():
    y, p = [1, 1, 0, 0, 1], [1, 0, 0, 1, 1]
    assert m.accuracy(y, p) == pytest.approx(0.6)
    # tp 2, fp 1, fn 1 -> F1 = 4 / 6
    assert m.f1(y, p) == pytest.approx(2 / 3)
    assert m.f1([0, 0], [0, 0]) == 0.0  # no positives predicted or true


def test_macro_f1_for_more_classes():
    y, p = [0, 1, 2, 2], [0, 2, 2, 2]
    # class 0: 1.0; class 1: 0.0; class 2: tp 2 fp 1 fn 0 -> 0.8
    assert m.f1(y, p) == pytest.approx((1.0 + 0.0 + 0.8) / 3)


def test_matthews_corrcoef():
    y, p = [1, 1, 1, 0, 0, 0], [1, 1, 0, 0, 0, 1]
    tp, tn, fp, fn = 2, 2, 1, 1
    expected = (tp * tn - fp * fn) / np.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    assert m.matthews_corrcoef(y, p) == pytest.approx(expected)
    assert m.matthews_corrcoef([1, 0, 1], [1, 1, 1]) == 0.0  # constant prediction
    assert m.matthews_corrcoef([0, 1, 2], [0, 1, 2]) == pytest.approx(1.0)


def test_pearson_and_spearman_with_ties():
    x = [1.0, 2.0, 3.0, 4.0]
    assert m.pearson(x, [2.0, 4.0, 6.0, 8.0]) == pytest.approx(1.0)
    assert m.spearman(x, [1.0, 10.0, 100.0, 1000.0]) == pytest.approx(1.0)
    # ties get average ranks: [1, 2.5, 2.5, 4] vs [1, 2, 3, 4]
    assert m.spearman([1, 2, 2, 3], [1, 2, 3, 4]) == pytest.approx(
        np.corrcoef([1, 2.5, 2.5, 4], [1, 2, 3, 4])[0, 1])


def test_compute_metrics_from_logits_and_values():
    logits = np.array([[2.0, 1.0], [0.0, 3.0], [1.0, 0.0]])
    assert m.compute_metrics(("accuracy", "f1"), [0, 1, 1], logits) == {
        "accuracy": pytest.approx(66.6667, abs=1e-3), "f1": pytest.approx(66.6667, abs=1e-3)}
    values = np.array([[0.5], [1.5], [2.5]])
    assert m.compute_metrics(("pearson",), [0.0, 1.0, 2.0], values)["pearson"] == pytest.approx(100.0)
    with pytest.raises(ValueError, match="unknown metric"):
        m.compute_metrics(("bleu",), [0], logits[:1])
