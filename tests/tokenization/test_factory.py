"""`tokenizer_from_files(settings, model_dir)`: the tokenizer type a model
directory declares, its files read from that directory."""

import doctest
import shutil

import pytest

from bert_keras.errors import InputError, InputTypeError, MissingFileError
from bert_keras.tokenization import (
    BertTokenizer, ByteLevelBpeTokenizer, SentencePieceTokenizer, factory)
from bert_keras.tokenization.factory import tokenizer_from_files
from bert_keras.tokenization.preprocessor import build_preprocessor
from tests.conftest import TINY_VOCAB, shared_path


@pytest.fixture
def wordpiece_dir(tmp_path):
    (tmp_path / "vocab.txt").write_text("\n".join(TINY_VOCAB) + "\n", encoding="utf-8")
    return str(tmp_path)


def test_wordpiece_is_the_default(wordpiece_dir):
    tok = tokenizer_from_files({"lowercase": True, "strip_accents": None,
                           "tokenize_chinese_chars": True}, wordpiece_dir)
    assert isinstance(tok, BertTokenizer) and tok.lowercase
    assert tok(["The cat sat"]).to_list() == [[5, 7, 9]]
    cased = tokenizer_from_files({"type": "wordpiece", "lowercase": False}, wordpiece_dir)
    assert cased(["The cat"]).to_list() == [[1, 7]]  # "The" is [UNK] when cased
    pre = build_preprocessor({}, wordpiece_dir, sequence_length=6)
    assert pre(["the cat"])["token_ids"].numpy().tolist() == [[2, 5, 7, 3, 0, 0]]


def test_sentencepiece(tmp_path):
    shutil.copy(shared_path("vocab", "albert_30k-clean", "30k-clean.model"), tmp_path / "spiece.model")
    tok = tokenizer_from_files({"type": "sentencepiece", "lowercase": True}, str(tmp_path))
    assert isinstance(tok, SentencePieceTokenizer)
    assert tok(["Hello world!"]).to_list() == [[10975, 126, 187]]
    pre = build_preprocessor({"type": "sentencepiece"}, str(tmp_path), sequence_length=6)
    assert pre(["Hello world!"])["token_ids"].numpy().tolist() == [[2, 10975, 126, 187, 3, 0]]


def test_bpe(tmp_path):
    for name in ("vocab.json", "merges.txt"):
        shutil.copy(shared_path("vocab", "roberta-base", name), tmp_path / name)
    tok = tokenizer_from_files({"type": "bpe"}, str(tmp_path))
    assert isinstance(tok, ByteLevelBpeTokenizer)
    pre = build_preprocessor({"type": "bpe"}, str(tmp_path), sequence_length=6)
    assert pre(["Hello world"])["token_ids"].numpy().tolist() == [[0, 31414, 232, 2, 1, 1]]


def test_errors_name_the_problem(tmp_path, wordpiece_dir):
    with pytest.raises(InputError, match="unknown tokenizer type 'unigram'"):
        tokenizer_from_files({"type": "unigram"}, wordpiece_dir)
    with pytest.raises(InputError, match=r"do not take \['lowercase'\]"):
        tokenizer_from_files({"type": "bpe", "lowercase": True}, wordpiece_dir)
    with pytest.raises(MissingFileError, match="vocab.json, merges.txt"):
        tokenizer_from_files({"type": "bpe"}, str(tmp_path))
    with pytest.raises(MissingFileError, match="spiece.model"):
        tokenizer_from_files({"type": "sentencepiece"}, str(tmp_path))
    with pytest.raises(InputTypeError):
        tokenizer_from_files("wordpiece", wordpiece_dir)
    assert factory.tokenizer_files({"type": "bpe"}) == ("vocab.json", "merges.txt")


def test_docstring_example_runs():
    assert doctest.testmod(factory).failed == 0
