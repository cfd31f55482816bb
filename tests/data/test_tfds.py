"""TFDS loading (offline here): the mapping is tested with a stand-in
builder that behaves like `tfds.builder("glue/...")`."""

import types

import tensorflow as tf

from bert_keras.data.tfds import load_tfds


class FakeBuilder:
    def __init__(self, rows, label_names):
        self.rows = rows
        label = types.SimpleNamespace(names=label_names)
        self.info = types.SimpleNamespace(features={"label": label})

    def as_dataset(self, split):
        assert split == "validation"
        columns = {k: [r[k] for r in self.rows] for k in self.rows[0]}
        return tf.data.Dataset.from_tensor_slices(columns)


def test_mnli_labels_are_mapped_by_name():
    # TFDS orders MNLI labels entailment, neutral, contradiction.
    builder = FakeBuilder([
        {"premise": "a", "hypothesis": "b", "label": 0, "idx": 0},
        {"premise": "c", "hypothesis": "d", "label": 2, "idx": 1},
    ], ["entailment", "neutral", "contradiction"])
    ex = load_tfds("mnli", "validation", _builder=builder)
    assert ex.text_a == ["a", "c"] and ex.text_b == ["b", "d"]
    assert ex.labels == [1, 0]  # ours: contradiction, entailment, neutral


def test_sst2_and_unlabelled_split():
    builder = FakeBuilder([{"sentence": "fine", "label": 1, "idx": 0}], ["negative", "positive"])
    assert load_tfds("sst2", "validation", _builder=builder).labels == [1]
    test = FakeBuilder([{"sentence": "x", "label": -1, "idx": 0}], ["negative", "positive"])
    assert load_tfds("sst2", "validation", _builder=test).labels is None
