"""Tiny models for the runtime-export tests (ONNX, OpenVINO, LiteRT,
Node.js): a random 2-layer, hidden-32 encoder with the real uncased BERT
vocabulary (so SST-2 sentences tokenize into real word pieces), and a
single-sentence classifier built on it; plus the Keras reference outputs."""

import csv
import os

import numpy as np
import pytest

from tests.conftest import shared_path

SEQ_LENGTH = 64
SLOW = os.environ.get("BERT_KERAS_SLOW_TESTS") == "1"
slow = pytest.mark.skipif(not SLOW, reason="slow MiniLM export test: set BERT_KERAS_SLOW_TESTS=1")


def sst2_dev(n=None):
    with open(shared_path("SST-2", "dev.tsv"), encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert rows[0] == ["sentence", "label"]
    return [r[0] for r in rows[1:]][:n]


def _tiny_config(vocab_size):
    from bert_keras import BertConfig

    return BertConfig.preset("tiny", vocab_size=vocab_size, num_layers=2, hidden_size=32,
                             num_heads=2, intermediate_size=64, max_position_embeddings=128,
                             initializer_range=0.2)


@pytest.fixture(scope="session")
def tiny_runtime_models(tmp_path_factory, uncased_vocab):
    """{"encoder": model dir, "classifier": fine-tuned-classifier dir}."""
    import keras

    from bert_keras.checkpoints.model_dir import save_model_dir
    from bert_keras.models.factory import build_encoder
    from bert_keras.tasks.classifier import build_classifier, save_classifier
    from bert_keras.tokenization.vocab import load_vocab
    from bert_keras.training.scratch import random_model_dir

    root = tmp_path_factory.mktemp("runtime_models")
    vocab = load_vocab(uncased_vocab)
    md = random_model_dir(_tiny_config(len(vocab)), vocab, seed=3)
    encoder_dir = save_model_dir(md, str(root / "encoder"))
    keras.utils.set_random_seed(4)
    model = build_classifier(build_encoder(md), num_classes=2, dropout=0.0, pooling="mean")
    head = model.get_layer("classifier")
    rng = np.random.default_rng(5)  # a head with real spread, not ~0 logits
    head.dense.kernel.assign(rng.normal(0, 2.0, tuple(head.dense.kernel.shape)).astype("float32"))
    task = {"type": "classification", "num_classes": 2, "labels": ["negative", "positive"],
            "pair": False, "sequence_length": SEQ_LENGTH, "task_name": "sst2", "pooling": "mean"}
    classifier_dir = save_classifier(model, str(root / "classifier"), md, task)
    return {"encoder": encoder_dir, "classifier": classifier_dir}


def keras_reference(model_dir, kind, texts):
    """What the Keras model gives for `texts`: encoder outputs (+ the
    embedding computed here in numpy) or classifier probabilities."""
    from bert_keras.checkpoints.convert import load_model_dir
    from bert_keras.models.factory import build_encoder
    from bert_keras.tokenization.factory import build_tokenizer
    from bert_keras.tasks.classifier import load_classifier, predict
    from bert_keras.tokenization.preprocessor import BertPreprocessor

    if kind == "classifier":
        model, preprocessor, task = load_classifier(model_dir)
        preds = predict(model, preprocessor, task, texts)
        return {"probabilities": np.array([p["probabilities"] for p in preds], np.float32)}
    md = load_model_dir(model_dir)
    encoder = build_encoder(md)
    x = BertPreprocessor(build_tokenizer(md), SEQ_LENGTH, dynamic_length=True)(texts)
    out = encoder(x, training=False)
    seq = np.asarray(out["sequence_output"])
    mask = np.asarray(x["padding_mask"], np.float32)[..., None]
    mean = (seq * mask).sum(1) / mask.sum(1)
    return {"pooled_output": np.asarray(out["pooled_output"]), "sequence_output": seq,
            "embedding": mean / np.linalg.norm(mean, axis=1, keepdims=True)}


def check_runtime_parity(fmt, model_dir, kind, out_dir=None, n=48, atol=1e-4, exported=None,
                         **options):
    """Exports `model_dir` to `fmt` (or takes the export directory
    `exported`), runs `n` SST-2 dev sentences through the runtime (strings
    in: via the exported tokenizer.json, or LiteRT's strings-in model) and
    compares with the Keras model. Returns the per-output max |diff|."""
    from bert_keras.export.runtime_export import export_runtime, load_runtime

    texts = sst2_dev(n)
    if exported is None:
        exported = export_runtime(model_dir, out_dir, fmt, seq_length=SEQ_LENGTH,
                                  verbose=False)["out"]
    runtime = load_runtime(exported, **options)
    if options.get("inputs") == "strings":
        assert runtime.strings_runner is not None
    got = runtime(texts)
    want = keras_reference(model_dir, kind, texts)
    if "sequence_output" in want:
        # load_runtime length-buckets big calls; padding positions then
        # read zero (their values mean nothing in either model).
        want["sequence_output"] = want["sequence_output"] * runtime.encode(texts)["input_mask"][..., None]
    diffs = {k: float(np.abs(got[k] - want[k]).max()) for k in want}
    assert all(d <= atol for d in diffs.values()), diffs
    # Not all-zero or constant outputs: the comparison means something.
    for k in want:
        assert np.std(want[k]) > 1e-2, (k, np.std(want[k]))
    if kind == "classifier":
        labels = runtime.predict_labels(texts)
        assert labels == [["negative", "positive"][i] for i in want["probabilities"].argmax(1)]
        assert len(set(labels)) == 2, "a degenerate classifier: one label for everything"
    return diffs
