"""The encoder of each model type, and encoders with pretrained weights.

    >>> type(make_encoder(BertConfig.preset("albert_tiny", vocab_size=50))).__name__
    'AlbertEncoder'
    >>> load_encoder("minilm-l6-h384-uncased").config.hidden_size
    384
"""

from bert_keras.config import BertConfig
# Imported so that every family registers its class in ENCODERS.
from bert_keras.models import albert_encoder, electra_encoder, roberta_encoder  # noqa: F401
from bert_keras.models.encoder import ENCODERS, BertEncoder


def make_encoder(config, dtype=None, **kwargs):
    """The (randomly initialised) encoder for `config.model_type`, e.g. an
    `AlbertEncoder`."""
    if isinstance(config, dict):
        config = BertConfig.from_dict(config)
    return ENCODERS[config.model_type](config, dtype=dtype, **kwargs)


def build_encoder(model, dtype=None):
    """The encoder of a model in memory (`BertModelDir`) with its weights."""
    return BertEncoder.from_model_dir(model, dtype=dtype)


def load_encoder(src, dtype=None):
    """The pretrained encoder of a model directory, built-in name or any
    checkpoint `bert_keras.convert` reads."""
    return BertEncoder.from_pretrained(src, dtype=dtype)
