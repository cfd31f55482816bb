"""Encoders of the BERT family, built from layers; `make_encoder(config)`
picks the class from `config.model_type`."""

from bert_keras.models.albert_encoder import AlbertEncoder
from bert_keras.models.electra_encoder import ElectraEncoder
from bert_keras.models.encoder import BertEncoder
from bert_keras.models.factory import ENCODERS, make_encoder
from bert_keras.models.roberta_encoder import RobertaEncoder
