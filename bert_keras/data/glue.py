"""GLUE TSV formats: which columns hold the texts and the label, and the
label set, for SST-2, CoLA, MRPC, RTE, STS-B, QNLI and MNLI.

    >>> from bert_keras.data.glue import read_glue
    >>> dev = read_glue("sst2", "SST-2/dev.tsv")  # doctest: +SKIP
    >>> dev.text_a[0], dev.labels[0]  # doctest: +SKIP
    ("it 's a charming and often affecting journey . ", 1)

Quirks handled: CoLA has no header and four columns (source, label,
original mark, sentence); MRPC's header starts with a UTF-8 BOM; STS-B's
label is a float score; GLUE files are unquoted TSV (quotes belong to the
text).
"""

from bert_keras.data.tabular import read_table
from bert_keras.errors import InputError

GLUE_FORMATS = {
    "sst2": dict(text_a="sentence", label="label", label_values=["0", "1"],
                 label_names=["negative", "positive"]),
    "cola": dict(text_a=3, label=1, header=False, label_values=["0", "1"],
                 label_names=["unacceptable", "acceptable"]),
    "mrpc": dict(text_a="#1 String", text_b="#2 String", label="Quality",
                 label_values=["0", "1"], label_names=["not_equivalent", "equivalent"]),
    "rte": dict(text_a="sentence1", text_b="sentence2", label="label",
                label_values=["entailment", "not_entailment"]),
    "qnli": dict(text_a="question", text_b="sentence", label="label",
                 label_values=["entailment", "not_entailment"]),
    "mnli": dict(text_a="sentence1", text_b="sentence2", label="gold_label",
                 label_values=["contradiction", "entailment", "neutral"]),
    "stsb": dict(text_a="sentence1", text_b="sentence2", label="score", regression=True),
}


def read_glue(task, path, skip_bad_rows=False):
    """Reads a labelled GLUE TSV of `task` (a key of `GLUE_FORMATS`)."""
    if task not in GLUE_FORMATS:
        raise InputError(f"unknown GLUE task {task!r}; known: {', '.join(GLUE_FORMATS)}")
    spec = dict(GLUE_FORMATS[task])
    spec.pop("label_names", None)
    return read_table(path, fmt="tsv", skip_bad_rows=skip_bad_rows, **spec)
