"""ALBERT, ELECTRA and RoBERTa go through what BERT goes through, each with
its own tokenizer (SentencePiece 30k-clean, uncased WordPiece, byte-level
BPE): a tiny random model -> `bert-keras finetune` (a few steps on an SST-2
slice) -> `bert-keras export`, both forms (trainable and frozen) -> in ONE
fresh process that imports only tensorflow, tensorflow_text and
tensorflow_hub, `hub.load` of preprocess + encoder gives the Keras model's
numbers (<= 1e-5); then, in the same process, `hub.KerasLayer` (tf-keras)
of both forms: same outputs, and `fit` trains the trainable form's encoder
and leaves the frozen one alone.

The trainable form goes through the CLI; the frozen one through
`export_hub(verify=False)` (the same code; its self-check is what the fresh
process does here), to keep CI time down.
"""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from bert_keras.cli.main import main as cli_main
from tests.conftest import shared_path
from tests.models.family_fixtures import tiny_family_model

FAMILIES = ("albert", "electra", "roberta")
FORMS = ("trainable", "frozen")
SEQ_LENGTH = 32
ATOL = 1e-5

CONSUMER = r"""
import json, sys
import numpy as np
import tensorflow as tf
import tensorflow_hub as hub
import tensorflow_text  # noqa: F401  (registers the ops)

runs, texts = json.loads(sys.argv[1]), tf.constant(json.loads(sys.argv[2]))
out = {}
for name, (pre, enc) in runs.items():
    encoder = hub.load(enc)
    outputs = encoder(hub.load(pre)(texts))
    out[name] = {"sequence_output": outputs["sequence_output"].numpy().tolist(),
                 "pooled_output": outputs["pooled_output"].numpy().tolist(),
                 "trainable_variables": len(encoder.trainable_variables)}
out["modules"] = sorted(m for m in sys.modules if m.split(".")[0] in ("bert_keras", "keras_hub"))

try:
    import tf_keras
except ImportError:
    tf_keras = None
for name, (pre, enc) in runs.items() if tf_keras else ():
    tf_keras.utils.set_random_seed(0)
    preprocess, encoder = hub.KerasLayer(pre), hub.KerasLayer(enc, trainable=True)
    text = tf_keras.Input(shape=(), dtype=tf.string)
    pooled = encoder(preprocess(text))["pooled_output"]
    model = tf_keras.Model(text, tf_keras.layers.Dense(2)(pooled))
    features = tf_keras.Model(text, pooled)
    before = features(texts).numpy()
    weights = [v.numpy() for v in encoder.resolved_object.variables]
    model.compile(tf_keras.optimizers.Adam(1e-2),
                  tf_keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = model.fit(texts, np.arange(len(texts)) % 2, batch_size=len(texts), epochs=1,
                        verbose=0)
    out[name]["keras_layer"] = {
        "pooled_output": before.tolist(),
        "trainable_weights": len(encoder.trainable_weights),
        "loss_finite": bool(np.isfinite(history.history["loss"]).all()),
        "encoder_changed": any(not np.array_equal(w, v.numpy())
                               for w, v in zip(weights, encoder.resolved_object.variables)),
    }
print(json.dumps(out))
"""


def _sst2_slice(path, n):
    with open(shared_path("SST-2", path), encoding="utf-8") as f:
        return f.read().splitlines()[:n + 1]  # header + n rows


def _keras_reference(model_dir, texts):
    from bert_keras.checkpoints.convert import load_model_dir
    from bert_keras.models.factory import build_encoder
    from bert_keras.tokenization.factory import build_tokenizer
    from bert_keras.tokenization import BertPreprocessor

    model = load_model_dir(model_dir)
    x = BertPreprocessor(build_tokenizer(model), sequence_length=SEQ_LENGTH)(texts)
    out = build_encoder(model)(x, training=False)
    return {k: np.asarray(out[k]) for k in ("sequence_output", "pooled_output")}


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    """Runs the whole chain once for every family; returns (runs, consumer
    output): runs[family] = {"finetuned", "exports", "want", "texts"}."""
    pytest.importorskip("tensorflow_hub")
    from bert_keras.checkpoints.model_dir import save_model_dir
    from bert_keras.export import export_hub

    root = tmp_path_factory.mktemp("family_chain")
    train = root / "train.tsv"
    train.write_text("\n".join(_sst2_slice("train.tsv", 16)) + "\n", encoding="utf-8")
    # Real sentences, one padded to the limit, one outside ASCII.
    texts = [row.split("\t")[0] for row in _sst2_slice("dev.tsv", 3)[1:]]
    texts += ["Café déjà vu: naïve ROBERTA & AlBeRt 2024 !", " ".join(["long"] * 50)]
    runs, paths = {}, {}
    for family in FAMILIES:
        model_dir = save_model_dir(tiny_family_model(family), str(root / family))
        tuned = str(root / f"{family}_sst2")
        assert cli_main(["finetune", model_dir, "--task", "sst2", "--train", str(train),
                         "--out", tuned, "--epochs", "1",
                         "--batch-size", "8", "--max-seq-length", str(SEQ_LENGTH),
                         "--no-tensorboard"]) == 0
        trainable = str(root / f"{family}_trainable")
        assert cli_main(["export", tuned, trainable, "--seq-length", str(SEQ_LENGTH)]) == 0
        frozen = export_hub(tuned, str(root / f"{family}_frozen"), seq_length=SEQ_LENGTH,
                            frozen=True, verify=False, verbose=False)["out"]
        exports = {"trainable": trainable, "frozen": frozen}
        for form, out in exports.items():
            paths[f"{family}/{form}"] = (os.path.join(out, "preprocess"),
                                         os.path.join(out, "encoder"))
        runs[family] = {"finetuned": tuned, "exports": exports,
                        "want": _keras_reference(tuned, texts)}
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH="")
    result = subprocess.run(
        [sys.executable, "-c", CONSUMER, json.dumps(paths), json.dumps(texts)],
        capture_output=True, text=True, env=env, cwd=str(root), timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    return runs, json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("family", FAMILIES)
def test_finetuned_with_its_own_tokenizer(chain, family):
    runs, _ = chain
    meta = json.loads(open(os.path.join(runs[family]["finetuned"], "bert_keras.json")).read())
    assert meta["config"]["model_type"] == family and "classifier" in meta["heads"]
    want = {"albert": "sentencepiece", "electra": "wordpiece", "roberta": "bpe"}[family]
    assert meta["tokenizer"]["type"] == want


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("family", FAMILIES)
def test_hub_load_in_a_fresh_process_matches_keras(chain, family, form):
    runs, got = chain
    assert got["modules"] == []  # neither bert_keras nor keras_hub was needed
    want, out = runs[family]["want"], got[f"{family}/{form}"]
    for key in ("sequence_output", "pooled_output"):
        assert np.std(want[key]) > 1e-2  # outputs with spread: the check means something
        diff = np.abs(np.array(out[key], np.float32) - want[key]).max()
        assert diff <= ATOL, (key, diff)
    assert np.array(out["sequence_output"]).shape == (5, SEQ_LENGTH, 32)
    assert (out["trainable_variables"] > 0) == (form == "trainable")
    card = open(os.path.join(runs[family]["exports"][form], "README.md"),
                encoding="utf-8").read()
    assert f"| Model type | {family} |" in card
    assert ("ELECTRA has no pooler" in card) == (family == "electra")


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("family", FAMILIES)
def test_tf_keras_hub_keras_layer(chain, family, form):
    pytest.importorskip("tf_keras")
    runs, got = chain
    layer = got[f"{family}/{form}"]["keras_layer"]
    diff = np.abs(np.array(layer["pooled_output"], np.float32)
                  - runs[family]["want"]["pooled_output"]).max()
    assert diff <= ATOL
    assert layer["loss_finite"]
    # trainable=True on the frozen form: nothing to train, nothing changes.
    assert (layer["trainable_weights"] > 0) == (form == "trainable")
    assert layer["encoder_changed"] == (form == "trainable")
