"""Vocabulary files and WordPiece vocabulary training."""

import itertools

import pytest

from bert_keras import BertTokenizer, load_vocab, train_vocab
from bert_keras.tokenization.vocab import SPECIAL_TOKENS, save_vocab
from tests.conftest import shared_path


@pytest.fixture(scope="module")
def wikitext_lines():
    path = shared_path("corpus", "wikitext-2", "valid.txt")
    with open(path, encoding="utf-8") as f:
        lines = [line.strip() for line in f]
    lines = [line for line in lines if line and not line.startswith("=")]
    return lines[:200]


@pytest.fixture(scope="module")
def trained_vocab(wikitext_lines):
    return train_vocab(wikitext_lines, vocab_size=500)


def test_trained_vocab_has_specials_first(trained_vocab):
    assert trained_vocab[:5] == list(SPECIAL_TOKENS)
    assert 300 < len(trained_vocab) <= 500
    assert len(set(trained_vocab)) == len(trained_vocab)
    assert "the" in trained_vocab
    assert any(t.startswith("##") for t in trained_vocab)
    # Lowercased by default.
    assert all(t == t.lower() for t in trained_vocab[5:])


def test_trained_vocab_tokenizer_round_trips(trained_vocab, wikitext_lines, tmp_path):
    path = str(tmp_path / "vocab.txt")
    save_vocab(trained_vocab, path)
    assert load_vocab(path) == trained_vocab
    tokenizer = BertTokenizer(path, lowercase=True)
    texts = wikitext_lines[:100]
    ids = tokenizer(texts)
    assert ids.flat_values.shape[0] > 1000
    # Most words of the training text are in the vocabulary.
    unk = tokenizer.token_to_id("[UNK]")
    assert (ids.flat_values.numpy() == unk).mean() < 0.02
    again = tokenizer(tokenizer.detokenize(ids))
    assert again.to_list() == ids.to_list()


def test_train_vocab_from_dataset():
    import tensorflow as tf

    texts = ["the quick brown fox", "the lazy dog", "quick quick fox"] * 5
    vocab = train_vocab(tf.data.Dataset.from_tensor_slices(texts), vocab_size=50)
    assert vocab[:5] == list(SPECIAL_TOKENS)
    assert "quick" in vocab and "##x" in vocab


def test_load_vocab_keeps_whitespace_tokens(tmp_path):
    tokens = list(SPECIAL_TOKENS) + ["a", "\u2028", "##\u2028", " ", "b"]
    path = tmp_path / "vocab.txt"
    path.write_bytes(("\r\n".join(tokens) + "\r\n\n").encode("utf-8"))
    assert load_vocab(str(path)) == tokens


def test_load_vocab_of_real_vocabularies(uncased_vocab, chinese_vocab):
    uncased = load_vocab(uncased_vocab)
    assert len(uncased) == 30522 and uncased[100:104] == ["[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    chinese = load_vocab(chinese_vocab)
    assert len(chinese) == 21128 and chinese[1] == "[unused1]"


def test_load_vocab_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.txt"):
        load_vocab(str(tmp_path / "missing.txt"))
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n", encoding="utf-8")
    with pytest.raises(ValueError, match="empty"):
        load_vocab(str(empty))
    no_specials = tmp_path / "words.txt"
    no_specials.write_text("\n".join(itertools.islice("abcdef", 6)), encoding="utf-8")
    with pytest.raises(ValueError, match="special tokens"):
        load_vocab(str(no_specials))
