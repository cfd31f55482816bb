"""`SentencePieceTokenizer` (English ALBERT): id for id with Hugging Face's
`AlbertTokenizer`, in CI through committed golden ids and, when transformers
is installed, on every sentence of SST-2 dev and MRPC dev."""

import os
import shutil

import numpy as np
import pytest
import tensorflow as tf

from bert_keras.errors import InputError, InputTypeError, MissingFileError
from bert_keras.tokenization import BertPreprocessor, SentencePieceTokenizer
from tests.tokenization.golden_ids import assert_same_ids, checked_vocab_file, load_golden
from tests.tokenization.test_tokenizer_parity import mrpc_dev_sentences, sst2_dev_sentences


@pytest.fixture(scope="module")
def golden():
    return load_golden()


@pytest.fixture(scope="module")
def sp_model(golden):
    return checked_vocab_file(golden, "albert_30k-clean", "30k-clean.model")


@pytest.fixture(scope="module")
def tokenizer(sp_model):
    return SentencePieceTokenizer(sp_model)


def test_matches_golden_ids(tokenizer, golden):
    texts = golden["texts"]
    assert_same_ids(tokenizer(texts).to_list(), golden["sentencepiece"]["ids"], texts)


def test_pairs_pack_as_albert(tokenizer, golden):
    pre = BertPreprocessor(tokenizer, sequence_length=64)
    first, second = zip(*golden["pairs"])
    out = pre((list(first), list(second)))
    for i, (want_ids, want_types) in enumerate(zip(golden["sentencepiece"]["pair_ids"],
                                                  golden["sentencepiece"]["pair_type_ids"])):
        n = int(out["padding_mask"][i].numpy().sum())
        assert out["token_ids"][i, :n].numpy().tolist() == want_ids
        assert out["segment_ids"][i, :n].numpy().tolist() == want_types
        assert set(out["token_ids"][i, n:].numpy().tolist()) <= {0}  # <pad> = 0


def test_special_tokens(tokenizer):
    assert tokenizer.special_tokens_dict() == {
        "vocab_size": 30000, "padding_id": 0, "start_of_sequence_id": 2,
        "end_of_segment_id": 3, "mask_id": 4}
    # Written in the text they map to their ids, unless switched off.
    assert 4 in tokenizer(["the [MASK] of"]).to_list()[0]
    plain = SentencePieceTokenizer(tokenizer.proto, special_tokens_in_strings=False)
    assert 4 not in plain(["the [MASK] of"]).to_list()[0]


def test_shapes_and_graph_modes(tokenizer):
    one = tokenizer("Hello world!")
    assert one.shape.rank == 1 and one.dtype == tf.int32
    batch = tokenizer(tf.constant(["Hello world!", ""]))
    assert isinstance(batch, tf.RaggedTensor) and batch.to_list()[0] == one.numpy().tolist()
    graph = tf.function(tokenizer.tokenize)(tf.constant(["Hello world!"]))
    assert graph.to_list() == [one.numpy().tolist()]
    ds = tf.data.Dataset.from_tensor_slices(["Hello world!"]).batch(1).map(tokenizer.tokenize)
    assert next(iter(ds)).to_list() == [one.numpy().tolist()]


def test_survives_set_random_seed(sp_model):
    """Setting a seed clears TF's eager kernel cache, and with it the
    SentencePiece model resource; the tokenizer loads it again."""
    import keras

    tokenizer = SentencePieceTokenizer(sp_model)
    keras.utils.set_random_seed(1)
    assert tokenizer(["Hello world!"]).to_list() == [[10975, 126, 187]]


def test_cased_keeps_case_and_accents(sp_model):
    cased = SentencePieceTokenizer(sp_model, lowercase=False)
    assert cased.strip_accents is False
    lower = SentencePieceTokenizer(sp_model)
    assert cased(["Café"]).to_list() != lower(["Café"]).to_list()


def test_bad_inputs(tmp_path, tokenizer):
    with pytest.raises(MissingFileError):
        SentencePieceTokenizer(str(tmp_path / "missing.model"))
    bad = tmp_path / "spiece.model"
    bad.write_bytes(b"not a model")
    with pytest.raises(InputError):
        SentencePieceTokenizer(str(bad))
    with pytest.raises(InputTypeError):
        tokenizer(tf.constant([1, 2]))
    with pytest.raises(InputError):
        tokenizer(tf.constant([["a"]]))


def test_matches_hf_on_sst2_and_mrpc_dev(tokenizer, sp_model, tmp_path):
    transformers = pytest.importorskip("transformers")
    shutil.copy(sp_model, os.path.join(tmp_path, "spiece.model"))
    reference = transformers.AlbertTokenizer.from_pretrained(str(tmp_path))
    texts = sst2_dev_sentences() + mrpc_dev_sentences()
    assert len(texts) == 872 + 816
    want = [reference(t, add_special_tokens=False)["input_ids"] for t in texts]
    ours = tokenizer(texts).to_list()
    assert_same_ids(ours, want, texts)
    assert np.mean([len(x) for x in ours]) > 10  # real sentences, not empties
