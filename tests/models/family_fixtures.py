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
