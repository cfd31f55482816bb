"""Reads a Hugging Face directory of a BERT, ALBERT, ELECTRA or RoBERTa model
(`config.json` + `model.safetensors` or `pytorch_model.bin`, and its
tokenizer files); tensor names come from `name_tables.HF`."""

import os

from bert_keras.checkpoints.model_dir import BertModelDir
from bert_keras.checkpoints.name_tables import HF
from bert_keras.checkpoints.tokenizer_files import hf_tokenizer
from bert_keras.checkpoints.translate import read_tensors
from bert_keras.config import BertConfig
from bert_keras.utils.json_file import read_json


def is_hf_dir(path):
    return os.path.isfile(os.path.join(path, "config.json")) and any(
        os.path.isfile(os.path.join(path, f))
        for f in ("model.safetensors", "pytorch_model.bin"))


def _load_state_dict(path):
    st = os.path.join(path, "model.safetensors")
    if os.path.isfile(st):
        from safetensors.numpy import load_file

        return load_file(st)
    try:
        import torch
    except ImportError:
        raise ImportError(
            f"{path} has only pytorch_model.bin; reading it needs torch "
            "(pip install torch), or convert it to model.safetensors") from None
    state = torch.load(os.path.join(path, "pytorch_model.bin"), map_location="cpu",
                       weights_only=True)
    return {k: v.float().numpy() for k, v in state.items()}


def _modern_names(state):
    # Old checkpoints name LayerNorm parameters gamma/beta.
    return {k.replace("LayerNorm.gamma", "LayerNorm.weight")
             .replace("LayerNorm.beta", "LayerNorm.bias"): v for k, v in state.items()}


def read_hf(path, config=None):
    """HF directory -> `BertModelDir` (canonical weights, heads if present).
    `config` overrides `config.json` (for directories without one)."""
    source = f"Hugging Face checkpoint {path}"
    config = config or BertConfig.from_hf_json(os.path.join(path, "config.json"))
    state = _modern_names(_load_state_dict(path))
    weights, heads = read_tensors(state, state.__getitem__, HF[config.model_type],
                                  config, source)
    tok_cfg = {}
    tok_path = os.path.join(path, "tokenizer_config.json")
    if os.path.isfile(tok_path):
        tok_cfg = read_json(tok_path)
    vocab, settings, files = hf_tokenizer(path, tok_cfg, config.model_type)
    return BertModelDir(config=config, vocab=vocab, weights=weights,
                        tokenizer=settings, heads=heads, source=source, files=files)
