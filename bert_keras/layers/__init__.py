"""Keras layers BERT is built from (beyond the keras-hub ones it reuses)."""

from bert_keras.layers.activations import gelu_tanh, get_activation
from bert_keras.layers.embeddings import BertEmbeddings
from bert_keras.layers.hub_layer import HubLayer
