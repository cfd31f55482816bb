"""The Keras models of fine-tuned QA and NER model directories, as the
serving exports need them: encoder inputs dict -> QA `(start_logits,
end_logits)` `[batch, length]` / NER logits `[batch, length, labels]`,
float32, with the tokenizer and the stored `task` entry.

They follow the model-directory contract of the QA/NER task kinds (heads
`"span"` / `"token_classifier"` in the one weight layout). Built here from
the directory, not through `bert_keras.tasks.question_answering` /
`token_classification`, so the export does not depend on the training-side
classes: the weights are the same tensors either way.

    >>> from bert_keras.export.task_models import load_span_model
    >>> model, tokenizer, task, config = load_span_model("out/squad")  # doctest: +SKIP
"""

import os
import types

import keras

from bert_keras.checkpoints import canonical
from bert_keras.checkpoints.model_dir import META_FILE, read_model_dir
from bert_keras.errors import InputError
from bert_keras.heads.span_head import BertSpanHead
from bert_keras.models.factory import build_encoder
from bert_keras.tokenization.factory import build_tokenizer

INPUT_NAMES = ("token_ids", "segment_ids", "padding_mask")


def load_span_model(src):
    """(keras model -> (start_logits, end_logits), tokenizer, task entry,
    BertConfig) of a fine-tuned QA directory."""
    md, encoder = _read(src, "qa", "span")
    head = BertSpanHead(initializer_range=md.config.initializer_range)
    head.build((None, None, md.config.hidden_size))
    canonical.assign_head(head, "span", md.weights, md.path)
    inputs = _inputs()
    start, end = head(encoder(inputs)["sequence_output"])
    model = keras.Model(inputs, (start, end), name="bert_span_model")
    return model, build_tokenizer(md), md.task, md.config


def load_token_model(src):
    """(keras model -> logits `[batch, length, labels]`, tokenizer, task
    entry, BertConfig) of a fine-tuned NER directory."""
    md, encoder = _read(src, "ner", "token_classifier")
    labels = md.task.get("labels")
    if not isinstance(labels, list) or not labels or "O" not in labels:
        raise InputError(f"{os.path.join(str(src), META_FILE)}: the NER task entry needs "
                         f"\"labels\", a list of IOB2 tags with \"O\"; got {labels!r}")
    dense = keras.layers.Dense(len(labels), name="token_classifier")
    dense.build((None, None, md.config.hidden_size))
    # assign_head finds a head's Dense at attribute `.dense`.
    canonical.assign_head(types.SimpleNamespace(dense=dense), "token_classifier",
                          md.weights, md.path)
    inputs = _inputs()
    logits = keras.layers.Activation("linear", dtype="float32", name="logits")(
        dense(encoder(inputs)["sequence_output"]))
    model = keras.Model(inputs, logits, name="bert_token_model")
    return model, build_tokenizer(md), md.task, md.config


def _inputs():
    return {name: keras.Input(shape=(None,), dtype="int32", name=name) for name in INPUT_NAMES}


def _read(src, kind, head):
    md = read_model_dir(src)
    task = md.task or {}
    if task.get("type") != kind or head not in md.heads:
        raise InputError(f"{src}: not a fine-tuned {kind} model (its task type is "
                         f"{task.get('type')!r}, heads {md.heads})")
    return md, build_encoder(md)
