"""Token classifier: the head, save/load through the weight layout (the
model directory of the NER contract), words cut from raw text, entities
whose character spans slice the ORIGINAL text."""

import json
import os

import keras
import numpy as np
import pytest

from bert_keras.data.tasks import get_task
from bert_keras.errors import InputError
from bert_keras.heads.token_classification_head import BertTokenClassificationHead
from bert_keras.tasks.token_classification import (
    TokenClassifier, build_token_classifier, load_token_classifier, save_token_classifier,
    split_words, token_classifier_parts)
from tests.tiny_classifier import tiny_model_dir
from tests.tiny_ner import NER_VOCAB

LABELS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]


def test_head_config_and_float32_logits():
    head = BertTokenClassificationHead(4, dropout=0.2, dtype="mixed_bfloat16")
    logits = head(np.zeros((2, 3, 8), "float32"))
    assert tuple(logits.shape) == (2, 3, 4)
    assert keras.backend.standardize_dtype(logits.dtype) == "float32"
    again = BertTokenClassificationHead.from_config(head.get_config())
    assert (again.num_labels, again.dropout) == (4, 0.2)


@pytest.mark.parametrize("text, mode, words", [
    ("  John  Smith's car,  in N.Y.  ", "words",
     ["John", "Smith", "'", "s", "car", ",", "in", "N", ".", "Y", "."]),
    ("彭小军 在台湾ABC", "characters", list("彭小军在台湾ABC")),
    ("住在北京 Paris", "words", ["住", "在", "北", "京", "Paris"]),
    ("", "words", []),
])
def test_split_words_spans_slice_the_text(text, mode, words):
    got, spans = split_words(text, mode)
    assert got == words
    assert [text[s:e] for s, e in spans] == words


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A random-weight token classifier saved as a model directory."""
    from bert_keras.models.factory import build_encoder

    root = tmp_path_factory.mktemp("token-classifier")
    base = tiny_model_dir(root / "base", vocab=NER_VOCAB)
    model = build_token_classifier(build_encoder(base), len(LABELS), dropout=0.0)
    task = get_task("ner").with_labels(LABELS).with_settings(sequence_length=32)
    save_token_classifier(model, str(root / "ner"), base, task)
    return model, str(root / "ner"), task


def test_saved_directory_follows_the_contract(saved):
    _, out, task = saved
    meta = json.load(open(os.path.join(out, "bert_keras.json")))
    assert meta["heads"] == ["token_classifier"]
    entry = meta["task"]
    assert {k: entry[k] for k in ("format", "type", "task_name", "labels", "sequence_length")} \
        == {"format": 2, "type": "ner", "task_name": "ner", "labels": LABELS,
            "sequence_length": 32}
    from safetensors.numpy import load_file

    weights = load_file(os.path.join(out, "model.safetensors"))
    assert weights["token_classifier/kernel"].shape == (32, len(LABELS))
    assert weights["token_classifier/bias"].shape == (len(LABELS),)


def test_load_gives_the_same_logits(saved):
    model, out, task = saved
    ner = load_token_classifier(out)
    assert isinstance(ner, TokenClassifier) and ner.task == task
    x = {"token_ids": np.array([[2, 5, 9, 6, 3]], "int32"),
         "segment_ids": np.zeros((1, 5), "int32"), "padding_mask": np.ones((1, 5), "int32")}
    np.testing.assert_allclose(np.asarray(ner.model(x)), np.asarray(model(x)), atol=1e-6)
    assert ner.tokenizer.tokenize_with_offsets("john")  # the contract's tokenizer


def _forced(out, tag):
    """The saved model with its head biased to always predict `tag`."""
    ner = load_token_classifier(out)
    head = token_classifier_parts(ner.model)[1]
    bias = np.full(len(LABELS), -50.0, "float32")
    bias[LABELS.index(tag)] = 50.0
    head.dense.bias.assign(bias)
    return ner


def test_entities_slice_the_original_text(saved):
    texts = ["  John   lives\tin Paris, France. ", "x", "Anna's  café  ", "\u200b Rome"]
    ner = _forced(saved[1], "B-PER")   # every word its own entity
    found = ner.predict(texts)
    assert len(found) == len(texts)
    for text, entities in zip(texts, found):
        words = split_words(text)[0]
        # A word with no token (the zero-width space) is not tagged.
        assert [e["word"] for e in entities] == [w for w in words if w != "\u200b"]
        for e in entities:
            assert text[e["start"]:e["end"]] == e["word"] and e["entity"] == "PER"
            assert 0.99 < e["score"] <= 1.0
    ner = _forced(saved[1], "I-PER")   # one entity from the first word to the last
    (entity,), = ner.predict(["  John   lives\tin Paris, France. "])
    assert entity["word"] == "John   lives\tin Paris, France."
    assert (entity["start"], entity["end"]) == (2, 32)


def test_bytes_and_empty_texts(saved):
    ner = _forced(saved[1], "B-LOC")
    found = ner.predict([b"Paris \xff Rome", "", "   "])
    assert [e["word"] for e in found[0]] == ["Paris", "Rome"] and found[1:] == [[], []]
    with pytest.raises(InputError, match="texts must be strings"):
        ner.predict([3])


def test_evaluate_on_tagged_sentences(saved):
    from bert_keras.data.conll import TaggedSentence

    ner = _forced(saved[1], "B-PER")
    gold = [TaggedSentence.from_words(["john", "lives"], ["B-PER", "O"])]
    scores = ner.evaluate(gold)
    assert scores["recall"] == 100.0 and scores["precision"] == 50.0
    assert scores["per_type"] == {"PER": pytest.approx(200 / 3)}
    with pytest.raises(InputError, match="tag 'B-ORG'"):
        ner.evaluate([TaggedSentence.from_words(["acme"], ["B-ORG"])])


def test_a_classifier_directory_is_refused(tmp_path):
    base = tiny_model_dir(tmp_path / "base", vocab=NER_VOCAB)
    with pytest.raises(InputError, match="not a fine-tuned token classifier"):
        load_token_classifier(base.path)


def test_docstring_examples():
    import doctest

    from bert_keras.heads import token_classification_head
    from bert_keras.tasks import token_classification
    for module in (token_classification, token_classification_head):
        result = doctest.testmod(module, verbose=False)
        assert result.attempted > 0 and result.failed == 0, module.__name__
