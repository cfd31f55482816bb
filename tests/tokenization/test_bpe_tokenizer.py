"""`ByteLevelBpeTokenizer` (RoBERTa): id for id with Hugging Face's
`RobertaTokenizerFast`, in CI through committed golden ids and, when
transformers is installed, on every sentence of SST-2 dev and MRPC dev."""

import json

import pytest
import tensorflow as tf

from bert_keras.errors import InputError, MissingFileError
from bert_keras.tokenization import BertPreprocessor, ByteLevelBpeTokenizer
from tests.tokenization.golden_ids import assert_same_ids, checked_vocab_file, load_golden
from tests.tokenization.test_tokenizer_parity import mrpc_dev_sentences, sst2_dev_sentences


@pytest.fixture(scope="module")
def golden():
    return load_golden()


@pytest.fixture(scope="module")
def files(golden):
    return (checked_vocab_file(golden, "roberta-base", "vocab.json"),
            checked_vocab_file(golden, "roberta-base", "merges.txt"))


@pytest.fixture(scope="module")
def tokenizer(files):
    return ByteLevelBpeTokenizer(*files)


def test_matches_golden_ids(tokenizer, golden):
    texts = golden["texts"]
    assert_same_ids(tokenizer(texts).to_list(), golden["bpe"]["ids"], texts)


def test_pairs_pack_as_roberta(tokenizer, golden):
    pre = BertPreprocessor(tokenizer, sequence_length=64)
    first, second = zip(*golden["pairs"])
    out = pre((list(first), list(second)))
    for i, want in enumerate(golden["bpe"]["pair_ids"]):
        n = int(out["padding_mask"][i].numpy().sum())
        assert out["token_ids"][i, :n].numpy().tolist() == want  # <s> a </s></s> b </s>
        assert set(out["token_ids"][i, n:].numpy().tolist()) == {1}  # <pad> = 1
    assert not out["segment_ids"].numpy().any()  # one token type


def test_special_tokens_and_shapes(tokenizer):
    assert tokenizer.special_tokens_dict() == {
        "vocab_size": 50265, "padding_id": 1, "start_of_sequence_id": 0,
        "end_of_segment_id": 2, "mask_id": 50264}
    assert tokenizer("Hello world").numpy().tolist() == [31414, 232]
    batch = tokenizer(tf.constant(["Hello world", ""]))
    assert isinstance(batch, tf.RaggedTensor) and batch.dtype == tf.int32
    assert batch.to_list() == [[31414, 232], []]
    assert tf.function(tokenizer.tokenize)(tf.constant(["Hello world"])).to_list() == [[31414, 232]]


def test_dynamic_length_pads_to_longest(tokenizer):
    pre = BertPreprocessor(tokenizer, sequence_length=32, dynamic_length=True)
    out = pre(["Hello world", "Hello"])
    assert out["token_ids"].numpy().tolist() == [[0, 31414, 232, 2], [0, 31414, 2, 1]]


def test_preprocessor_in_tf_data(tokenizer):
    pre = BertPreprocessor(tokenizer, sequence_length=6)
    ds = tf.data.Dataset.from_tensor_slices((["Hello world", "Hello"], [1, 0])).batch(2).map(pre)
    features, labels = next(iter(ds))
    assert features["token_ids"].numpy().tolist() == [[0, 31414, 232, 2, 1, 1],
                                                      [0, 31414, 2, 1, 1, 1]]
    assert labels.numpy().tolist() == [1, 0]


def test_bad_files(tmp_path, files):
    with pytest.raises(MissingFileError):
        ByteLevelBpeTokenizer(str(tmp_path / "vocab.json"), files[1])
    bad = tmp_path / "vocab.json"
    bad.write_text('{"a": 0,\n oops}')
    with pytest.raises(InputError, match="vocab.json:2"):
        ByteLevelBpeTokenizer(str(bad), files[1])
    bad.write_text(json.dumps({"a": 0, "b": 1}))
    with pytest.raises(InputError):  # no <s>, </s>, <pad>, <mask>
        ByteLevelBpeTokenizer(str(bad), ["a b"])


def test_matches_hf_on_sst2_and_mrpc_dev(tokenizer, files):
    transformers = pytest.importorskip("transformers")
    import os
    reference = transformers.RobertaTokenizerFast.from_pretrained(os.path.dirname(files[0]))
    texts = sst2_dev_sentences() + mrpc_dev_sentences()
    assert len(texts) == 872 + 816
    want = [reference(t, add_special_tokens=False)["input_ids"] for t in texts]
    assert_same_ids(tokenizer(texts).to_list(), want, texts)
