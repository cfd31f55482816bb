"""Pretraining examples: documents, sentence pairs with NSP labels, MLM
masking rates, whole-word masking, TFRecord round trip, bad input."""

import collections
import os

import numpy as np
import pytest
import tensorflow as tf

from bert_keras import BertTokenizer
from bert_keras.data import pretraining as pt

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
PAD, CLS, SEP, MASK = 0, 2, 3, 4


def synthetic_documents(num_docs=30, sentences=12, words=6):
    """Token-id documents where every id says (document, sentence): ids
    1000*d + 10*s + k + 5, so a pair's origin can be read back."""
    return [[[1000 * d + 10 * s + k + 5 for k in range(words)] for s in range(sentences)]
            for d in range(num_docs)]


def origin(token):
    return (token - 5) // 1000, ((token - 5) % 1000) // 10


# -- documents --------------------------------------------------------------
def test_read_bert_format_and_file_format(tmp_path):
    path = tmp_path / "corpus.txt"
    path.write_text("First doc one.\nFirst doc two.\n\n\nSecond doc.\n  \nThird a.\nThird b.\n")
    assert pt.read_documents([str(path)], "bert") == [
        ["First doc one.", "First doc two."], ["Second doc."], ["Third a.", "Third b."]]
    assert pt.read_documents([str(path)], "file") == [
        ["First doc one.", "First doc two.", "Second doc.", "Third a.", "Third b."]]


def test_read_wikitext(tmp_path):
    path = tmp_path / "wiki.txt"
    path.write_text(
        " \n = Lobster = \n \n Lobsters are big . They live in <unk> seas .\n"
        " \n = = Description = = \n \n Claws are blue ? Yes !\n"
        " \n = Second Article = \n \n It is short .\n")
    docs = pt.read_documents([str(path)])  # auto-detects the title lines
    assert docs == [["Lobsters are big .", "They live in [UNK] seas .", "Claws are blue ?",
                     "Yes !"], ["It is short ."]]


def test_real_wikitext_documents():
    from tests.conftest import shared_path

    docs = pt.read_documents([shared_path("corpus", "wikitext-2", "valid.txt")])
    assert 50 < len(docs) < 70  # articles (valid has 60)
    assert docs[0][0].startswith("Homarus gammarus , known as the European lobster")
    assert not any("<unk>" in s or s.startswith("=") for d in docs for s in d)


def test_empty_file_is_a_clear_error(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_text("\n  \n")
    with pytest.raises(pt.CorpusError, match=r"empty\.txt.*empty"):
        pt.read_documents([str(path)])


def test_non_utf8_line_names_file_and_line(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("good line\nanother\ncaf\u00e9 ok\n".encode("utf-8")
                     + "na\u00efve\n".encode("latin-1"))
    with pytest.raises(pt.CorpusError, match=r"latin1\.txt, line 4: not valid UTF-8"):
        pt.read_documents([str(path)])


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.txt"):
        pt.read_documents([str(tmp_path / "nope.txt")])


# -- sentence pairs ---------------------------------------------------------
def test_sentence_pairs_nsp_labels_and_lengths():
    docs = synthetic_documents(30, 40)
    seq_length = 40
    pairs = pt.sentence_pairs(docs, seq_length, short_seq_prob=0.1, seed=1, dupe_factor=4)
    labels = np.array([p[2] for p in pairs])
    assert len(pairs) > 900
    assert abs(labels.mean() - 0.5) < 0.04
    lengths = np.array([len(a) + len(b) for a, b, _ in pairs])
    assert lengths.max() <= seq_length - 3
    assert (lengths < 20).mean() > 0.02  # short_seq_prob gives some short pairs
    for a, b, label in pairs:
        a_doc, a_sent = origin(a[-1])
        b_doc, b_sent = origin(b[0])
        assert len({origin(t)[0] for t in a}) == 1  # A is one document
        if label == 0:  # B is the true continuation of A
            assert b_doc == a_doc
            assert b_sent in (a_sent, a_sent + 1)  # truncation may cut a sentence's edge
        else:
            assert b_doc != a_doc


def test_sentence_pairs_are_reproducible():
    docs = synthetic_documents(5)
    assert pt.sentence_pairs(docs, 32, seed=3) == pt.sentence_pairs(docs, 32, seed=3)
    assert pt.sentence_pairs(docs, 32, seed=3) != pt.sentence_pairs(docs, 32, seed=4)


# -- masking ----------------------------------------------------------------
def _vocab(n=2000):
    return SPECIALS + [f"w{i}" for i in range(n - len(SPECIALS))]


def test_packing_segments_and_masking_rates():
    vocab = _vocab()
    rng = np.random.default_rng(0)
    n, seq_length = 3000, 64
    a = [list(rng.integers(5, 2000, rng.integers(10, 30))) for _ in range(n)]
    b = [list(rng.integers(5, 2000, rng.integers(10, 30))) for _ in range(n)]
    masker = pt.PretrainingMasker(vocab, seq_length, max_predictions_per_seq=20)
    tf.random.set_seed(0)
    x, y, w = masker(tf.ragged.constant(a, tf.int32), tf.ragged.constant(b, tf.int32),
                     tf.zeros([n], tf.int32))
    x = {k: v.numpy() for k, v in x.items()}
    mlm, weights = y["mlm"].numpy(), w["mlm"].numpy()
    assert x["token_ids"].shape == (n, seq_length) and mlm.shape == (n, 20)

    counts = collections.Counter()
    selected = eligible = 0
    for i in range(n):
        la, lb = len(a[i]), len(b[i])
        length = la + lb + 3
        # segments: [CLS] A [SEP] are 0, B [SEP] are 1, padding 0
        expect_seg = [0] * (la + 2) + [1] * (lb + 1) + [0] * (seq_length - length)
        assert x["segment_ids"][i].tolist() == expect_seg
        assert x["padding_mask"][i].tolist() == [1] * length + [0] * (seq_length - length)
        original = np.array([CLS] + a[i] + [SEP] + b[i] + [SEP] + [PAD] * (seq_length - length))
        k = int(weights[i].sum())
        assert weights[i].tolist() == [1.0] * k + [0.0] * (20 - k)
        positions = x["mask_positions"][i][:k]
        assert len(set(positions)) == k
        # never special tokens or padding; labels are the original ids
        assert all(original[p] not in (CLS, SEP, PAD) for p in positions)
        assert mlm[i][:k].tolist() == original[positions].tolist()
        # unselected positions are untouched
        untouched = np.ones(seq_length, bool)
        untouched[positions] = False
        assert (x["token_ids"][i][untouched] == original[untouched]).all()
        for p in positions:
            new = x["token_ids"][i][p]
            counts["mask" if new == MASK else "same" if new == original[p] else "random"] += 1
        selected += k
        eligible += la + lb
    assert abs(selected / eligible - 0.15) < 0.01
    assert abs(counts["mask"] / selected - 0.8) < 0.02
    assert abs(counts["random"] / selected - 0.1) < 0.02
    assert abs(counts["same"] / selected - 0.1) < 0.02


def test_max_predictions_per_seq_caps_selection():
    masker = pt.PretrainingMasker(_vocab(), 128, max_predictions_per_seq=5, masked_lm_prob=0.5)
    x, y, w = masker(tf.ragged.constant([list(range(5, 105))] * 4, tf.int32),
                     tf.ragged.constant([[7, 8, 9]] * 4, tf.int32), tf.zeros([4], tf.int32))
    assert x["mask_positions"].shape == (4, 5)
    assert w["mlm"].numpy().sum(axis=1).tolist() == [5.0] * 4


def test_whole_word_masking_masks_all_pieces_of_a_word():
    # word i is "wi ##pi ##qi": three pieces
    vocab = SPECIALS + [t for i in range(300) for t in (f"w{i}", f"##p{i}", f"##q{i}")]
    word = lambda i: [5 + 3 * i, 6 + 3 * i, 7 + 3 * i]  # noqa: E731
    rng = np.random.default_rng(1)
    n = 400
    sizes = [(int(rng.integers(8, 25)), int(rng.integers(8, 25))) for _ in range(n)]
    a = [[t for i in rng.integers(0, 300, na) for t in word(i)] for na, _ in sizes]
    b = [[t for i in rng.integers(0, 300, nb) for t in word(i)] for _, nb in sizes]
    masker = pt.PretrainingMasker(vocab, 160, max_predictions_per_seq=60,
                                  whole_word_masking=True)
    x, y, w = masker(tf.ragged.constant(a, tf.int32), tf.ragged.constant(b, tf.int32),
                     tf.zeros([n], tf.int32))
    words = masked_words = 0
    for i, (na, nb) in enumerate(sizes):
        k = int(w["mlm"][i].numpy().sum())
        positions = set(x["mask_positions"][i].numpy()[:k].tolist())
        starts = [1 + 3 * j for j in range(na)] + [na * 3 + 2 + 3 * j for j in range(nb)]
        for s in starts:  # all three pieces of a word, or none
            chosen = {s, s + 1, s + 2} & positions
            assert chosen in (set(), {s, s + 1, s + 2})
            masked_words += bool(chosen)
        words += na + nb
        assert k == 3 * sum(bool({s} & positions) for s in starts)
    assert abs(masked_words / words - 0.15) < 0.02


def test_streaming_dataset(uncased_vocab):
    tok = BertTokenizer(uncased_vocab)
    docs = [[f"sentence {i} of document {d} says hello ." for i in range(8)] for d in range(6)]
    ds = pt.pretraining_dataset(docs, tok, batch_size=4, seq_length=32,
                                max_predictions_per_seq=5, seed=0)
    x, y, w = next(iter(ds))
    assert x["token_ids"].shape == (4, 32) and x["mask_positions"].shape == (4, 5)
    assert y["nsp"].shape == (4,) and w["nsp"].numpy().tolist() == [1.0] * 4
    assert (x["token_ids"].numpy()[:, 0] == tok.token_to_id("[CLS]")).all()
    assert len(list(ds.take(3 * ds.num_pairs // 4))) == 3 * ds.num_pairs // 4  # repeats


# -- TFRecord ---------------------------------------------------------------
def test_tfrecord_round_trip(tmp_path):
    vocab = SPECIALS + [f"w{i}" for i in range(200)]
    tok = BertTokenizer(vocab)
    docs = [[" ".join(f"w{(d * 37 + s * 7 + k) % 200}" for k in range(5)) for s in range(10)]
            for d in range(8)]
    out = tmp_path / "shards"
    files, count = pt.write_tfrecords(docs, tok, str(out), num_shards=1, seq_length=24,
                                      max_predictions_per_seq=4, seed=5)
    assert sorted(os.listdir(out)) == ["pretrain-00000-of-00001.tfrecord",
                                       "pretraining_data.json", "vocab.txt"]
    assert pt.tfrecords_info(str(out))["seq_length"] == 24
    # The stored examples are the pairs of sentence_pairs(seed), in order.
    pairs = pt.sentence_pairs(pt.tokenize_documents(docs, tok), 24, seed=5)
    ds = pt.read_tfrecords(str(out), batch_size=count, seq_length=24,
                           max_predictions_per_seq=4, shuffle=False, repeat=False)
    x, y, w = next(iter(ds))
    assert count == len(pairs) == x["token_ids"].shape[0]
    ids = x["token_ids"].numpy()
    for i, (a, b, label) in enumerate(pairs):
        k = int(w["mlm"][i].numpy().sum())
        restored = ids[i].copy()
        restored[x["mask_positions"][i].numpy()[:k]] = y["mlm"][i].numpy()[:k]
        assert restored[:len(a) + len(b) + 3].tolist() == [CLS] + a + [SEP] + b + [SEP]
        assert int(y["nsp"][i]) == label
    # Sharded writing spreads the same examples over the shards.
    _, count2 = pt.write_tfrecords(docs, tok, str(tmp_path / "three"), num_shards=3,
                                   seq_length=24, max_predictions_per_seq=4, seed=5)
    assert count2 == count
    assert len([f for f in os.listdir(tmp_path / "three") if f.endswith(".tfrecord")]) == 3
    with pytest.raises(FileExistsError):
        pt.write_tfrecords(docs, tok, str(out), seq_length=24)


def test_write_documents_round_trips_through_read_documents(tmp_path):
    from bert_keras.data.pretraining import read_documents, write_documents

    docs = [["The cat sat.", "It slept."], ["一个句子。"], ["Last one."]]
    path = write_documents(docs, str(tmp_path / "corpus.txt"))
    assert read_documents([path], "bert") == docs
    assert read_documents([path]) == docs  # auto-detected as BERT format
