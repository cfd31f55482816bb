"""WordPiece vocabularies: reading, writing, and training one from text."""

import os
import warnings
from bert_keras.errors import InputError, MissingFileError

SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")


def load_vocab(path):
    """Reads a one-token-per-line vocabulary file into a list of tokens.

    Only the line break is stripped: some vocabularies hold tokens that are
    whitespace-like characters, which `str.strip()` would destroy.
    """
    if not os.path.isfile(path):
        raise MissingFileError(f"Vocabulary file not found: {path}")
    with open(path, encoding="utf-8") as f:
        tokens = [line.rstrip("\n").rstrip("\r") for line in f]
    while tokens and tokens[-1] == "":
        tokens.pop()
    if not tokens:
        raise InputError(f"Vocabulary file is empty: {path}")
    missing = [t for t in ("[UNK]", "[CLS]", "[SEP]", "[PAD]") if t not in tokens]
    if missing:
        raise InputError(f"Vocabulary {path} lacks the special tokens {missing}")
    return tokens


def save_vocab(tokens, path):
    with open(path, "w", encoding="utf-8") as f:
        for token in tokens:
            f.write(token + "\n")


def train_vocab(texts, vocab_size, lowercase=True, reserved_tokens=SPECIAL_TOKENS):
    """Learns a WordPiece vocabulary from an iterable of strings (or a
    `tf.data.Dataset` of strings) with keras-hub's
    `compute_word_piece_vocabulary`, BERT special tokens first.

    A small corpus can yield fewer tokens than `vocab_size`; then a
    `UserWarning` gives the real size (the model's embedding table is sized
    from the vocabulary, so nothing else changes).

    Example:
    >>> vocab = train_vocab(["the quick brown fox", "the lazy dog"], 40)
    >>> vocab[:5]
    ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']
    """
    import tensorflow as tf
    from keras_hub.tokenizers import compute_word_piece_vocabulary

    if not isinstance(texts, tf.data.Dataset):
        texts = tf.data.Dataset.from_tensor_slices(list(texts))
    texts = texts.batch(1024)
    tokens = compute_word_piece_vocabulary(
        texts,
        vocabulary_size=vocab_size,
        lowercase=lowercase,
        strip_accents=lowercase,
        reserved_tokens=list(reserved_tokens),
    )
    if len(tokens) < vocab_size:
        warnings.warn(f"asked for a vocabulary of {vocab_size} tokens; the corpus yields "
                      f"only {len(tokens)}, so the vocabulary has {len(tokens)} tokens",
                      UserWarning, stacklevel=2)
    return tokens
