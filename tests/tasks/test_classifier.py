"""build / save / load / predict of fine-tuned classifiers."""

import json
import os

import numpy as np
import pytest

from bert_keras.models.factory import build_encoder
from bert_keras.tokenization.factory import build_tokenizer
from bert_keras.data.tasks import get_task
from bert_keras.tasks.classifier import (
    build_classifier, classifier_parts, load_classifier, predict, save_classifier)
from bert_keras.tokenization import BertPreprocessor
from tests.tiny_classifier import tiny_model_dir


@pytest.fixture(scope="module")
def base():
    return tiny_model_dir()


def test_build_outputs_float32_logits_even_in_bf16(base):
    model = build_classifier(build_encoder(base, dtype="mixed_bfloat16"), 3)
    pre = BertPreprocessor(build_tokenizer(base), 16, dynamic_length=True)
    logits = model(pre(["the movie was good ."]))
    assert tuple(logits.shape) == (1, 3)
    assert logits.dtype.name == "float32"


def test_save_load_round_trip(base, tmp_path):
    model = build_classifier(build_encoder(base), 2, dropout=0.0)
    _, head = classifier_parts(model)
    head.dense.bias.assign(np.array([-5.0, 5.0], "float32"))  # always "positive"
    task = get_task("sst2").to_dict(32)
    out = save_classifier(model, tmp_path / "clf", base, task)
    meta = json.load(open(os.path.join(out, "bert_keras.json")))
    assert meta["task"]["labels"] == ["negative", "positive"] and meta["heads"] == ["classifier"]

    loaded, pre, loaded_task = load_classifier(out)
    assert loaded_task.num_classes == 2 and pre.sequence_length == 32
    texts = ["the movie was good .", "awful acting"]
    x = pre(texts)
    np.testing.assert_allclose(loaded(x), model(x, training=False), atol=1e-6)

    # Saving again over a directory with other files keeps them.
    (tmp_path / "clf" / "training").mkdir()
    save_classifier(model, out, base, task)
    assert os.path.isdir(tmp_path / "clf" / "training")

    results = predict(loaded, pre, loaded_task, texts)
    assert [r["label"] for r in results] == ["positive"] * 2
    assert all(abs(sum(r["probabilities"]) - 1) < 1e-5 for r in results)


def test_predict_checks_pairs(base, tmp_path):
    model = build_classifier(build_encoder(base), 2)
    out = save_classifier(model, tmp_path / "mrpc", base, get_task("mrpc").to_dict(32))
    loaded, pre, task = load_classifier(out)
    with pytest.raises(ValueError, match="takes sentence pairs"):
        predict(loaded, pre, task, ["only one"])
    result = predict(loaded, pre, task, ["a movie"], ["a film"])
    assert result[0]["label"] in ("not_equivalent", "equivalent")


def test_load_refuses_a_plain_encoder(base, tmp_path):
    from bert_keras.checkpoints.model_dir import save_model_dir

    path = save_model_dir(base, str(tmp_path / "plain"))
    with pytest.raises(ValueError, match="not a fine-tuned classifier"):
        load_classifier(path)


def test_mean_pooling_ignores_padding_and_round_trips(base, tmp_path):
    model = build_classifier(build_encoder(base), 2, dropout=0.0, pooling="mean")
    pre = BertPreprocessor(build_tokenizer(base), 16, dynamic_length=True)
    short = pre(["the cat sat"])
    padded = {k: np.pad(np.asarray(v), [[0, 0], [0, 5]]) for k, v in short.items()}
    np.testing.assert_allclose(model(padded), model(short), atol=1e-5)
    # The head reads the masked mean of the token vectors.
    encoder, head = classifier_parts(model)
    sequence = np.asarray(encoder(short)["sequence_output"])
    expected = sequence.mean(axis=1) @ head.dense.kernel.numpy() + head.dense.bias.numpy()
    np.testing.assert_allclose(model(short), expected, atol=1e-5)

    out = save_classifier(model, tmp_path / "mean", base,
                          {**get_task("sst2").to_dict(16), "pooling": "mean"})
    loaded, _, task = load_classifier(out)
    assert task.pooling == "mean"
    np.testing.assert_allclose(loaded(padded), model(padded), atol=1e-6)
    with pytest.raises(ValueError, match="pooling"):
        build_classifier(build_encoder(base), 2, pooling="max")
