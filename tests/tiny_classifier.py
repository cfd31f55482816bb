"""Helpers for fine-tuning tests: a tiny random-weight model and a toy task
it can learn in seconds."""

import os

TOY_VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "a", "movie", "film",
             "was", "is", "good", "great", "bad", "awful", "plot", "acting", "very", ".", "!"]
POSITIVE = ["the movie was good .", "a great film !", "the acting is very good",
            "good plot .", "a very great movie", "the film was great !"]
NEGATIVE = ["the movie was bad .", "an awful film !", "the acting is very bad",
            "bad plot .", "a very awful movie", "the film was awful !"]


def tiny_model_dir(path=None, vocab=TOY_VOCAB, seed=0):
    """A 2-layer, hidden-32 random BERT (a `BertModelDir`; written to
    `path` when given)."""
    from bert_keras.checkpoints.model_dir import save_model_dir
    from bert_keras.config import BertConfig
    from bert_keras.training.scratch import random_model_dir

    config = BertConfig.preset("tiny", vocab_size=len(vocab), num_layers=2, hidden_size=32,
                               num_heads=2, intermediate_size=64,
                               max_position_embeddings=64)
    md = random_model_dir(config, vocab, seed=seed)
    if path:
        save_model_dir(md, str(path))
        md.path = str(path)
    return md


def write_toy_sst2(path, repeat=2):
    """An SST-2-format TSV of the toy sentences (label 1 = positive)."""
    rows = [(s, 1) for s in POSITIVE] + [(s, 0) for s in NEGATIVE]
    with open(path, "w", encoding="utf-8") as f:
        f.write("sentence\tlabel\n")
        for _ in range(repeat):
            for s, y in rows:
                f.write(f"{s}\t{y}\n")
    return str(path)
