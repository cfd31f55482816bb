"""`export-serving`: a model directory as ONE strings-in serving SavedModel,
picked by the directory's stored task type.

    classification / regression -> classifier_export  (text[, text_b] -> label, probabilities | score)
    qa                          -> qa_export          (question, context -> answer, score, start, end)
    ner                         -> ner_export         (text -> padded entities)
    no task (a plain model directory, a built-in name or a checkpoint)
                                -> embedding_export   (text -> embedding), as `export-embedder`

The layouts are in `export/FORMAT.md`. Every export is staged beside OUT
and renamed into place only when complete and verified against the Python
pipeline.

    >>> from bert_keras.export.serving_export import export_serving
    >>> export_serving("out/squad", "serving/squad")  # doctest: +SKIP
    ('serving/squad', 'qa')
"""

import os

from bert_keras.checkpoints.model_dir import is_model_dir, read_task_entry
from bert_keras.errors import InputError

KINDS = ("classification", "regression", "qa", "ner", "embedding")


def serving_kind(src):
    """What `export_serving` makes of `src`: one of `KINDS`."""
    task = read_task_entry(src) if os.path.isdir(str(src)) and is_model_dir(src) else None
    if not task:
        return "embedding"
    kind = task.get("type", "classification")
    if kind not in KINDS[:-1]:
        raise InputError(f"{src}: no serving export for task type {kind!r} "
                         f"(known: {', '.join(KINDS[:-1])})")
    return kind


def export_serving(src, out, overwrite=False, verify=True):
    """Exports `src` to `out`; returns `(out, kind)`."""
    kind = serving_kind(src)
    if kind in ("classification", "regression"):
        from bert_keras.export.classifier_export import export_classifier as export
    elif kind == "qa":
        from bert_keras.export.qa_export import export_qa as export
    elif kind == "ner":
        from bert_keras.export.ner_export import export_ner as export
    else:
        from bert_keras.export.embedding_export import export_embedder as export
    return export(src, out, overwrite=overwrite, verify=verify), kind
