"""`encoder.embed` of the TF-Hub encoder export: the sentence embedding of
the encoder inputs, as `TextEmbedder` computes it, in both forms."""

import numpy as np
import pytest
import tensorflow as tf

from bert_keras.tasks.text_embedder import TextEmbedder
from tests.export.conftest import SEQ_LENGTH

TEXTS = ["the cat sat on the mat .", "hello world !", "", "a dog is running"]


@pytest.mark.parametrize("form", ["trainable", "frozen"])
def test_embed_equals_text_embedder(tiny_exports, tiny_keras, form):
    import tensorflow_text  # noqa: F401

    encoder, _, tokenizer = tiny_keras
    paths = tiny_exports[form]
    preprocess = tf.saved_model.load(paths["preprocess"])
    hub_encoder = tf.saved_model.load(paths["encoder"])
    inputs = preprocess(tf.constant(TEXTS))
    got = hub_encoder.embed(inputs).numpy()  # training defaults to False
    assert got.shape == (len(TEXTS), 32) and got.dtype == np.float32
    want = TextEmbedder(encoder, tokenizer, sequence_length=SEQ_LENGTH).embed(TEXTS)
    assert np.abs(got - want).max() <= 1e-5
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-6)
    # Padding does not change the embedding: a shorter padded batch agrees.
    short = {k: v[:, :10] for k, v in inputs.items()}
    assert np.abs(hub_encoder.embed(short).numpy() - got).max() <= 1e-5


def test_embed_is_a_reusable_object(tiny_exports):
    trainable = tf.saved_model.load(tiny_exports["trainable"]["encoder"])
    frozen = tf.saved_model.load(tiny_exports["frozen"]["encoder"])
    assert len(trainable.embed.trainable_variables) == len(trainable.trainable_variables) > 0
    assert frozen.embed.trainable_variables == [] and frozen.embed.variables == []
    x = {k: tf.constant([[2, 5, 7, 3]]) for k in ("input_word_ids",)}
    x.update(input_mask=tf.ones([1, 4], tf.int32), input_type_ids=tf.zeros([1, 4], tf.int32))
    # dropout is active only with training=True
    a, b = (trainable.embed(x, training=True).numpy() for _ in range(2))
    assert not np.allclose(a, b)
    np.testing.assert_allclose(trainable.embed(x, training=False).numpy(),
                               trainable.embed(x).numpy(), atol=1e-7)
