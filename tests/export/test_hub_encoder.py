"""The encoder SavedModel: TF Hub's Reusable SavedModel API, trainable and
frozen, `.mlm`, `serving_default`, and consumers (hub.load in a process
without bert_keras, hub.KerasLayer in tf_keras, re-saving a wrapping model)."""

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

hub = pytest.importorskip("tensorflow_hub")

from bert_keras.tokenization import BertPreprocessor  # noqa: E402
from tests.export.conftest import SEQ_LENGTH  # noqa: E402

FORMS = ["trainable", "frozen"]
SENTENCES = ["hello world", "the cat sat on the mat .", "a good movie , not bad !"]


@pytest.fixture(scope="module")
def loaded(tiny_exports):
    return {form: (hub.load(p["preprocess"]), hub.load(p["encoder"]))
            for form, p in tiny_exports.items()}


def _keras_outputs(tiny_keras, sentences, positions=None):
    encoder, head, tokenizer = tiny_keras
    x = BertPreprocessor(tokenizer, sequence_length=SEQ_LENGTH)(tf.constant(sentences))
    out = encoder(x, training=False)
    out = {k: (np.asarray(v) if k != "encoder_outputs" else [np.asarray(e) for e in v])
           for k, v in out.items()}
    if positions is not None:
        out["mlm_logits"] = np.asarray(head(out["sequence_output"], mask_positions=positions))
    return out


@pytest.mark.parametrize("form", FORMS)
def test_matches_keras(loaded, tiny_keras, form):
    preprocess, encoder = loaded[form]
    out = encoder(preprocess(tf.constant(["hello world"])))
    want = _keras_outputs(tiny_keras, ["hello world"])
    assert sorted(out) == ["default", "encoder_outputs", "pooled_output", "sequence_output"]
    assert out["pooled_output"].shape == (1, 32)
    assert out["sequence_output"].shape == (1, SEQ_LENGTH, 32)
    np.testing.assert_allclose(out["pooled_output"], want["pooled_output"], atol=1e-5)
    np.testing.assert_allclose(out["default"], want["pooled_output"], atol=1e-5)
    np.testing.assert_allclose(out["sequence_output"], want["sequence_output"], atol=1e-5)
    assert len(out["encoder_outputs"]) == 2
    for got, ref in zip(out["encoder_outputs"], want["encoder_outputs"]):
        np.testing.assert_allclose(got, ref, atol=1e-5)
    np.testing.assert_array_equal(out["encoder_outputs"][-1], out["sequence_output"])
    # Not a trivially small output: the comparison means something.
    assert np.abs(want["pooled_output"]).max() > 0.1


@pytest.mark.parametrize("form", FORMS)
def test_dynamic_batch_and_length(loaded, form):
    _, encoder = loaded[form]
    for batch, length in ((1, 3), (4, 9)):
        ids = tf.fill([batch, length], 7)
        out = encoder({"input_word_ids": ids, "input_mask": tf.ones_like(ids),
                       "input_type_ids": tf.zeros_like(ids)})
        assert out["sequence_output"].shape == (batch, length, 32)


def test_dropout_only_in_trainable_form_with_training(loaded):
    for form in FORMS:
        preprocess, encoder = loaded[form]
        x = preprocess(tf.constant(SENTENCES))
        base = encoder(x, training=False)["pooled_output"].numpy()
        again = encoder(x, training=False)["pooled_output"].numpy()
        train = encoder(x, training=True)["pooled_output"].numpy()
        np.testing.assert_array_equal(base, again)
        if form == "trainable":
            assert np.abs(train - base).max() > 1e-3
            # The dropout seed state advances: two training calls differ.
            assert np.abs(encoder(x, training=True)["pooled_output"].numpy() - train).max() > 1e-3
        else:
            np.testing.assert_array_equal(train, base)


def test_variables(loaded, tiny_keras):
    encoder = tiny_keras[0]
    n_weights = len(encoder.trainable_weights)
    n_seeds = len(encoder.variables) - len(encoder.weights)
    assert n_seeds > 0
    _, trainable = loaded["trainable"]
    assert len(trainable.trainable_variables) == n_weights
    assert len(trainable.variables) == n_weights + n_seeds
    assert all(v.trainable for v in trainable.trainable_variables)
    assert list(trainable.regularization_losses) == []
    shapes = sorted(tuple(v.shape) for v in trainable.trainable_variables)
    assert shapes == sorted(tuple(w.shape) for w in encoder.trainable_weights)
    _, frozen = loaded["frozen"]
    assert list(frozen.variables) == [] and list(frozen.trainable_variables) == []
    # The MLM head's variables stay on .mlm, not on the root.
    assert len(trainable.mlm.variables) == len(trainable.variables) + 5
    assert len(trainable.mlm.trainable_variables) == n_weights + 5
    assert list(frozen.mlm.trainable_variables) == []


@pytest.mark.parametrize("form", FORMS)
def test_mlm(loaded, tiny_keras, form):
    preprocess, encoder = loaded[form]
    x = dict(preprocess(tf.constant(SENTENCES[:2])))
    positions = np.array([[1, 2, 0], [3, 1, 4]], "int32")
    x["masked_lm_positions"] = tf.constant(positions)
    out = encoder.mlm(x)
    want = _keras_outputs(tiny_keras, SENTENCES[:2], positions)
    assert out["mlm_logits"].shape == (2, 3, tiny_keras[0].config.vocab_size)
    np.testing.assert_allclose(out["mlm_logits"], want["mlm_logits"], atol=1e-4)
    np.testing.assert_allclose(out["pooled_output"], want["pooled_output"], atol=1e-5)
    assert np.abs(want["mlm_logits"]).max() > 0.5


def test_mlm_needs_a_head(tiny_model_dirs, tmp_path):
    from bert_keras.export import export_hub

    with pytest.raises(ValueError, match="no masked-LM head"):
        export_hub(tiny_model_dirs["plain"], str(tmp_path / "x"), with_mlm=True, verbose=False)
    assert not os.path.exists(tmp_path / "x")


def test_legacy_attributes(loaded, tiny_exports):
    from tests.conftest import TINY_VOCAB

    _, encoder = loaded["trainable"]
    assert encoder.do_lower_case.dtype == tf.bool and bool(encoder.do_lower_case.numpy())
    assert not encoder.do_lower_case.trainable
    path = encoder.vocab_file.asset_path.numpy().decode()
    assert path.startswith(tiny_exports["trainable"]["encoder"])
    with open(path, encoding="utf-8") as f:
        assert f.read().splitlines() == TINY_VOCAB


def test_bad_inputs_name_the_expected_ones(loaded):
    _, encoder = loaded["trainable"]
    ids = tf.constant([[2, 15, 3]])
    with pytest.raises((ValueError, TypeError), match="input_type_ids"):
        encoder({"input_word_ids": ids, "input_mask": tf.ones_like(ids)})
    with pytest.raises((ValueError, TypeError), match="int32"):
        encoder({"input_word_ids": tf.cast(ids, tf.float32), "input_mask": tf.ones_like(ids),
                 "input_type_ids": tf.zeros_like(ids)})


@pytest.mark.parametrize("form", FORMS)
def test_serving_signature(loaded, form):
    preprocess, encoder = loaded[form]
    x = preprocess(tf.constant(SENTENCES))
    serve = encoder.signatures["serving_default"]
    flat = serve(**x)
    assert sorted(flat) == ["encoder_outputs_0", "encoder_outputs_1", "pooled_output",
                            "sequence_output"]
    out = encoder(x)
    np.testing.assert_allclose(flat["pooled_output"], out["pooled_output"], atol=1e-6)
    np.testing.assert_allclose(flat["encoder_outputs_0"], out["encoder_outputs"][0], atol=1e-6)
    flat_pre = preprocess.signatures["serving_default"](sentences=tf.constant(SENTENCES))
    np.testing.assert_array_equal(flat_pre["input_word_ids"], x["input_word_ids"])


CONSUMER = r"""
import json, sys
import tensorflow as tf
import tensorflow_hub as hub
import tensorflow_text  # noqa: F401  (registers the preprocessing ops)
out = {}
for form, (pre, enc) in json.loads(sys.argv[1]).items():
    preprocess, encoder = hub.load(pre), hub.load(enc)
    out[form] = encoder(preprocess(tf.constant(["hello world"])))["pooled_output"].numpy().tolist()
out["modules"] = sorted(m for m in sys.modules if m.split(".")[0] in ("bert_keras", "keras_hub"))
print(json.dumps(out))
"""


def test_consumer_process_without_bert_keras(tiny_exports, tiny_keras, tmp_path):
    """hub.load in a fresh process that imports only tensorflow,
    tensorflow_text and tensorflow_hub."""
    paths = {f: (p["preprocess"], p["encoder"]) for f, p in tiny_exports.items()}
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH="")
    result = subprocess.run([sys.executable, "-c", CONSUMER, json.dumps(paths)],
                            capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["modules"] == []
    want = _keras_outputs(tiny_keras, ["hello world"])["pooled_output"]
    for form in FORMS:
        np.testing.assert_allclose(np.array(out[form]), want, atol=1e-5)


def test_tf_keras_model_saved_moved_reloaded(tiny_exports, tmp_path):
    """(d) A tf_keras model wrapping both hub layers is saved, the export it
    was built from is deleted, the saved model is moved, and it reloads
    with the same outputs (the vocab Asset travels with it)."""
    tf_keras = pytest.importorskip("tf_keras")
    export = tmp_path / "export"
    shutil.copytree(tiny_exports["trainable"]["out"], export)
    text = tf_keras.layers.Input(shape=(), dtype=tf.string)
    inputs = hub.KerasLayer(str(export / "preprocess"))(text)
    encoder_layer = hub.KerasLayer(str(export / "encoder"), trainable=True)
    pooled = encoder_layer(inputs)["pooled_output"]
    model = tf_keras.Model(text, tf_keras.layers.Dense(2)(pooled))
    assert len(encoder_layer.trainable_weights) == len(
        hub.load(str(export / "encoder")).trainable_variables)
    sentences = tf.constant(SENTENCES)
    want = model(sentences).numpy()
    model.save(str(tmp_path / "saved"))
    shutil.rmtree(export)
    os.rename(tmp_path / "saved", tmp_path / "moved")
    reloaded = tf_keras.models.load_model(str(tmp_path / "moved"))
    np.testing.assert_allclose(reloaded(sentences).numpy(), want, atol=1e-5)
    # A vocab Asset is inside the re-saved model, not pointing at the export.
    assets = os.listdir(tmp_path / "moved" / "assets")
    assert "vocab.txt" in assets


def test_frozen_fallback_keeps_variables_untrainable(tiny_keras, tmp_path, monkeypatch):
    """Models too big to fold into one GraphDef keep their variables in the
    frozen form: none trainable, dropout never on, same outputs."""
    from bert_keras.export import hub_encoder

    encoder, head, _ = tiny_keras
    vocab = tmp_path / "vocab.txt"
    vocab.write_text("[PAD]\n")
    monkeypatch.setattr(hub_encoder, "MAX_FROZEN_BYTES", 0)
    root, signatures, info = hub_encoder.build_encoder_module(
        encoder, str(vocab), True, frozen=True, mlm_head=head)
    assert info == {"form": "frozen", "folded": False}
    tf.saved_model.save(root, str(tmp_path / "encoder"), signatures=signatures)
    loaded = hub.load(str(tmp_path / "encoder"))
    assert len(loaded.variables) == len(encoder.variables)
    assert list(loaded.trainable_variables) == [] and list(loaded.mlm.trainable_variables) == []
    ids = tf.constant([[2, 15, 16, 3]])
    x = {"input_word_ids": ids, "input_mask": tf.ones_like(ids), "input_type_ids": tf.zeros_like(ids)}
    want = encoder({"token_ids": ids, "segment_ids": tf.zeros_like(ids),
                    "padding_mask": tf.ones_like(ids)})["pooled_output"]
    np.testing.assert_allclose(loaded(x, training=True)["pooled_output"], want, atol=1e-5)
    x["masked_lm_positions"] = tf.constant([[1, 2]])
    assert loaded.mlm(x, training=True)["mlm_logits"].shape == (1, 2, encoder.config.vocab_size)
