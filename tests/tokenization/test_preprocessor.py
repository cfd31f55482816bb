"""`BertPreprocessor`: strings and string pairs to the encoder's inputs,
eagerly and inside `tf.data` (graph mode) with batches of mixed lengths."""

import numpy as np
import pytest
import tensorflow as tf

from bert_keras import BertPreprocessor, BertTokenizer

VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "cat", "sat",
         "on", "mat", "dog", "ran", "."]
ID = {t: i for i, t in enumerate(VOCAB)}
CLS, SEP, PAD = ID["[CLS]"], ID["[SEP]"], ID["[PAD]"]


@pytest.fixture(scope="module")
def tokenizer():
    return BertTokenizer(VOCAB)


@pytest.fixture(scope="module")
def pre(tokenizer):
    return BertPreprocessor(tokenizer, sequence_length=8)


def as_lists(features):
    return {k: np.asarray(v).tolist() for k, v in features.items()}


def test_single_sentences(pre):
    out = as_lists(pre(["The cat sat.", "dog"]))
    assert out["token_ids"] == [
        [CLS, ID["the"], ID["cat"], ID["sat"], ID["."], SEP, PAD, PAD],
        [CLS, ID["dog"], SEP, PAD, PAD, PAD, PAD, PAD]]
    assert out["segment_ids"] == [[0] * 8] * 2
    assert out["padding_mask"] == [[1, 1, 1, 1, 1, 1, 0, 0], [1, 1, 1, 0, 0, 0, 0, 0]]


def test_sentence_pairs_round_robin(pre):
    out = as_lists(pre((["the cat sat on the mat", "dog"], ["the dog ran .", "cat"])))
    # Budget 5 over 6 and 4 tokens: 3 + 2.
    assert out["token_ids"] == [
        [CLS, ID["the"], ID["cat"], ID["sat"], SEP, ID["the"], ID["dog"], SEP],
        [CLS, ID["dog"], SEP, ID["cat"], SEP, PAD, PAD, PAD]]
    assert out["segment_ids"] == [[0, 0, 0, 0, 0, 1, 1, 1], [0, 0, 0, 1, 1, 0, 0, 0]]


def test_waterfall(tokenizer):
    pre = BertPreprocessor(tokenizer, sequence_length=8, truncate="waterfall")
    out = as_lists(pre((["the cat sat on the mat"], ["the dog ran ."])))
    assert out["token_ids"] == [
        [CLS, ID["the"], ID["cat"], ID["sat"], ID["on"], ID["the"], SEP, SEP]]
    assert out["segment_ids"] == [[0, 0, 0, 0, 0, 0, 0, 1]]


def test_labels_and_weights_pass_through(pre):
    x, y = pre(["the cat"], [1])
    assert x["token_ids"].shape == (1, 8) and y == [1]
    x, y, w = pre(["the cat"], [1], [0.5])
    assert w == [0.5]
    # (x, y) as one tuple, as Keras hands it over.
    x, y = pre((["the cat"], [1]))
    assert as_lists(x)["token_ids"][0][:4] == [CLS, ID["the"], ID["cat"], SEP]
    # A pair with a label.
    x, y = pre((["the"], ["cat"]), np.array([0]))
    assert as_lists(x)["segment_ids"] == [[0, 0, 0, 1, 1, 0, 0, 0]]


def test_scalar_string_gives_unbatched_features(pre):
    """As the tokenizer (and keras-hub): a scalar string gives 1-D outputs."""
    out = as_lists(pre("the cat"))
    assert out["token_ids"] == [CLS, ID["the"], ID["cat"], SEP, PAD, PAD, PAD, PAD]
    assert out["padding_mask"] == [1, 1, 1, 1, 0, 0, 0, 0]
    pair = as_lists(pre((tf.constant("the"), tf.constant("cat"))))
    assert pair["segment_ids"] == [0, 0, 0, 1, 1, 0, 0, 0]


def test_tf_data_text_label_mixed_lengths(pre):
    texts = ["the", "the cat sat on the mat . the dog ran", "", "dog ran"]
    ds = tf.data.Dataset.from_tensor_slices((texts, [0, 1, 0, 1])).batch(3).map(pre)
    x_spec, y_spec = ds.element_spec
    assert x_spec["token_ids"].shape.as_list() == [None, 8]
    assert x_spec["token_ids"].dtype == tf.int32
    batches = list(ds)
    assert [b[0]["token_ids"].shape[0] for b in batches] == [3, 1]
    x0 = as_lists(batches[0][0])
    assert x0["token_ids"] == [
        [CLS, ID["the"], SEP, PAD, PAD, PAD, PAD, PAD],
        [CLS, ID["the"], ID["cat"], ID["sat"], ID["on"], ID["the"], ID["mat"], SEP],
        [CLS, SEP, PAD, PAD, PAD, PAD, PAD, PAD]]
    assert x0["padding_mask"] == [[1, 1, 1, 0, 0, 0, 0, 0], [1] * 8, [1, 1, 0, 0, 0, 0, 0, 0]]
    assert batches[0][1].numpy().tolist() == [0, 1, 0]
    assert batches[1][1].numpy().tolist() == [1]


def test_tf_data_pairs_mixed_lengths(pre):
    a = ["the cat sat on the mat", "dog", "the"]
    b = ["the dog ran .", "cat", ""]
    ds = tf.data.Dataset.from_tensor_slices(((a, b), [1, 0, 1])).batch(2).map(pre)
    (x0, y0), (x1, y1) = [(as_lists(x), y.numpy().tolist()) for x, y in ds]
    assert x0["token_ids"] == [
        [CLS, ID["the"], ID["cat"], ID["sat"], SEP, ID["the"], ID["dog"], SEP],
        [CLS, ID["dog"], SEP, ID["cat"], SEP, PAD, PAD, PAD]]
    assert x0["segment_ids"] == [[0, 0, 0, 0, 0, 1, 1, 1], [0, 0, 0, 1, 1, 0, 0, 0]]
    assert x1["token_ids"] == [[CLS, ID["the"], SEP, SEP, PAD, PAD, PAD, PAD]]
    assert x1["segment_ids"] == [[0, 0, 0, 1, 0, 0, 0, 0]]
    assert (y0, y1) == ([1, 0], [1])
    # Pairs without labels, nested or flat: both segments are used.
    for elements in (((a, b),), (a, b)):
        ds = tf.data.Dataset.from_tensor_slices(elements).batch(3).map(pre)
        assert isinstance(ds.element_spec, dict)
        (x,) = list(ds)
        assert as_lists(x)["segment_ids"][1] == [0, 0, 0, 1, 1, 0, 0, 0]
    # Eagerly too: two string batches as two arguments are a pair.
    assert as_lists(pre(["dog"], ["cat"])) == as_lists(pre((["dog"], ["cat"])))


def test_tf_data_dynamic_length(tokenizer):
    pre = BertPreprocessor(tokenizer, sequence_length=16, dynamic_length=True)
    texts = ["the", "the cat sat", "dog", "the cat sat on the mat . the dog ran . the cat sat on"]
    ds = tf.data.Dataset.from_tensor_slices(texts).batch(2).map(pre)
    assert ds.element_spec["token_ids"].shape.as_list() == [None, None]
    shapes = [tuple(x["token_ids"].shape) for x in ds]
    assert shapes == [(2, 5), (2, 16)]


def test_errors(tokenizer, pre):
    with pytest.raises(TypeError, match="BertTokenizer"):
        BertPreprocessor(object())
    with pytest.raises(ValueError, match="one or two segments"):
        pre((["a"], ["b"], ["c"], ["d"]))
    with pytest.raises((ValueError, tf.errors.InvalidArgumentError), match="same batch size"):
        pre((["the", "cat"], ["dog"]))


def test_from_pretrained(minilm_dir):
    pre = BertPreprocessor.from_pretrained(minilm_dir, sequence_length=10)
    out = as_lists(pre((["Hello, world!"], ["Hi"])))
    assert out["token_ids"] == [[101, 7592, 1010, 2088, 999, 102, 7632, 102, 0, 0]]
    assert out["segment_ids"] == [[0, 0, 0, 0, 0, 0, 1, 1, 0, 0]]
