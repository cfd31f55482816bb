"""The examples of each family's objective: ALBERT's sentence-order pairs
(negatives are the two segments swapped), RoBERTa's full-sentence blocks
(across documents, a separator between them, one segment), and the masker
packing with each tokenizer's special ids."""

import numpy as np
import pytest
import tensorflow as tf

from bert_keras.data.pretraining import (
    PretrainingMasker, full_sentence_blocks, pretraining_dataset, sentence_pairs)
from bert_keras.tasks.objectives import OBJECTIVES, objective_for
from tests.conftest import shared_path


def numbered_documents(n_docs=12, n_sentences=6, length=5):
    """Token ids that say where they come from: document d, sentence s,
    position i -> d * 1000 + s * 10 + i (increasing through a document)."""
    return [[[d * 1000 + s * 10 + i for i in range(length)] for s in range(n_sentences)]
            for d in range(n_docs)]


def test_sop_pairs_are_consecutive_text_in_or_out_of_order():
    docs = numbered_documents()
    pairs = sentence_pairs(docs, seq_length=40, short_seq_prob=0.0, seed=3,
                           sentence_task="sop")
    labels = [label for _, _, label in pairs]
    assert 0.3 < np.mean(labels) < 0.7, np.mean(labels)
    for a, b, label in pairs:
        # Both segments from one document, never a random one (that is NSP).
        assert len({t // 1000 for t in a + b}) == 1
        in_order = max(a) < min(b)
        assert in_order == (label == 0), (a, b, label)
        assert len(a) + len(b) <= 40 - 3


def test_nsp_pairs_are_unchanged_by_the_sop_option():
    docs = numbered_documents()
    nsp = sentence_pairs(docs, seq_length=40, short_seq_prob=0.0, seed=3)
    assert any(len({t // 1000 for t in a + b}) == 2 for a, b, _ in nsp)  # random B
    assert nsp == sentence_pairs(docs, 40, 0.0, 3, sentence_task="nsp")


def test_full_sentence_blocks_cross_documents_with_a_separator():
    docs = numbered_documents(n_docs=5, n_sentences=3, length=7)
    sep = -1
    blocks = full_sentence_blocks(docs, seq_length=32, doc_separator=sep)
    assert all(len(a) <= 30 and b == [] and label == 0 for a, b, label in blocks)
    stream = [t for a, _, _ in blocks for t in a]
    # Every token once, in order, a separator where a document ends
    # inside a block.
    assert [t for t in stream if t != sep] == [t for d in docs for s in d for t in s]
    for i, t in enumerate(stream):
        if t == sep:
            assert stream[i - 1] // 1000 + 1 == stream[i + 1] // 1000
    assert any(len({t // 1000 for t in a if t != sep}) > 1 for a, _, _ in blocks)
    # Whole sentences: a block starts at a sentence start (or a long one's piece).
    assert all(a[0] % 10 == 0 for a, _, _ in blocks)


def test_a_sentence_longer_than_a_block_is_cut():
    blocks = full_sentence_blocks([[list(range(25))]], seq_length=12, doc_separator=2)
    assert [len(a) for a, _, _ in blocks] == [10, 10, 5]


def test_objective_table():
    assert objective_for("bert").sentence_task == "nsp"
    assert objective_for("albert").outputs == ("mlm", "sop")
    assert objective_for("roberta").heads == ("mlm",)
    assert set(OBJECTIVES) == {"bert", "albert", "roberta"}
    with pytest.raises(ValueError, match="replaced-token detection"):
        objective_for("electra")


def test_roberta_masker_packs_one_segment_with_its_special_ids():
    from bert_keras.tokenization import ByteLevelBpeTokenizer

    tokenizer = ByteLevelBpeTokenizer(shared_path("vocab", "roberta-base", "vocab.json"),
                                      shared_path("vocab", "roberta-base", "merges.txt"))
    masker = PretrainingMasker.for_tokenizer(tokenizer, seq_length=20,
                                             max_predictions_per_seq=8, sentence_task=None)
    tf.random.set_seed(0)
    a = tf.ragged.constant([list(range(100, 116))] * 8)
    x, y, w = masker(a, tf.ragged.constant([[]] * 8, dtype=tf.int32), tf.zeros([8], tf.int32))
    assert sorted(y) == ["mlm"] and sorted(w) == ["mlm"]
    ids = x["token_ids"].numpy()
    assert (ids[:, 0] == 0).all() and (ids[:, 17] == 2).all() and (ids[:, 18:] == 1).all()
    assert (x["segment_ids"].numpy() == 0).all()
    assert (ids == 50264).any()  # <mask>
    positions = x["mask_positions"].numpy()[w["mlm"].numpy() > 0]
    assert ((positions >= 1) & (positions <= 16)).all()  # never <s>, </s> or padding


def test_albert_dataset_has_sop_labels():
    from bert_keras.data.pretraining import read_documents
    from bert_keras.tokenization import SentencePieceTokenizer

    tokenizer = SentencePieceTokenizer(
        shared_path("vocab", "albert_30k-clean", "30k-clean.model"))
    docs = read_documents([shared_path("corpus", "sample_text.txt")])
    ds = pretraining_dataset(docs, tokenizer, batch_size=4, seq_length=32,
                             max_predictions_per_seq=5, seed=0, sentence_task="sop")
    x, y, w = next(iter(ds))
    assert sorted(y) == ["mlm", "sop"]
    ids = x["token_ids"].numpy()
    assert (ids[:, 0] == 2).all()  # [CLS]
    assert ((ids == 3).sum(axis=1) == 2).all()  # [SEP] after each segment
    assert set(np.unique(x["segment_ids"].numpy())) == {0, 1}
    with pytest.raises(ValueError, match="whole-word masking is implemented for WordPiece"):
        pretraining_dataset(docs, tokenizer, batch_size=4, seq_length=32,
                            whole_word_masking=True, sentence_task="sop")
