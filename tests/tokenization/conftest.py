"""Tokenizers over the real Google vocabularies, built once per session
(loading the 30k-token uncased vocabulary takes about a second)."""

import pytest


@pytest.fixture(scope="session")
def uncased_tokenizer(uncased_vocab):
    from bert_keras import BertTokenizer

    return BertTokenizer(uncased_vocab, lowercase=True)


@pytest.fixture(scope="session")
def chinese_tokenizer(chinese_vocab):
    from bert_keras import BertTokenizer

    return BertTokenizer(chinese_vocab, lowercase=True)
