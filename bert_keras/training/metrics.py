"""Task metrics on whole evaluation sets: accuracy, F1, Matthews
correlation, Pearson and Spearman.

They are computed once over all predictions (F1 and MCC do not average over
batches), with numpy. During `fit` the progress bar shows Keras'
`SparseCategoricalAccuracy` / `MeanSquaredError` (see `keras_metrics`).

    >>> import numpy as np
    >>> compute_metrics(("f1", "accuracy"), np.array([1, 0, 1, 1]),
    ...                 np.array([[0., 1.], [1., 0.], [1., 0.], [0., 1.]]))
    {'f1': 80.0, 'accuracy': 75.0}

Scores are in percent (as GLUE reports them).
"""

import numpy as np
from bert_keras.errors import InputError


def accuracy(labels, predicted):
    return float(np.mean(np.asarray(labels) == np.asarray(predicted)))


def f1(labels, predicted):
    """Binary F1 of class 1; macro-averaged F1 for more classes."""
    labels, predicted = np.asarray(labels), np.asarray(predicted)
    classes = np.union1d(labels, predicted)
    if set(classes.tolist()) <= {0, 1}:
        classes = [1]
    scores = []
    for c in classes:
        tp = np.sum((predicted == c) & (labels == c))
        fp = np.sum((predicted == c) & (labels != c))
        fn = np.sum((predicted != c) & (labels == c))
        scores.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return float(np.mean(scores))


def matthews_corrcoef(labels, predicted):
    """Matthews correlation (the multi-class form, R_K); 0 when undefined."""
    labels, predicted = np.asarray(labels), np.asarray(predicted)
    classes = np.union1d(labels, predicted)
    confusion = np.zeros((len(classes), len(classes)))
    np.add.at(confusion, (np.searchsorted(classes, labels),
                          np.searchsorted(classes, predicted)), 1)
    t, p = confusion.sum(axis=1), confusion.sum(axis=0)
    n, correct = confusion.sum(), np.trace(confusion)
    denominator = np.sqrt((n * n - p @ p) * (n * n - t @ t))
    return 0.0 if denominator == 0 else float((correct * n - t @ p) / denominator)


def pearson(labels, predicted):
    x, y = np.asarray(labels, "float64"), np.asarray(predicted, "float64")
    if x.std() == 0 or y.std() == 0:
        return 0.0
    return float(np.corrcoef(x, y)[0, 1])


def spearman(labels, predicted):
    return pearson(_ranks(labels), _ranks(predicted))


def _ranks(x):
    """Ranks with ties averaged."""
    x = np.asarray(x, "float64")
    order = np.argsort(x, kind="mergesort")
    ranks = np.empty(len(x))
    ranks[order] = np.arange(len(x))
    _, inverse, counts = np.unique(x, return_inverse=True, return_counts=True)
    sums = np.bincount(inverse, weights=ranks)
    return sums[inverse] / counts[inverse]


METRICS = {"accuracy": accuracy, "f1": f1, "mcc": matthews_corrcoef,
           "pearson": pearson, "spearman": spearman}


def compute_metrics(names, labels, outputs):
    """`outputs` are logits `[n, classes]` (argmax is the prediction) or
    regression values `[n]` / `[n, 1]`. Returns {name: percent}."""
    outputs = np.asarray(outputs)
    if outputs.ndim == 2 and outputs.shape[1] > 1:
        predicted = outputs.argmax(axis=1)
    else:
        predicted = outputs.reshape(-1)
    unknown = [n for n in names if n not in METRICS]
    if unknown:
        raise InputError(f"unknown metric(s) {unknown}; known: {', '.join(METRICS)}")
    return {n: round(100.0 * METRICS[n](labels, predicted), 4) for n in names}


def keras_metrics(regression):
    """Cheap running metrics for the progress bar during `fit`."""
    import keras

    if regression:
        return [keras.metrics.MeanSquaredError(name="mse")]
    return [keras.metrics.SparseCategoricalAccuracy(name="accuracy")]
