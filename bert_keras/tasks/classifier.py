"""Sentence (pair) classifiers and regressors: build, save, load, predict.

A fine-tuned classifier is a normal model directory whose `bert_keras.json`
has a `task` entry (a `Task`, see `bert_keras.data.tasks`: name, labels,
pair, type, sequence_length, pooling, and the columns of custom data) and
whose weights include the classifier head (its tensors are named by the one
weight layout in `bert_keras.checkpoints`).

`pooling` is what the head reads: "cls", BERT's pooler output (tanh dense
on `[CLS]`), or "mean", the average of the token vectors over the padding
mask (how sentence-transformers checkpoints such as the embedded MiniLM were
trained; their pooler was not).

    >>> import bert_keras
    >>> from bert_keras.tasks.classifier import build_classifier
    >>> encoder = bert_keras.BertEncoder(bert_keras.BertConfig.preset("tiny", vocab_size=100))
    >>> model = build_classifier(encoder, num_classes=2)
    >>> import numpy as np
    >>> x = {"token_ids": np.array([[2, 7, 3]]), "segment_ids": np.zeros((1, 3), "int32"),
    ...      "padding_mask": np.ones((1, 3), "int32")}
    >>> model(x).shape
    TensorShape([1, 2])
"""

import os

import keras
import numpy as np

from bert_keras.checkpoints import canonical
from bert_keras.models.factory import build_encoder
from bert_keras.tokenization.factory import build_tokenizer
from bert_keras.checkpoints.model_dir import META_FILE, BertModelDir, read_model_dir
from bert_keras.checkpoints.convert import read_any
from bert_keras.data.tasks import Task, task_from_dict
from bert_keras.heads.classification_head import BertClassificationHead
from bert_keras.models.encoder import BertEncoder
from bert_keras.tokenization.preprocessor import BertPreprocessor
from bert_keras.training.strategy import MultiWorkerFitMixin
from bert_keras.errors import InputError


POOLINGS = ("cls", "mean")


class BertClassifier(MultiWorkerFitMixin, keras.Model):
    """The functional classifier graph, with `fit` under `--strategy`
    training on exactly the batches a single device sees."""


def build_classifier(encoder, num_classes, dropout=0.1, pooling="cls"):
    """encoder inputs dict -> logits `[batch, num_classes]` (float32 even
    under a mixed precision policy, so losses and softmax stay exact)."""
    if num_classes < 1:
        raise InputError(f"num_classes must be at least 1, got {num_classes}")
    if pooling not in POOLINGS:
        raise InputError(f"pooling must be one of {POOLINGS}, got {pooling!r}")
    inputs = {name: keras.Input(shape=(None,), dtype="int32", name=name)
              for name in ("token_ids", "segment_ids", "padding_mask")}
    outputs = encoder(inputs)
    if pooling == "cls":
        pooled = outputs["pooled_output"]
    else:
        # The pooler is unused: frozen, so no "gradients do not exist" warning
        # (its weights are still saved, unchanged).
        encoder.pooled_dense.trainable = False
        pooled = keras.layers.GlobalAveragePooling1D(
            dtype=encoder.dtype_policy, name="mean_pooling")(
                outputs["sequence_output"], mask=inputs["padding_mask"])
    head = BertClassificationHead(
        num_classes, dropout=dropout, initializer_range=encoder.config.initializer_range,
        dtype=encoder.dtype_policy, name="classifier")
    logits = keras.layers.Activation("linear", dtype="float32", name="logits")(head(pooled))
    return BertClassifier(inputs=inputs, outputs=logits, name="bert_classifier")


def classifier_parts(model):
    """(encoder, head) of a model made by `build_classifier`."""
    encoder = next(l for l in model.layers if isinstance(l, BertEncoder))
    head = next(l for l in model.layers if isinstance(l, BertClassificationHead))
    return encoder, head


def classifier_weights(model):
    """All weights in the canonical layout, head included."""
    encoder, head = classifier_parts(model)
    weights = canonical.read_encoder(encoder)
    weights.update(canonical.read_head(head, "classifier"))
    return weights


def save_classifier(model, out, base, task):
    """Writes `model` as a model directory at `out`.

    `base` is the `BertModelDir` it was fine-tuned from (vocab, tokenizer
    settings, config; its `source` is recorded); `task` the `Task` (or its
    `to_dict()`). Each file
    is written beside the target and renamed into place, so a crash never
    leaves a torn weights file; other files in `out` (training state, logs)
    are kept.
    """
    encoder, _ = classifier_parts(model)
    task = task.to_dict() if isinstance(task, Task) else task
    md = BertModelDir(config=encoder.config, vocab=base.vocab,
                      weights=classifier_weights(model), tokenizer=base.tokenizer,
                      heads=["classifier"], source=base.source or base.path or "", task=task,
                      files=base.files)
    from bert_keras.training.checkpoint import save_model_files

    return save_model_files(md, out)


def load_classifier(src, dtype=None, sequence_length=None):
    """(keras model, preprocessor, `Task`) of a fine-tuned model directory."""
    md = read_model_dir(src) if os.path.isdir(str(src)) else read_any(src)
    if not md.task or "classifier" not in md.heads:
        raise InputError(f"{src} is not a fine-tuned classifier (no task/classifier "
                         "head in its bert_keras.json); fine-tune it first with "
                         "`bert-keras finetune`")
    task = task_from_dict(md.task, os.path.join(str(src), META_FILE))
    encoder = build_encoder(md, dtype=dtype)
    model = build_classifier(encoder, task.num_classes, dropout=0.0, pooling=task.pooling)
    _, head = classifier_parts(model)
    canonical.assign_head(head, "classifier", md.weights, str(src))
    preprocessor = BertPreprocessor(
        build_tokenizer(md), sequence_length or task.sequence_length,
        dynamic_length=True, max_sequence_length=md.config.max_position_embeddings)
    return model, preprocessor, task


def predict(model, preprocessor, task, text_a, text_b=None, batch_size=32):
    """Predictions for lists of strings: a list of dicts with `label` (name,
    or index when the task has no names) and `probabilities` (classification)
    or `score` (regression)."""
    if isinstance(text_a, (str, bytes)):
        text_a = [text_a]
    if isinstance(text_b, (str, bytes)):
        text_b = [text_b]
    if task.pair and text_b is None:
        raise InputError(f"task {task.name!r} takes sentence pairs: give TEXT_B too")
    if not task.pair and text_b is not None:
        raise InputError(f"task {task.name!r} takes single sentences, not pairs")
    if text_b is not None and len(text_b) != len(text_a):
        raise InputError(f"{len(text_a)} first segments but {len(text_b)} second segments")
    # Batches of `batch_size`: memory stays that of one batch, whatever the
    # number of texts (5,000 texts at once would need many GB).
    outputs = []
    for start in range(0, len(text_a), batch_size):
        a = text_a[start:start + batch_size]
        x = preprocessor(a if text_b is None else (a, text_b[start:start + batch_size]))
        outputs.append(np.asarray(model(x, training=False), "float32"))
    if not outputs:
        return []
    outputs = np.concatenate(outputs)
    bad = np.flatnonzero(~np.isfinite(outputs).all(axis=1))
    if bad.size:
        # NaN probabilities would print as a confident-looking label.
        raise InputError(f"the model's outputs are NaN/Inf for {bad.size} of {len(outputs)} "
                         f"texts (first: text {int(bad[0])}); the model is broken")
    if task.regression:
        return [{"score": float(v)} for v in outputs.reshape(-1)]
    probs = _softmax(outputs)
    names = task.display_labels
    results = []
    for p in probs:
        i = int(p.argmax())
        results.append({"label": names[i] if names else i, "label_id": i,
                        "probabilities": [round(float(v), 6) for v in p]})
    return results


def _softmax(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)
