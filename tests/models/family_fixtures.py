"""Hugging Face directories rebuilt from the committed golden fixtures
(`scripts/make_golden_families.py`): weights, config, tokenizer files."""

import json
import os

import numpy as np
from safetensors.numpy import save_file

from tests.conftest import FIXTURES
from tests.reference.tf1_checkpoint import tiny_vocab

FAMILIES = ("albert", "albert_groups", "electra", "roberta")


def load_golden(family):
    data = np.load(os.path.join(FIXTURES, f"golden_{family}.npz"))
    golden = {k: data[k] for k in data.files}
    golden["config"] = json.loads(str(golden["config"]))
    golden["state"] = {k[len("weight:"):]: golden.pop(k) for k in list(golden)
                       if k.startswith("weight:")}
    return golden


def inputs_of(golden):
    return {"token_ids": golden["input_ids"], "segment_ids": golden["token_type_ids"],
            "padding_mask": golden["attention_mask"]}


def write_hf_dir(path, golden, state=None):
    """A directory as `save_pretrained` writes it, plus tokenizer files."""
    os.makedirs(path, exist_ok=True)
    save_file({k: np.ascontiguousarray(v) for k, v in (state or golden["state"]).items()},
              os.path.join(path, "model.safetensors"))
    config = golden["config"]
    with open(os.path.join(path, "config.json"), "w") as f:
        json.dump(config, f)
    vocab = tiny_vocab(config["vocab_size"])
    if config["model_type"] == "roberta":
        with open(os.path.join(path, "vocab.json"), "w") as f:
            json.dump({t: i for i, t in enumerate(vocab)}, f)
        with open(os.path.join(path, "merges.txt"), "w") as f:
            f.write("#version: 0.2\n")
    else:
        with open(os.path.join(path, "vocab.txt"), "w") as f:
            f.write("\n".join(vocab) + "\n")
    return str(path)


# Tiny random models of each family with its real tokenizer (files under
# ../shared/data/vocab): 2 layers, hidden 32; weights drawn wide
# (initializer_range 0.2) so outputs depend on every weight.
TINY_SIZES = dict(num_layers=2, hidden_size=32, num_heads=2, intermediate_size=64,
                  initializer_range=0.2)


def tiny_family_model(family, seed=0):
    """A `BertModelDir` of `family` ("albert", "electra", "roberta") with
    random weights and the family's tokenizer: SentencePiece 30k-clean
    (ALBERT), uncased WordPiece (ELECTRA), byte-level BPE (RoBERTa)."""
    from bert_keras import BertConfig
    from bert_keras.checkpoints.model_dir import TokenizerSettings
    from bert_keras.checkpoints.tokenizer_files import read_vocab
    from bert_keras.training.scratch import random_model_dir
    from tests.conftest import shared_path

    if family == "albert":
        files = {"spiece.model": shared_path("vocab", "albert_30k-clean", "30k-clean.model")}
        kind, preset, extra = "sentencepiece", "albert_base", dict(embedding_size=16,
                                                                    max_position_embeddings=64)
        settings = TokenizerSettings(type=kind, lowercase=True, strip_accents=True)
    elif family == "electra":
        files = {}
        kind, preset, extra = "wordpiece", "electra_small", dict(embedding_size=16,
                                                                  max_position_embeddings=64)
        settings = TokenizerSettings(lowercase=True)
    else:
        files = {f: shared_path("vocab", "roberta-base", f) for f in ("vocab.json", "merges.txt")}
        kind, preset, extra = "bpe", "roberta_base", dict(max_position_embeddings=66)
        settings = TokenizerSettings(type=kind, lowercase=False)
    if kind == "wordpiece":
        vocab = read_vocab(kind, {}, shared_path("vocab", "uncased_L-12_H-768_A-12"))
    else:
        vocab = read_vocab(kind, files)
    config = BertConfig.preset(preset, vocab_size=len(vocab), **TINY_SIZES, **extra)
    model = random_model_dir(config, vocab, seed=seed)
    model.tokenizer, model.files = settings, files
    return model
