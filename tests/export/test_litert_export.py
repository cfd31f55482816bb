"""`export --format litert`: the tiny encoder and classifier run through
the LiteRT interpreter match the Keras model within 1e-4 on SST-2 dev
sentences, strings in both ways: through `model_strings.tflite` (tokenizer
in the graph, tensorflow_text kernels registered) and through `model.tflite`
with the exported tokenizer.json; the embedded MiniLM in a slow optional
test."""

import numpy as np
import pytest

from tests.export.runtime_fixtures import (  # noqa: F401  (fixture)
    SEQ_LENGTH, check_runtime_parity, slow, sst2_dev, tiny_runtime_models)

pytest.importorskip("ai_edge_litert")
pytest.importorskip("tensorflow")


@pytest.fixture(scope="module")
def tiny_litert(tiny_runtime_models, tmp_path_factory):
    """{kind: export directory} of the tiny encoder and classifier."""
    from bert_keras.export.runtime_export import export_runtime

    root = tmp_path_factory.mktemp("litert")
    return {kind: export_runtime(tiny_runtime_models[kind], str(root / kind), "litert",
                                 seq_length=SEQ_LENGTH, verbose=False)["out"]
            for kind in ("encoder", "classifier")}


@pytest.mark.parametrize("inputs", ["strings", "ids"])
@pytest.mark.parametrize("kind", ["encoder", "classifier"])
def test_tiny_litert_matches_keras(kind, inputs, tiny_runtime_models, tiny_litert):
    diffs = check_runtime_parity("litert", tiny_runtime_models[kind], kind,
                                 exported=tiny_litert[kind], inputs=inputs)
    assert set(diffs) == ({"probabilities"} if kind == "classifier"
                          else {"pooled_output", "sequence_output", "embedding"})


def test_strings_model_packs_as_our_preprocessor(tiny_runtime_models, tiny_litert):
    """The strings-in model's packed ids (an output of it) are our
    tokenizer's, and the metadata names the model and its inputs."""
    from bert_keras.checkpoints.convert import load_model_dir
    from bert_keras.tokenization.factory import build_tokenizer
    from bert_keras.export.runtime_export import load_runtime
    from bert_keras.tokenization.preprocessor import BertPreprocessor

    runtime = load_runtime(tiny_litert["encoder"])
    assert runtime.metadata["strings_model_file"] == "model_strings.tflite"
    assert runtime.metadata["strings_inputs"] == ["text"]
    assert max(runtime.metadata["strings_max_abs_diff"].values()) <= 1e-4
    texts = sst2_dev(100) + ["Café naïve 中文 ﬁ ＡＢＣ", ""]
    got = runtime(texts)
    tokenizer = build_tokenizer(load_model_dir(tiny_runtime_models["encoder"]))
    want = BertPreprocessor(tokenizer, SEQ_LENGTH, dynamic_length=True)(texts)
    np.testing.assert_array_equal(got["input_word_ids"], want["token_ids"])
    np.testing.assert_array_equal(got["input_mask"], want["padding_mask"])
    np.testing.assert_array_equal(got["input_type_ids"], want["segment_ids"])


@slow
@pytest.mark.parametrize("inputs", ["strings", "ids"])
def test_minilm_litert_matches_keras(inputs, tmp_path_factory):
    out = tmp_path_factory.getbasetemp() / "minilm_litert"
    check_runtime_parity("litert", "minilm-l6-h384-uncased", "encoder", str(out), n=200,
                         inputs=inputs, exported=str(out) if out.exists() else None)


def test_pair_classifier_strings_model(tiny_runtime_models, tmp_path):
    """A sentence-pair classifier: `text` and `text_b` in, round-robin
    truncation to the task's length as our preprocessor, probabilities as
    the Keras model's on MRPC dev pairs (many longer than 64 tokens)."""
    import keras

    from bert_keras.checkpoints.convert import load_model_dir
    from bert_keras.models.factory import build_encoder
    from bert_keras.export.runtime_export import export_runtime, load_runtime
    from bert_keras.tasks.classifier import (
        build_classifier, load_classifier, predict, save_classifier)
    from tests.tokenization.test_tokenizer_parity import mrpc_dev_sentences

    md = load_model_dir(tiny_runtime_models["encoder"])
    keras.utils.set_random_seed(6)
    model = build_classifier(build_encoder(md), num_classes=2, dropout=0.0, pooling="mean")
    head = model.get_layer("classifier")
    rng = np.random.default_rng(7)
    head.dense.kernel.assign(rng.normal(0, 2.0, tuple(head.dense.kernel.shape)).astype("float32"))
    task = {"type": "classification", "num_classes": 2, "labels": ["no", "yes"], "pair": True,
            "sequence_length": SEQ_LENGTH, "task_name": "mrpc", "pooling": "mean"}
    src = save_classifier(model, str(tmp_path / "mrpc"), md, task)
    out = export_runtime(src, str(tmp_path / "litert"), "litert", verbose=False)["out"]
    runtime = load_runtime(out)
    assert runtime.metadata["strings_inputs"] == ["text", "text_b"]
    sentences = mrpc_dev_sentences()
    half = len(sentences) // 2
    a, b = sentences[:40], sentences[half:half + 40]
    got = runtime(a, b)
    assert got["input_word_ids"].shape[1] == SEQ_LENGTH  # some pairs were truncated
    keras_model, preprocessor, stored = load_classifier(src)
    want = np.array([p["probabilities"] for p in predict(keras_model, preprocessor, stored, a, b)])
    assert np.abs(got["probabilities"] - want).max() <= 1e-4
    assert np.std(want) > 1e-2
