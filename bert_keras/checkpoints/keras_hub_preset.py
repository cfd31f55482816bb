"""Reads a keras-hub BERT preset directory (`config.json` naming
`keras_hub>BertBackbone`, `model.weights.h5`, `tokenizer.json`,
`assets/tokenizer/vocabulary.txt`)."""

import json
import os

import numpy as np

from bert_keras.checkpoints.model_dir import BertModelDir, TokenizerSettings
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
    get = lambda v: np.asarray(v.numpy(), dtype=np.float32)
    w = {
        "embeddings/word_embeddings": get(backbone.get_layer("token_embedding").embeddings),
        "embeddings/position_embeddings": get(
            backbone.get_layer("position_embedding").position_embeddings),
        "embeddings/token_type_embeddings": get(backbone.get_layer("segment_embedding").embeddings),
        "embeddings/LayerNorm/gamma": get(backbone.get_layer("embeddings_layer_norm").gamma),
        "embeddings/LayerNorm/beta": get(backbone.get_layer("embeddings_layer_norm").beta),
        "pooler/kernel": get(backbone.get_layer("pooled_dense").kernel),
        "pooler/bias": get(backbone.get_layer("pooled_dense").bias),
    }
    for i in range(backbone.num_layers):
        block = backbone.get_layer(f"transformer_layer_{i}")
        attn, o = block._self_attention_layer, f"layer_{i}/"
        for dense, ours in ((attn.query_dense, "query"), (attn.key_dense, "key"),
                            (attn.value_dense, "value")):
            w[o + ours + "/kernel"] = get(dense.kernel).reshape(config.hidden_size, -1)
            w[o + ours + "/bias"] = get(dense.bias).reshape(-1)
        w[o + "attention_output/kernel"] = get(attn.output_dense.kernel).reshape(-1, config.hidden_size)
        w[o + "attention_output/bias"] = get(attn.output_dense.bias)
        for layer, ours in ((block._feedforward_intermediate_dense, "intermediate"),
                            (block._feedforward_output_dense, "output")):
            w[o + ours + "/kernel"] = get(layer.kernel)
            w[o + ours + "/bias"] = get(layer.bias)
        for ln, ours in ((block._self_attention_layer_norm, "attention_LayerNorm"),
                         (block._feedforward_layer_norm, "output_LayerNorm")):
            w[o + ours + "/gamma"] = get(ln.gamma)
            w[o + ours + "/beta"] = get(ln.beta)
    return BertModelDir(
        config=config, vocab=list(tokenizer.vocabulary), weights=w,
        tokenizer=TokenizerSettings(lowercase=bool(tokenizer.lowercase)),
        heads=[], source=source)
