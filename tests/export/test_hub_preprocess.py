"""The preprocess SavedModel, loaded as a TF Hub consumer would
(`hub.load`; the ops come from `tensorflow_text`)."""

import os
import shutil

import numpy as np
import pytest
import tensorflow as tf

hub = pytest.importorskip("tensorflow_hub")

from bert_keras.tokenization import BertPacker, BertPreprocessor  # noqa: E402
from tests.conftest import TINY_VOCAB  # noqa: E402
from tests.export.conftest import SEQ_LENGTH  # noqa: E402

SENTENCES = ["hello world", "The cats sat on the mat, running!", "dog? not good", ""]


@pytest.fixture(scope="module")
def preprocess(tiny_exports):
    return hub.load(tiny_exports["trainable"]["preprocess"])


@pytest.fixture(scope="module")
def tokenizer(tiny_keras):
    return tiny_keras[2]


def test_call_matches_keras_preprocessor(preprocess, tokenizer):
    out = preprocess(tf.constant(SENTENCES))
    want = BertPreprocessor(tokenizer, sequence_length=SEQ_LENGTH)(tf.constant(SENTENCES))
    assert sorted(out) == ["input_mask", "input_type_ids", "input_word_ids"]
    for key in out:
        assert out[key].dtype == tf.int32
        assert out[key].shape == (len(SENTENCES), SEQ_LENGTH)
    np.testing.assert_array_equal(out["input_word_ids"], want["token_ids"])
    np.testing.assert_array_equal(out["input_mask"], want["padding_mask"])
    np.testing.assert_array_equal(out["input_type_ids"], want["segment_ids"])
    # "hello world" -> [CLS] hello world [SEP] [PAD]...
    v = TINY_VOCAB.index
    assert out["input_word_ids"][0, :5].numpy().tolist() == [
        v("[CLS]"), v("hello"), v("world"), v("[SEP]"), v("[PAD]")]


def test_tokenize_is_word_level_ragged(preprocess, tokenizer):
    tokens = preprocess.tokenize(tf.constant(SENTENCES))
    assert isinstance(tokens, tf.RaggedTensor)
    assert tokens.ragged_rank == 2 and tokens.dtype == tf.int32
    assert tokens.to_list() == tokenizer.tokenize_words(tf.constant(SENTENCES)).to_list()
    v = TINY_VOCAB.index
    # "running" is two pieces of one word.
    assert [v("run"), v("##ning")] in tokens.to_list()[1]


def test_special_tokens_dict(preprocess):
    ids = preprocess.tokenize.get_special_tokens_dict()
    assert {k: int(x) for k, x in ids.items()} == {
        "vocab_size": len(TINY_VOCAB),
        "padding_id": TINY_VOCAB.index("[PAD]"),
        "start_of_sequence_id": TINY_VOCAB.index("[CLS]"),
        "end_of_segment_id": TINY_VOCAB.index("[SEP]"),
        "mask_id": TINY_VOCAB.index("[MASK]"),
    }
    for x in ids.values():
        assert x.dtype == tf.int32 and x.shape == ()


@pytest.mark.parametrize("rank", [1, 2])
@pytest.mark.parametrize("num_segments", [1, 2])
def test_bert_pack_inputs(preprocess, tokenizer, rank, num_segments):
    first = preprocess.tokenize(tf.constant(["the cat sat on the mat .", "hello"]))
    second = preprocess.tokenize(tf.constant(["a dog is running", "the movie is not bad !"]))
    segments = [first, second][:num_segments]
    if rank == 1:
        segments = [s.merge_dims(-2, -1) for s in segments]
    flat = tuple(s.merge_dims(-2, -1) if s.ragged_rank == 2 else s for s in segments)
    ids = tokenizer.special_tokens_dict()
    for seq_length in (SEQ_LENGTH, 7):   # default, then a runtime length that trims
        if seq_length == SEQ_LENGTH:
            out = preprocess.bert_pack_inputs(segments)
        else:
            out = preprocess.bert_pack_inputs(segments, seq_length=tf.constant(seq_length))
        want = BertPacker(seq_length, ids["start_of_sequence_id"], ids["end_of_segment_id"],
                          ids["padding_id"])(flat)
        assert out["input_word_ids"].shape == (2, seq_length)
        np.testing.assert_array_equal(out["input_word_ids"], want["token_ids"])
        np.testing.assert_array_equal(out["input_type_ids"], want["segment_ids"])
        np.testing.assert_array_equal(out["input_mask"], want["padding_mask"])


def test_round_robin_trimming(preprocess):
    v = TINY_VOCAB.index
    a = tf.ragged.constant([[v("the"), v("cat"), v("sat"), v("on"), v("mat")]], tf.int32)
    b = tf.ragged.constant([[v("a"), v("dog")]], tf.int32)
    out = preprocess.bert_pack_inputs([a, b], seq_length=tf.constant(6))
    # budget 3 for the text: two from a, one from b.
    assert out["input_word_ids"].numpy().tolist() == [
        [v("[CLS]"), v("the"), v("cat"), v("[SEP]"), v("a"), v("[SEP]")]]
    assert out["input_type_ids"].numpy().tolist() == [[0, 0, 0, 0, 1, 1]]


def test_bad_inputs(preprocess):
    empty = preprocess(tf.constant([], tf.string))
    assert empty["input_word_ids"].shape == (0, SEQ_LENGTH)
    with pytest.raises((TypeError, ValueError), match="string"):
        preprocess(tf.constant([1, 2]))
    with pytest.raises((TypeError, ValueError), match=r"shape=\(1, 1\)"):
        preprocess(tf.constant([["hello"]]))


def test_nothing_to_train_and_vocab_asset(preprocess, tiny_exports):
    assert list(preprocess.variables) == [] and list(preprocess.trainable_variables) == []
    path = preprocess.vocab_file.asset_path.numpy().decode()
    assert path.startswith(tiny_exports["trainable"]["preprocess"])
    with open(path, encoding="utf-8") as f:
        assert f.read().splitlines() == TINY_VOCAB


def test_moved_directory_still_loads(tiny_exports, tmp_path):
    src = tiny_exports["frozen"]["out"]
    copy = tmp_path / "copy"
    shutil.copytree(src, copy)
    moved = tmp_path / "renamed elsewhere"
    os.rename(copy, moved)
    preprocess = hub.load(str(moved / "preprocess"))
    out = preprocess(tf.constant(["hello world"]))
    want = hub.load(tiny_exports["frozen"]["preprocess"])(tf.constant(["hello world"]))
    np.testing.assert_array_equal(out["input_word_ids"], want["input_word_ids"])
    assert preprocess.vocab_file.asset_path.numpy().decode().startswith(str(moved))


def test_tf_keras_pair_model_as_in_tf_hub_docs(tiny_exports):
    """The documented TF Hub recipe for sentence pairs: hub.KerasLayer on
    `.tokenize` and on `.bert_pack_inputs` with `arguments=dict(seq_length=...)`."""
    tf_keras = pytest.importorskip("tf_keras")
    path = tiny_exports["trainable"]["preprocess"]
    preprocess = hub.load(path)
    texts = [tf_keras.layers.Input(shape=(), dtype=tf.string) for _ in range(2)]
    tokenize = hub.KerasLayer(preprocess.tokenize)
    pack = hub.KerasLayer(preprocess.bert_pack_inputs, arguments=dict(seq_length=10))
    model = tf_keras.Model(texts, pack([tokenize(t) for t in texts]))
    a, b = tf.constant(["the cat sat on the mat"]), tf.constant(["hello world"])
    out = model([a, b])
    want = preprocess.bert_pack_inputs([preprocess.tokenize(a), preprocess.tokenize(b)],
                                       seq_length=tf.constant(10))
    assert out["input_word_ids"].shape == (1, 10)
    for key in want:
        np.testing.assert_array_equal(out[key], want[key])
