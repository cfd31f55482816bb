"""Writes tests/fixtures/minilm_embeddings.npz: sentence-transformers'
embeddings of the embedded MiniLM (all-MiniLM-L6-v2) for a few texts, the
reference `tests/tasks/test_text_embedder.py` compares `TextEmbedder`
against (so CI needs no torch).

    pip install torch==2.13.0 sentence-transformers
    HF_HUB_OFFLINE=1 python scripts/make_golden_embeddings.py
"""

import os

import numpy as np
from sentence_transformers import SentenceTransformer

from bert_keras.checkpoints.builtin import DEFAULT_MODEL, resolve_builtin

# Short and long, punctuation, accents and CJK, an empty text, and one
# longer than max_seq_length (256 tokens), which must be truncated alike.
TEXTS = [
    "A man is playing a guitar.",
    "Someone plays the guitar.",
    "The stock market fell sharply on Monday.",
    "hello world",
    "",
    "it 's a charming and often affecting journey .",
    "Naïve café owners déjà vu — 東京 and 北京!",
    "unflinchingly bleak and desperate",
    " ".join(["the quick brown fox jumps over the lazy dog ."] * 40),
    "How old are you? I am six years old.",
]


def main():
    model = SentenceTransformer(str(resolve_builtin(DEFAULT_MODEL)), device="cpu")
    vectors = model.encode(TEXTS, batch_size=4, normalize_embeddings=True,
                           convert_to_numpy=True)
    target = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures",
                          "minilm_embeddings.npz")
    np.savez_compressed(target, texts=np.array(TEXTS), embeddings=vectors.astype(np.float32),
                        max_seq_length=np.array(model.max_seq_length))
    print("wrote", os.path.abspath(target), vectors.shape, "max_seq_length", model.max_seq_length)


if __name__ == "__main__":
    main()
