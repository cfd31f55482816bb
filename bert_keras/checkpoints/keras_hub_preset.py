"""Reads a keras-hub preset directory of a BERT, ALBERT, ELECTRA or RoBERTa
backbone (`backbone.save_to_preset(dir)` + `tokenizer.save_to_preset(dir)`:
`config.json` naming `keras_hub>BertBackbone` (or `AlbertBackbone`,
`ElectraBackbone`, `RobertaBackbone`), `model.weights.h5`, `tokenizer.json`,
`assets/tokenizer/...`). Where each tensor sits in the backbone is the
`name_tables.KERAS_HUB` table of its model type.

What keras-hub's backbones define differently from the checkpoints they
were converted from, and what the model directory gets instead:

- all four use the tanh GELU (`hidden_act="gelu_tanh"`) except RoBERTa
  (exact GELU, LayerNorm epsilon 1e-5), as keras-hub builds them;
- ElectraBackbone has a `pooled_dense` that ELECTRA's checkpoints do not
  (keras-hub initialises it at random): not read; our ELECTRA's
  `pooled_output` is the `[CLS]` state, as for every ELECTRA;
- RobertaBackbone has no token-type embedding (ours: one row of zeros), no
  pooler (ours: identity kernel, zero bias, so `pooled_output` is
  `tanh(<s> state)`; fine-tuning trains it as any pooler), and its position
  table starts at the first token where fairseq's starts at
  `pad_token_id + 1` (ours: `pad_token_id + 1` rows of zeros, then keras-hub's
  table, so every token gets the same vector as in keras-hub);
- ALBERT's SentencePiece model is tokenized as Google and Hugging Face do
  (lowercased, accents stripped), which is how ALBERT was trained;
  keras-hub's `AlbertTokenizer` does neither.
"""

import dataclasses
import json
import os

import numpy as np

from bert_keras.checkpoints.canonical import keras_slots, read_slots
from bert_keras.checkpoints.layout import expected_shapes
from bert_keras.checkpoints.model_dir import BertModelDir, TokenizerSettings
from bert_keras.checkpoints.name_tables import KERAS_HUB
from bert_keras.checkpoints.tokenizer_files import BPE_FILES, SENTENCEPIECE_FILE, read_vocab
from bert_keras.config import BertConfig
from bert_keras.errors import MissingFileError

# keras-hub backbone class -> (model type, keras-hub tokenizer class)
BACKBONES = {
    "BertBackbone": ("bert", "BertTokenizer"),
    "AlbertBackbone": ("albert", "AlbertTokenizer"),
    "ElectraBackbone": ("electra", "ElectraTokenizer"),
    "RobertaBackbone": ("roberta", "RobertaTokenizer"),
}
# Tokenizer assets a preset holds (under assets/tokenizer/), by model type:
# name in our model directory -> name keras-hub saves.
_ASSETS = {"albert": {SENTENCEPIECE_FILE: "vocabulary.spm"},
           "roberta": dict(zip(BPE_FILES, ("vocabulary.json", "merges.txt")))}


def backbone_class(path):
    """The keras-hub backbone class a preset's config.json names, or None."""
    cfg = os.path.join(path, "config.json")
    if not os.path.isfile(cfg):
        return None
    with open(cfg, encoding="utf-8") as f:
        try:
            class_name = json.load(f).get("class_name", "")
        except (json.JSONDecodeError, AttributeError):
            return None
    return class_name.split(">")[-1] if isinstance(class_name, str) else None


def is_keras_hub_dir(path):
    # model.weights.json is the index of a sharded preset.
    weights = any(os.path.isfile(os.path.join(path, f))
                  for f in ("model.weights.h5", "model.weights.json"))
    return weights and backbone_class(path) in BACKBONES


def read_keras_hub(path):
    import keras_hub

    source = f"keras-hub preset {path}"
    model_type, tokenizer_class = BACKBONES[backbone_class(path)]
    files = _asset_files(model_type, path, source)  # before keras-hub trips on them
    backbone = getattr(keras_hub.models, backbone_class(path)).from_preset(path)
    tokenizer = getattr(keras_hub.tokenizers, tokenizer_class).from_preset(path)
    config = _config(model_type, backbone, tokenizer)
    # The layout as keras-hub stores it (RoBERTa: positions from 0).
    stored = dataclasses.replace(config, max_position_embeddings=backbone.max_sequence_length)
    weights = read_slots(keras_slots(backbone, KERAS_HUB[model_type], stored),
                         expected_shapes(stored))
    if model_type == "roberta":
        weights = _fairseq_roberta(weights, config)
    settings = _settings(model_type, tokenizer)
    vocab = (list(tokenizer.vocabulary) if settings.type == "wordpiece"
             else read_vocab(settings.type, files))
    return BertModelDir(config=config, vocab=vocab, weights=weights, tokenizer=settings,
                        heads=[], source=source, files=files)


def _config(model_type, backbone, tokenizer):
    common = dict(
        model_type=model_type,
        # ElectraBackbone alone calls it vocab_size.
        vocab_size=getattr(backbone, "vocabulary_size", None) or backbone.vocab_size,
        hidden_size=backbone.hidden_dim, num_layers=backbone.num_layers,
        num_heads=backbone.num_heads, intermediate_size=backbone.intermediate_dim,
        max_position_embeddings=backbone.max_sequence_length,
        hidden_dropout=backbone.dropout, attention_dropout=backbone.dropout,
        hidden_act="gelu_tanh")  # keras-hub's gelu_approximate
    if model_type == "roberta":
        pad = int(tokenizer.pad_token_id)
        return BertConfig(**dict(
            common, hidden_act="gelu", layer_norm_epsilon=1e-5, type_vocab_size=1,
            pad_token_id=pad, max_position_embeddings=backbone.max_sequence_length + pad + 1))
    extra = {}
    if model_type in ("albert", "electra"):
        extra["embedding_size"] = backbone.embedding_dim
    if model_type == "albert":
        extra.update(num_hidden_groups=backbone.num_groups,
                     inner_group_num=backbone.num_inner_repetitions)
    return BertConfig(**common, **extra, type_vocab_size=backbone.num_segments)


def _fairseq_roberta(weights, config):
    """keras-hub's RoBERTa weights in fairseq's (and our) layout."""
    h, pad = config.hidden_size, config.pad_token_id
    out = dict(weights)
    out["embeddings/position_embeddings"] = np.concatenate(
        [np.zeros((pad + 1, h), np.float32), weights["embeddings/position_embeddings"]])
    out["embeddings/token_type_embeddings"] = np.zeros((1, h), np.float32)
    out["pooler/kernel"] = np.eye(h, dtype=np.float32)
    out["pooler/bias"] = np.zeros((h,), np.float32)
    return out


def _asset_files(model_type, path, source):
    """Tokenizer files to copy into the model directory (none for WordPiece,
    whose vocabulary is written from the token list)."""
    files = {ours: os.path.join(path, "assets", "tokenizer", theirs)
             for ours, theirs in _ASSETS.get(model_type, {}).items()}
    missing = [f for f in files.values() if not os.path.isfile(f)]
    if missing:
        raise MissingFileError(f"{source}: tokenizer file {missing[0]} is missing "
                               "(save the tokenizer with tokenizer.save_to_preset(dir))")
    return files


def _settings(model_type, tokenizer):
    if model_type == "albert":
        return TokenizerSettings(type="sentencepiece", lowercase=True, strip_accents=True)
    if model_type == "roberta":
        return TokenizerSettings(type="bpe", lowercase=False)
    return TokenizerSettings(lowercase=bool(tokenizer.lowercase))
