"""NER features and post-processing: first-sub-word labels, truncation,
words back to entities with character spans; real CoNLL dev round trip."""

import numpy as np
import pytest

from bert_keras import BertTokenizer
from bert_keras.data.cluener import read_cluener
from bert_keras.data.conll import TaggedSentence, read_conll
from bert_keras.errors import InputError
from bert_keras.tasks.ner_features import IGNORED, build_ner_features
from bert_keras.tasks.ner_postprocess import entities, word_predictions
from tests.conftest import shared_path

VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "john", "lives", "in",
         "new", "york", "##shire", "."]
LABELS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]


@pytest.fixture(scope="module")
def tokenizer():
    return BertTokenizer(VOCAB)


def test_first_subword_labels_and_truncation(tokenizer):
    s = TaggedSentence.from_words(["John", "\u200b", "Yorkshire", "in", "New", "York"],
                                  ["B-PER", "O", "B-LOC", "O", "B-LOC", "I-LOC"])
    f = build_ner_features([s], tokenizer, LABELS, max_length=7)
    # [CLS] john york ##shire in new [SEP]: "\u200b" has no token; "York" is cut.
    assert f.token_ids[0].tolist() == [2, 5, 9, 10, 7, 8, 3]
    assert f.labels[0].tolist() == [IGNORED, 1, 3, IGNORED, 0, 3, IGNORED]
    assert f.word_index[0].tolist() == [-1, 0, 2, 2, 3, 4, -1]
    assert f.truncated_words == 1
    assert f.padding_mask[0].tolist() == [1] * 7
    f = build_ner_features([s], tokenizer, LABELS, max_length=8)
    assert f.truncated_words == 0 and f.padding_mask[0].tolist() == [1] * 8


def test_unknown_tag(tokenizer):
    s = TaggedSentence.from_words(["John"], ["B-ORG"])
    with pytest.raises(InputError, match="tag 'B-ORG' is not one of the labels"):
        build_ner_features([s], tokenizer, LABELS)


def _perfect_logits(features):
    logits = np.zeros(features.labels.shape + (len(LABELS),))
    rows, cols = np.nonzero(features.labels >= 0)
    logits[rows, cols, features.labels[rows, cols]] = 10.0
    return logits


def test_round_trip_to_entities(tokenizer):
    s = TaggedSentence.from_words(["John", "lives", "in", "New", "Yorkshire", "."],
                                  ["B-PER", "O", "O", "B-LOC", "I-LOC", "O"])
    f = build_ner_features([s], tokenizer, LABELS)
    tags, scores = word_predictions(_perfect_logits(f), f.word_index, [s], LABELS)
    assert tags == [s.tags]
    found = entities(s, tags[0], scores[0])
    assert [(e["entity"], e["word"], e["start"], e["end"]) for e in found] == [
        ("PER", "John", 0, 4), ("LOC", "New Yorkshire", 14, 27)]
    assert all(0.99 < e["score"] <= 1 for e in found)


@pytest.mark.parametrize("corpus", ["conll", "cluener"])
def test_real_data_labels_survive(corpus, uncased_vocab, chinese_vocab):
    """Gold tags -> features -> perfect logits -> words: the gold tags come
    back for every word that fits in 128 tokens (all but a few)."""
    if corpus == "conll":
        sentences = read_conll(shared_path("CoNLL-2003", "dev.txt"))[:600]
        vocab = uncased_vocab
    else:
        sentences = read_cluener(shared_path("CLUENER", "dev.json"))[:300]
        vocab = chinese_vocab
    labels = sorted({t for s in sentences for t in s.tags})
    f = build_ner_features(sentences, BertTokenizer(vocab), labels, max_length=128)
    logits = np.zeros(f.labels.shape + (len(labels),))
    rows, cols = np.nonzero(f.labels >= 0)
    logits[rows, cols, f.labels[rows, cols]] = 10.0
    tags, _ = word_predictions(logits, f.word_index, sentences, labels)
    wrong = sum(a != b for s, t in zip(sentences, tags) for a, b in zip(s.tags, t))
    words = sum(len(s.words) for s in sentences)
    assert wrong <= f.truncated_words + 0.001 * words, (wrong, f.truncated_words)
    # Entity character spans cut the mention from the text.
    for s in sentences[:100]:
        for e in entities(s, s.tags):
            assert s.text[e["start"]:e["end"]] == e["word"]


def test_docstring_examples():
    import doctest

    from bert_keras.tasks import ner_features, ner_postprocess, qa_features, qa_postprocess
    for module in (ner_features, ner_postprocess, qa_features, qa_postprocess):
        result = doctest.testmod(module, verbose=False)
        assert result.attempted > 0 and result.failed == 0, module.__name__
