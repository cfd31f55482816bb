"""Reads a keras-hub BERT preset directory (`config.json` naming
`keras_hub>BertBackbone`, `model.weights.h5`, `tokenizer.json`,
`assets/tokenizer/vocabulary.txt`); where each tensor sits in the backbone
is the `name_tables.KERAS_HUB_BERT` table."""

import json
import os

from bert_keras.checkpoints.canonical import keras_slots, read_slots
from bert_keras.checkpoints.layout import expected_shapes
from bert_keras.checkpoints.model_dir import BertModelDir, TokenizerSettings
from bert_keras.checkpoints.name_tables import KERAS_HUB_BERT
from bert_keras.config import BertConfig


def is_keras_hub_dir(path):
    cfg = os.path.join(path, "config.json")
    # model.weights.json is the index of a sharded preset.
    weights = any(os.path.isfile(os.path.join(path, f))
                  for f in ("model.weights.h5", "model.weights.json"))
    if not (os.path.isfile(cfg) and weights):
        return False
    with open(cfg, encoding="utf-8") as f:
        return "BertBackbone" in json.load(f).get("class_name", "")


def read_keras_hub(path):
    import keras_hub

    source = f"keras-hub preset {path}"
    backbone = keras_hub.models.BertBackbone.from_preset(path)
    tokenizer = keras_hub.tokenizers.BertTokenizer.from_preset(path)
    config = BertConfig(
        vocab_size=backbone.vocabulary_size,
        hidden_size=backbone.hidden_dim,
        num_layers=backbone.num_layers,
        num_heads=backbone.num_heads,
        intermediate_size=backbone.intermediate_dim,
        max_position_embeddings=backbone.max_sequence_length,
        type_vocab_size=backbone.num_segments,
        hidden_dropout=backbone.dropout,
        attention_dropout=backbone.dropout,
        hidden_act="gelu_tanh",  # keras-hub's BertBackbone always uses it
    )
    weights = read_slots(keras_slots(backbone, KERAS_HUB_BERT, config), expected_shapes(config))
    return BertModelDir(
        config=config, vocab=list(tokenizer.vocabulary), weights=weights,
        tokenizer=TokenizerSettings(lowercase=bool(tokenizer.lowercase)),
        heads=[], source=source)
