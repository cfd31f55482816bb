"""The exported `tokenizer.json` tokenizes id for id like `BertTokenizer`
on every sentence of SST-2 dev and MRPC dev (and MRPC pairs), read back
with Hugging Face `tokenizers`; and its settings follow the model's."""

import json

import numpy as np
import pytest

from tests.tokenization.test_tokenizer_parity import mrpc_dev_sentences, sst2_dev_sentences

pytest.importorskip("tokenizers")


@pytest.fixture(scope="module")
def exported(uncased_vocab, tmp_path_factory):
    from bert_keras.export.tokenizer_json import write_tokenizer_json
    from bert_keras.tokenization.vocab import load_vocab

    vocab = load_vocab(uncased_vocab)
    out = tmp_path_factory.mktemp("tokenizer_json")
    return write_tokenizer_json(vocab, True, str(out), seq_length=512), vocab


def _ours(vocab, a, b=None):
    from bert_keras.tokenization.preprocessor import BertPreprocessor
    from bert_keras.tokenization.tokenizer import BertTokenizer

    pre = BertPreprocessor(BertTokenizer(vocab, lowercase=True), 512, dynamic_length=True)
    x = pre(a if b is None else (a, b))
    return {k: np.asarray(x[k]) for k in x}


@pytest.mark.parametrize("corpus", ["sst2", "mrpc"])
def test_same_ids_as_ours(corpus, exported):
    from bert_keras.export.tokenizer_json import encode_batch

    path, vocab = exported
    texts = {"sst2": sst2_dev_sentences, "mrpc": mrpc_dev_sentences}[corpus]()
    got = encode_batch(path, texts)
    want = _ours(vocab, texts)
    assert got["input_word_ids"].shape == want["token_ids"].shape
    bad = np.flatnonzero((got["input_word_ids"] != want["token_ids"]).any(1))
    assert bad.size == 0, f"{bad.size} of {len(texts)} differ, first: {texts[bad[0]]!r}"
    np.testing.assert_array_equal(got["input_mask"], want["padding_mask"])


def test_same_ids_as_ours_on_pairs(exported):
    from bert_keras.export.tokenizer_json import encode_batch

    path, vocab = exported
    texts = mrpc_dev_sentences()
    a, b = texts[:408], texts[408:]
    got = encode_batch(path, a, b)
    want = _ours(vocab, a, b)
    np.testing.assert_array_equal(got["input_word_ids"], want["token_ids"])
    np.testing.assert_array_equal(got["input_type_ids"], want["segment_ids"])


def test_settings_follow_the_model(tmp_path):
    from tokenizers import Tokenizer

    from bert_keras.export.tokenizer_json import write_tokenizer_json

    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "Café", "cafe", "##s", "中"]
    cased = Tokenizer.from_file(write_tokenizer_json(vocab, False, str(tmp_path), seq_length=5))
    # Cased: "Café" stays whole; cut to 5 tokens with the [SEP] kept.
    assert cased.encode("Café 中cafes [MASK]").ids == [2, 5, 8, 6, 3]
    config = json.loads((tmp_path / "tokenizer_config.json").read_text())
    assert config["do_lower_case"] is False and config["model_max_length"] == 5
    uncased = Tokenizer.from_file(write_tokenizer_json(vocab, True, str(tmp_path), seq_length=9))
    assert uncased.encode("Café 中cafes [MASK]").ids == [2, 6, 8, 6, 7, 4, 3]
