"""One-call loading: a model directory, built-in name or any checkpoint
`convert` reads, to Keras objects (see `builders.py`)."""

from bert_keras.checkpoints.builders import (  # noqa: F401 (public names)
    build_encoder, build_mlm_head, build_nsp_head, build_tokenizer)
from bert_keras.checkpoints.convert import read_any


def load_model_dir(src):
    """A `BertModelDir` from a model directory, built-in name or checkpoint."""
    return read_any(src)


def load_encoder(src, dtype=None):
    return build_encoder(read_any(src), dtype=dtype)


def load_tokenizer(src):
    return build_tokenizer(read_any(src))
