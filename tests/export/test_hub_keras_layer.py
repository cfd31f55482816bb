"""Consumers of our TF-Hub exports that fine-tune them in `fit`:
`hub.KerasLayer` in a tf_keras model (issue item 5b) and `bert_keras.HubLayer`
in a Keras 3 model (5c), each with the trainable and the frozen export.

"Weights change" compares the encoder SavedModel's `trainable_variables`
before and after `fit`; "weights do not change" compares all its variables
and the encoder's outputs on fixed sentences, while the Dense head (which
always trains) must change."""

import numpy as np
import pytest
import tensorflow as tf

TEXTS = ["the cat sat on the mat", "the dog is bad", "a good movie !",
         "not a good movie", "the cat is good", "bad dogs"] * 2
LABELS = np.array([1, 0, 1, 0, 1, 0] * 2)

# (export form, layer trainable, encoder weights expected to change)
CASES = [("trainable", True, True), ("trainable", False, False), ("frozen", True, False)]


def _values(variables):
    return [np.array(v.numpy()) for v in variables]


def _unchanged(before, variables):
    return all(np.array_equal(b, v.numpy()) for b, v in zip(before, variables))


def _check_fit(encoder_obj, head, fit, features, expect_change):
    tuned_before = _values(encoder_obj.trainable_variables)
    all_before = _values(encoder_obj.variables)
    head_before = _values(head.weights)
    features_before = features()
    history = fit()
    assert np.isfinite(history.history["loss"]).all()
    assert not any(np.array_equal(b, np.array(w.numpy()))
                   for b, w in zip(head_before, head.weights))
    if expect_change:
        assert tuned_before, "a trainable export must list trainable_variables"
        assert not any(np.array_equal(b, v.numpy())
                       for b, v in zip(tuned_before, encoder_obj.trainable_variables))
    else:
        assert _unchanged(all_before, encoder_obj.variables)
        np.testing.assert_array_equal(features_before, features())


@pytest.mark.parametrize("form,trainable,expect_change", CASES)
def test_tf_keras_hub_keras_layer_fit(tiny_exports, form, trainable, expect_change):
    hub = pytest.importorskip("tensorflow_hub")
    tf_keras = pytest.importorskip("tf_keras")
    paths = tiny_exports[form]
    tf_keras.utils.set_random_seed(0)
    preprocess = hub.KerasLayer(paths["preprocess"])
    encoder = hub.KerasLayer(paths["encoder"], trainable=trainable)
    text = tf_keras.Input(shape=(), dtype=tf.string)
    head = tf_keras.layers.Dense(2)
    model = tf_keras.Model(text, head(encoder(preprocess(text))["pooled_output"]))
    model.compile(tf_keras.optimizers.Adam(1e-3),
                  tf_keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    assert (len(encoder.trainable_weights) > 0) == expect_change
    x = tf.constant(TEXTS)
    _check_fit(
        encoder.resolved_object, head,
        fit=lambda: model.fit(x, LABELS, batch_size=4, epochs=1, verbose=0),
        features=lambda: encoder(preprocess(x))["pooled_output"].numpy(),
        expect_change=expect_change)


# trainable=False on the trainable export is covered on small SavedModels in
# tests/layers/test_hub_layer.py; here the two forms of our export.
@pytest.mark.parametrize("form,trainable,expect_change", [CASES[0], CASES[2]])
def test_keras3_hub_layer_fit(tiny_exports, form, trainable, expect_change):
    import keras

    from bert_keras import HubLayer

    paths = tiny_exports[form]
    keras.utils.set_random_seed(0)
    preprocess = HubLayer(paths["preprocess"])
    if form == "frozen" and trainable:
        with pytest.warns(UserWarning, match="zero trainable weights"):
            encoder = HubLayer(paths["encoder"], trainable=trainable)
    else:
        encoder = HubLayer(paths["encoder"], trainable=trainable)
    text = keras.Input(shape=(), dtype="string")
    head = keras.layers.Dense(2)
    model = keras.Model(text, head(encoder(preprocess(text))["pooled_output"]))
    model.compile(keras.optimizers.Adam(1e-3),
                  keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    assert (len(encoder.trainable_weights) > 0) == expect_change
    x = np.array(TEXTS, dtype=object)  # Keras adapters reject numpy "<U" arrays
    _check_fit(
        encoder.resolved_object, head,
        fit=lambda: model.fit(x, LABELS, batch_size=4, epochs=1, verbose=0),
        features=lambda: encoder(preprocess(tf.constant(TEXTS)))["pooled_output"].numpy(),
        expect_change=expect_change)


def test_keras3_hub_layer_sub_objects(tiny_exports):
    """`bert_pack_inputs` and `encoder.mlm` through `attribute=` (so the
    layers stay serializable), with runtime `arguments`."""
    from bert_keras import HubLayer

    paths = tiny_exports["trainable"]
    tokenize = HubLayer(paths["preprocess"], attribute="tokenize")
    pack = HubLayer(paths["preprocess"], attribute="bert_pack_inputs",
                    arguments={"seq_length": 12})
    mlm = HubLayer(paths["encoder"], attribute="mlm", trainable=True)
    tokens = tokenize(tf.constant(["the cat sat", "a dog"]))
    inputs = pack([tokens, tokens])
    assert inputs["input_word_ids"].shape == (2, 12)
    inputs["masked_lm_positions"] = tf.constant([[1, 2], [1, 0]], tf.int32)
    out = mlm(inputs, training=False)
    assert out["mlm_logits"].shape[:2] == (2, 2)
    assert len(mlm.trainable_weights) == len(mlm.resolved_object.mlm.trainable_variables) > 0
    assert pack.get_config()["arguments"] == {"seq_length": 12}
