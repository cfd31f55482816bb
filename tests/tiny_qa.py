"""Helpers for QA tests: a tiny random BERT over a real vocabulary, and
small SQuAD-format files cut from ../shared/data."""

import json

from tests.conftest import shared_path
from tests.tiny_classifier import tiny_model_dir

# Windows small enough for a 64-position tiny model.
TINY_WINDOWS = {"sequence_length": 64, "doc_stride": 16, "max_query_length": 16}
TINY_FLAGS = ["--max-seq-length", "64", "--doc-stride", "16", "--max-query-length", "16"]


def tiny_qa_base(path, vocab_parts=("vocab", "uncased_L-12_H-768_A-12", "vocab.txt")):
    """A 2-layer, hidden-32 random BERT over the Google uncased (or another)
    vocabulary, written to `path`; returns its path."""
    from bert_keras.tokenization import load_vocab

    vocab = load_vocab(shared_path(*vocab_parts))
    return tiny_model_dir(path, vocab=vocab).path


def write_squad_slice(path, questions, skip=0, source=("SQuAD", "train-split-v1.1.json")):
    """A SQuAD-format file of the first `questions` questions after the
    first `skip` (whole paragraphs, cut at the last one)."""
    with open(shared_path(*source), encoding="utf-8") as f:
        root = json.load(f)
    data, seen = [], 0
    for article in root["data"]:
        paragraphs = []
        for paragraph in article["paragraphs"]:
            qas = []
            for qa in paragraph["qas"]:
                if skip <= seen < skip + questions:
                    qas.append(qa)
                seen += 1
            if qas:
                paragraphs.append({"context": paragraph["context"], "qas": qas})
        if paragraphs:
            data.append({"title": article.get("title", ""), "paragraphs": paragraphs})
        if seen >= skip + questions:
            break
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"version": root.get("version", ""), "data": data}, f, ensure_ascii=False)
    return str(path)
