"""BERT networks built from layers: the encoder."""

from bert_keras.models.encoder import BertEncoder
