"""`HubLayer`: Reusable SavedModels inside Keras 3 models, fine-tuned by fit.

Runs on small SavedModels built here with plain TensorFlow (a string
preprocessor with a vocab Asset, an encoder with the TF-Hub BERT interface,
its frozen form) and one saved by tf_keras the way Model Garden saved the
published TF-Hub BERTs, so nothing here depends on this package's exporter
(tests/export/ covers our exports)."""

import os

import keras
import numpy as np
import pytest
import tensorflow as tf

from bert_keras import HubLayer

VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "good", "bad", "movie", "great",
         "awful", "the", "a", "film", "fine", "poor"]
INPUT_KEYS = ("input_word_ids", "input_mask", "input_type_ids")
SEQ = 6
HIDDEN = 8
TEXTS = np.array(["good movie", "bad film", "great film", "awful movie",
                  "a fine film", "the poor movie", "great", "bad"] * 2, dtype=object)
LABELS = np.array([1, 0, 1, 0, 1, 0, 1, 0] * 2)


class ToyPreprocess(tf.Module):
    """Strings -> the three int32 BERT inputs; vocab as a SavedModel Asset."""

    def __init__(self, vocab_file):
        super().__init__()
        self.vocab_file = tf.saved_model.Asset(vocab_file)
        self.table = tf.lookup.StaticHashTable(
            tf.lookup.TextFileInitializer(
                self.vocab_file, tf.string, tf.lookup.TextFileIndex.WHOLE_LINE,
                tf.int64, tf.lookup.TextFileIndex.LINE_NUMBER),
            default_value=1)

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string)])
    def tokenize(self, text):
        words = tf.strings.split(tf.strings.lower(text))
        return tf.cast(self.table.lookup(words), tf.int32)

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string)])
    def __call__(self, text):
        ids = self.tokenize(text)[:, : SEQ - 1]
        ids = tf.concat([tf.fill([tf.shape(text)[0], 1], 2), ids], axis=1)
        word_ids = ids.to_tensor(shape=[None, SEQ])
        return dict(input_word_ids=word_ids,
                    input_mask=tf.cast(word_ids > 0, tf.int32),
                    input_type_ids=tf.zeros_like(word_ids))


class ToyEncoder(tf.__internal__.tracking.AutoTrackable):
    """The TF-Hub BERT encoder interface (Reusable SavedModel API): dict in,
    dict out, `training` traced both ways (dropout), variables,
    trainable_variables (empty when frozen), regularization_losses."""

    def __init__(self, frozen=False):
        g = tf.random.Generator.from_seed(1)
        self.embeddings = tf.Variable(g.normal([len(VOCAB), HIDDEN]), trainable=not frozen,
                                      name="embeddings/word_embeddings")
        self.kernel = tf.Variable(g.normal([HIDDEN, HIDDEN]) * 0.3,
                                  trainable=not frozen, name="layer_0/kernel")
        self.pooler = tf.Variable(g.normal([HIDDEN, HIDDEN]) * 0.3,
                                  trainable=not frozen, name="pooler/kernel")
        self.counter = tf.Variable(0, trainable=False, name="counter")
        weights = [self.embeddings, self.kernel, self.pooler]
        self.variables = weights + [self.counter]
        self.trainable_variables = [] if frozen else weights
        self.regularization_losses = [] if frozen else [
            tf.function(lambda: 1e-3 * tf.reduce_sum(tf.square(self.kernel)),
                        input_signature=[])]
        specs = {k: tf.TensorSpec([None, None], tf.int32, name=k) for k in INPUT_KEYS}
        for training in (False, True):
            self.__call__.get_concrete_function(specs, training=training)

    @tf.function
    def __call__(self, inputs, training=False):
        x = tf.gather(self.embeddings, inputs["input_word_ids"])
        if training:
            x = tf.nn.dropout(x, 0.5)
        mask = tf.cast(inputs["input_mask"], tf.float32)[:, :, None]
        h = tf.tanh(tf.einsum("bsh,hk->bsk", x, self.kernel)) * mask
        pooled = tf.tanh(tf.matmul(h[:, 0], self.pooler))
        return dict(pooled_output=pooled, default=pooled, sequence_output=h,
                    encoder_outputs=[h])


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    """Paths of the toy SavedModels."""
    root = tmp_path_factory.mktemp("hub_toy")
    vocab_file = root / "vocab.txt"
    vocab_file.write_text("\n".join(VOCAB) + "\n")
    paths = {name: str(root / name) for name in ("preprocess", "encoder", "frozen")}
    tf.saved_model.save(ToyPreprocess(str(vocab_file)), paths["preprocess"])
    tf.saved_model.save(ToyEncoder(), paths["encoder"])
    tf.saved_model.save(ToyEncoder(frozen=True), paths["frozen"])
    return paths


def _classifier(preprocess, encoder):
    """The Keras 3 text classifier of the issue: strings -> preprocess ->
    encoder -> Dense."""
    text = keras.Input(shape=(), dtype="string", name="text")
    pooled = encoder(preprocess(text))["pooled_output"]
    logits = keras.layers.Dense(2, name="head")(pooled)
    model = keras.Model(text, logits)
    model.compile(keras.optimizers.Adam(0.05),
                  keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def _values(variables):
    return [np.array(v.numpy()) for v in variables]


def _changed(before, variables):
    return [not np.array_equal(b, a) for b, a in zip(before, _values(variables))]


def _fit(model):
    keras.utils.set_random_seed(0)
    return model.fit(TEXTS, LABELS, batch_size=8, epochs=2, verbose=0)


def test_trainable_encoder_is_fine_tuned_by_fit(toy):
    encoder = HubLayer(toy["encoder"], trainable=True)
    model = _classifier(HubLayer(toy["preprocess"]), encoder)
    saved = encoder.resolved_object
    assert len(encoder.trainable_weights) == 3
    assert len(encoder.non_trainable_weights) == 1
    # The Keras weights are the SavedModel's variables, not copies.
    assert {id(w.value) for w in encoder.weights} == {id(v) for v in saved.variables}
    before = _values(saved.trainable_variables)
    _fit(model)
    assert all(_changed(before, saved.trainable_variables))
    assert saved.counter.numpy() == 0


@pytest.mark.parametrize("form", ["not_trainable", "frozen_export"])
def test_encoder_stays_fixed_while_head_trains(toy, form):
    if form == "frozen_export":
        with pytest.warns(UserWarning, match="zero trainable weights"):
            encoder = HubLayer(toy["frozen"], trainable=True)
    else:
        encoder = HubLayer(toy["encoder"], trainable=False)
    model = _classifier(HubLayer(toy["preprocess"]), encoder)
    assert encoder.trainable_weights == []
    saved = encoder.resolved_object
    head = model.get_layer("head")
    encoder_before = _values(saved.variables)
    head_before = _values(head.weights)
    features_before = encoder(HubLayer(toy["preprocess"])(TEXTS))["pooled_output"].numpy()
    _fit(model)
    assert all(_changed(head_before, head.weights))
    assert not any(_changed(encoder_before, saved.variables))
    features_after = encoder(HubLayer(toy["preprocess"])(TEXTS))["pooled_output"].numpy()
    np.testing.assert_array_equal(features_before, features_after)


def test_training_flag_reaches_savedmodel_only_when_trainable(toy):
    inputs = HubLayer(toy["preprocess"])(TEXTS)
    frozen = HubLayer(toy["encoder"], trainable=False)
    np.testing.assert_array_equal(frozen(inputs, training=True)["sequence_output"],
                                  frozen(inputs, training=False)["sequence_output"])
    tuned = HubLayer(toy["encoder"], trainable=True)
    assert not np.array_equal(tuned(inputs, training=True)["sequence_output"],
                              tuned(inputs, training=False)["sequence_output"])


def test_regularization_losses_join_the_model_when_trainable(toy):
    inputs = HubLayer(toy["preprocess"])(TEXTS)
    tuned = HubLayer(toy["encoder"], trainable=True)
    tuned(inputs, training=True)
    kernel = tuned.resolved_object.kernel.numpy()
    assert len(tuned.losses) == 1
    np.testing.assert_allclose(tuned.losses[0], 1e-3 * np.sum(kernel ** 2), rtol=1e-6)
    fixed = HubLayer(toy["encoder"], trainable=False)
    fixed(inputs, training=True)
    assert fixed.losses == []


def test_trainable_can_be_toggled(toy):
    layer = HubLayer(toy["encoder"])
    assert (len(layer.trainable_weights), len(layer.non_trainable_weights)) == (0, 4)
    layer.trainable = True
    assert (len(layer.trainable_weights), len(layer.non_trainable_weights)) == (3, 1)
    layer.trainable = False
    assert layer.trainable_weights == []


def test_keras_file_round_trip_keeps_fine_tuned_weights(toy, tmp_path):
    encoder = HubLayer(toy["encoder"], trainable=True)
    model = _classifier(HubLayer(toy["preprocess"]), encoder)
    _fit(model)
    path = str(tmp_path / "classifier.keras")
    model.save(path)
    with pytest.raises(ValueError, match="safe_mode=False"):
        keras.saving.load_model(path)
    reloaded = keras.saving.load_model(path, safe_mode=False)
    np.testing.assert_allclose(reloaded.predict(TEXTS, verbose=0),
                               model.predict(TEXTS, verbose=0), atol=1e-6)
    # The reloaded layer loaded the SavedModel from disk (original weights),
    # then received the fine-tuned values from the .keras file.
    reloaded_encoder = next(l for l in reloaded.layers
                            if isinstance(l, HubLayer) and l.trainable)
    for a, b in zip(reloaded_encoder.resolved_object.trainable_variables,
                    encoder.resolved_object.trainable_variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert reloaded_encoder.get_config()["handle"] == toy["encoder"]


def test_published_tf_hub_style_keras2_savedmodel(tmp_path):
    """TF Hub's published BERT encoders are Keras 2 SavedModels (Model
    Garden's `model.save(save_format="tf")`): `__call__(inputs, training,
    mask)`, regularization_losses from kernel regularizers."""
    tf_keras = pytest.importorskip("tf_keras")
    inputs = {k: tf_keras.Input(shape=(None,), dtype=tf.int32, name=k) for k in INPUT_KEYS}
    x = tf_keras.layers.Embedding(len(VOCAB), HIDDEN)(inputs["input_word_ids"])
    x = tf_keras.layers.Dropout(0.1)(x)
    h = tf_keras.layers.Dense(HIDDEN, activation="tanh",
                              kernel_regularizer=tf_keras.regularizers.l2(1e-4))(x)
    pooled = tf_keras.layers.Dense(HIDDEN, activation="tanh")(h[:, 0])
    tf_keras.Model(inputs, dict(pooled_output=pooled, default=pooled, sequence_output=h,
                                encoder_outputs=[h])).save(
        str(tmp_path / "encoder"), include_optimizer=False, save_format="tf")
    tf.saved_model.save(ToyPreprocess(_vocab(tmp_path)), str(tmp_path / "preprocess"))

    encoder = HubLayer(str(tmp_path / "encoder"), trainable=True)
    model = _classifier(HubLayer(str(tmp_path / "preprocess")), encoder)
    saved = encoder.resolved_object
    before = _values(saved.trainable_variables)
    history = _fit(model)
    assert all(_changed(before, saved.trainable_variables))
    assert np.isfinite(history.history["loss"]).all()


def _vocab(tmp_path):
    path = tmp_path / "vocab.txt"
    path.write_text("\n".join(VOCAB) + "\n")
    return str(path)


def test_attribute_output_key_and_loaded_objects(toy):
    tokenize = HubLayer(toy["preprocess"], attribute="tokenize")
    ragged = tokenize(tf.constant(["good movie", "the film is fine"]))
    assert ragged.to_list() == [[4, 6], [9, 11, 1, 12]]
    assert tokenize.get_config()["attribute"] == "tokenize"

    pooled = HubLayer(toy["encoder"], output_key="pooled_output")
    features = pooled(HubLayer(toy["preprocess"])(TEXTS[:3]))
    assert features.shape == (3, HIDDEN)
    with pytest.raises(KeyError, match="pooled_output"):
        HubLayer(toy["encoder"], output_key="pooled")(HubLayer(toy["preprocess"])(TEXTS[:1]))

    loaded = tf.saved_model.load(toy["preprocess"])
    layer = HubLayer(loaded.tokenize)
    assert layer(tf.constant(["bad"])).to_list() == [[5]]
    with pytest.raises(NotImplementedError, match="SavedModel path"):
        layer.get_config()


def test_clear_errors(toy, tmp_path):
    with pytest.raises(FileNotFoundError, match="no SavedModel"):
        HubLayer(str(tmp_path / "missing"))
    with pytest.raises(AttributeError, match="tokenize"):
        HubLayer(toy["preprocess"], attribute="mlm")

    # A Keras 3 `model.export()` artifact has endpoints but no __call__.
    dense = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    exported = str(tmp_path / "exported")
    dense.export(exported, verbose=False)
    with pytest.raises(ValueError, match="not a Reusable SavedModel.*serve"):
        HubLayer(exported)
    served = HubLayer(exported, attribute="serve")
    assert len(served.weights) == 2  # found through the function's captures
    x = np.ones((1, 3), "float32")
    np.testing.assert_allclose(served(x), dense(x), atol=1e-6)
    with pytest.raises(ValueError, match="signatures have no training mode"):
        HubLayer(exported, signature="serving_default", trainable=True)
    by_signature = HubLayer(exported, signature="serving_default")
    assert list(by_signature(tf.constant(x)).values())[0].shape == (1, 2)


def test_keras_model_export_serves_strings_on_its_own(toy, tmp_path):
    """`model.export()` of a Keras 3 model with HubLayers writes one serving
    SavedModel, strings in, that carries the vocab Asset and the fine-tuned
    weights: it still works after the original SavedModels are gone."""
    import shutil

    copy = {k: shutil.copytree(v, tmp_path / "hub" / k) for k, v in toy.items()}
    model = _classifier(HubLayer(str(copy["preprocess"])),
                        HubLayer(str(copy["encoder"]), trainable=True))
    _fit(model)
    expected = model.predict(TEXTS, verbose=0)
    model.export(str(tmp_path / "served"), verbose=False)
    shutil.rmtree(tmp_path / "hub")
    served = tf.saved_model.load(str(tmp_path / "served"))
    np.testing.assert_allclose(served.serve(tf.constant(list(TEXTS))), expected, atol=1e-6)


def test_sequential_model(toy):
    """The most reported hub.KerasLayer failure is Keras 3's "Only instances
    of `keras.Layer` can be added to a Sequential model"."""
    model = keras.Sequential([
        keras.Input(shape=(), dtype="string"),
        HubLayer(toy["preprocess"]),
        HubLayer(toy["encoder"], trainable=True, output_key="pooled_output"),
        keras.layers.Dense(1),
    ])
    assert model.predict(TEXTS[:3], verbose=0).shape == (3, 1)
    assert len(model.trainable_weights) == 3 + 2
