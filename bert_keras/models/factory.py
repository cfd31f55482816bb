"""The encoder class of each model type."""

from bert_keras.config import BertConfig
from bert_keras.models.albert_encoder import AlbertEncoder
from bert_keras.models.electra_encoder import ElectraEncoder
from bert_keras.models.encoder import BertEncoder
from bert_keras.models.roberta_encoder import RobertaEncoder

ENCODERS = {cls.model_type: cls
            for cls in (BertEncoder, AlbertEncoder, ElectraEncoder, RobertaEncoder)}


def make_encoder(config, dtype=None, **kwargs):
    """The encoder for `config.model_type`, e.g. an `AlbertEncoder`.

    Example:
    >>> type(make_encoder(BertConfig.preset("albert_tiny", vocab_size=50))).__name__
    'AlbertEncoder'
    """
    if isinstance(config, dict):
        config = BertConfig.from_dict(config)
    return ENCODERS[config.model_type](config, dtype=dtype, **kwargs)
