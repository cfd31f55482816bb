"""Tokenizer files travel with a conversion: an HF ALBERT directory with a
SentencePiece model, a RoBERTa one with byte-level BPE files."""

import json
import os

import numpy as np
import pytest

import bert_keras
from bert_keras.checkpoints.convert import load_model_dir
from bert_keras.tokenization.factory import build_tokenizer
from tests.conftest import shared_path
from tests.models.family_fixtures import load_golden, write_hf_dir


def test_albert_sentencepiece_model_is_copied(tmp_path):
    spm = shared_path("vocab", "albert_30k-clean", "30k-clean.model")
    golden = load_golden("albert")
    config = dict(golden["config"], vocab_size=30000)
    state = dict(golden["state"])
    state["embeddings.word_embeddings.weight"] = np.random.default_rng(0).standard_normal(
        (30000, config["embedding_size"])).astype("float32")
    src = write_hf_dir(tmp_path / "hf", dict(golden, config=config), state)
    os.remove(os.path.join(src, "vocab.txt"))
    with open(spm, "rb") as f, open(os.path.join(src, "spiece.model"), "wb") as g:
        g.write(f.read())
    model = bert_keras.convert(src, str(tmp_path / "out"))
    assert model.tokenizer.type == "sentencepiece" and model.tokenizer.lowercase is True
    files = set(os.listdir(tmp_path / "out"))
    assert "spiece.model" in files and "vocab.txt" not in files
    again = load_model_dir(str(tmp_path / "out"))
    assert len(again.vocab) == 30000 and again.vocab[:4] == ["<pad>", "<unk>", "[CLS]", "[SEP]"]
    meta = json.loads((tmp_path / "out" / "bert_keras.json").read_text())
    assert meta["tokenizer"]["type"] == "sentencepiece"
    # WordPiece's tokenize_chinese_chars is recorded but not passed on.
    tokenizer = build_tokenizer(again)
    assert tokenizer(["Hello world"]).to_list() == tokenizer(["hello world"]).to_list()


def test_roberta_bpe_files_are_copied(tmp_path):
    golden = load_golden("roberta")
    src = write_hf_dir(tmp_path / "hf", golden)
    model = bert_keras.convert(src, str(tmp_path / "out"))
    assert model.tokenizer.type == "bpe" and model.tokenizer.lowercase is False
    again = load_model_dir(str(tmp_path / "out"))
    assert again.vocab[:3] == ["[PAD]", "[UNK]", "[CLS]"]
    assert again.files.keys() == {"vocab.json", "merges.txt"}
    meta = json.loads((tmp_path / "out" / "bert_keras.json").read_text())
    assert meta["tokenizer"]["type"] == "bpe" and meta["tokenizer"]["lowercase"] is False
    # (Building its tokenizer from real BPE files, with these recorded
    # WordPiece fields not passed on: tests/models/test_family_pipeline.py.)


def test_no_tokenizer_files_is_a_clear_error(tmp_path):
    src = write_hf_dir(tmp_path / "hf", load_golden("electra"))
    os.remove(os.path.join(src, "vocab.txt"))
    with pytest.raises(FileNotFoundError, match="no tokenizer files"):
        bert_keras.convert(src, str(tmp_path / "out"))
    assert not (tmp_path / "out").exists()
