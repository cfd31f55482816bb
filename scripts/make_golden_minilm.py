"""Writes tests/fixtures/minilm_golden.npz: Hugging Face PyTorch `BertModel`
outputs of the embedded MiniLM for a few sentences, the gold reference the
parity test compares against (so CI needs no torch).

    pip install torch==2.13.0 transformers
    python scripts/make_golden_minilm.py
"""

import os

import numpy as np
import torch
from transformers import BertModel, BertTokenizerFast

from bert_keras.checkpoints.builtin import DEFAULT_MODEL, resolve_builtin

SENTENCES = [
    "hello world",
    "The quick brown fox jumps over the lazy dog.",
    "it 's a charming and often affecting journey .",
    "Naïve café owners déjà vu — 東京 and 北京!",
]
PAIR = ("How old are you?", "I am six years old.")


def main():
    path = resolve_builtin(DEFAULT_MODEL)
    model = BertModel.from_pretrained(path).eval()
    tokenizer = BertTokenizerFast.from_pretrained(path)
    enc = tokenizer(SENTENCES, padding=True, return_tensors="pt")
    pair = tokenizer([PAIR[0]], [PAIR[1]], return_tensors="pt")
    out = {}
    for name, batch in (("single", enc), ("pair", pair)):
        with torch.no_grad():
            o = model(**batch)
        out[f"{name}_input_ids"] = batch["input_ids"].numpy().astype(np.int32)
        out[f"{name}_token_type_ids"] = batch["token_type_ids"].numpy().astype(np.int32)
        out[f"{name}_attention_mask"] = batch["attention_mask"].numpy().astype(np.int32)
        out[f"{name}_sequence_output"] = o.last_hidden_state.numpy()
        out[f"{name}_pooled_output"] = o.pooler_output.numpy()
    out["sentences"] = np.array(SENTENCES)
    out["pair"] = np.array(PAIR)
    target = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "minilm_golden.npz")
    np.savez_compressed(target, **out)
    print("wrote", os.path.abspath(target), {k: v.shape for k, v in out.items()})


if __name__ == "__main__":
    main()
