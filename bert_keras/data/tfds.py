"""Loading GLUE tasks from TensorFlow Datasets (`glue/sst2`, `glue/mrpc`, ...).

    >>> from bert_keras.data.tfds import load_tfds
    >>> train = load_tfds("sst2", "train")  # doctest: +SKIP

This downloads through TFDS (or reads `data_dir`); with no network, point
`data_dir` at a prepared TFDS directory. TFDS label ids are mapped to this
package's label order by name (TFDS MNLI orders entailment, neutral,
contradiction; the GLUE TSVs and our registry use contradiction,
entailment, neutral).
"""

from bert_keras.data.examples import DataError, Examples
from bert_keras.errors import InputError

TFDS_FIELDS = {
    "sst2": ("sentence", None), "cola": ("sentence", None),
    "mrpc": ("sentence1", "sentence2"), "rte": ("sentence1", "sentence2"),
    "qnli": ("question", "sentence"), "mnli": ("premise", "hypothesis"),
    "stsb": ("sentence1", "sentence2"),
}


def load_tfds(task, split, data_dir=None, limit=None, _builder=None):
    """Reads split `split` of `glue/<task>` into `Examples` (class indices in
    the order of `bert_keras.data.tasks.get_task(task).labels`)."""
    from bert_keras.data.tasks import get_task

    if task not in TFDS_FIELDS:
        raise InputError(f"no TFDS mapping for task {task!r}; known: {', '.join(TFDS_FIELDS)}")
    spec = get_task(task)
    if _builder is None:
        import tensorflow_datasets as tfds

        _builder = tfds.builder(f"glue/{task}", data_dir=data_dir)
        _builder.download_and_prepare()
    ds = _builder.as_dataset(split=split)
    if limit:
        ds = ds.take(limit)
    first, second = TFDS_FIELDS[task]
    label_map = _label_map(_builder, spec)
    a, b, labels = [], [] if second else None, []
    for row in ds.as_numpy_iterator():
        a.append(row[first].decode("utf-8"))
        if second:
            b.append(row[second].decode("utf-8"))
        label = row["label"]
        if spec.regression:
            labels.append(float(label))
        elif label < 0:  # GLUE test splits have no labels (-1)
            labels = None
        elif labels is not None:
            labels.append(label_map[int(label)])
    if not a:
        raise DataError(f"tfds:glue/{task}[{split}]", None, "no rows")
    return Examples(a, b, labels, source=f"tfds:glue/{task}[{split}]")


def _label_map(builder, spec):
    """TFDS class id -> our class id, matched by label name."""
    if spec.regression:
        return None
    names = list(builder.info.features["label"].names)
    ours = [n.lower() for n in spec.display_labels]
    if all(n.lower() in ours for n in names):
        return {i: ours.index(n.lower()) for i, n in enumerate(names)}
    return {i: i for i in range(len(names))}
