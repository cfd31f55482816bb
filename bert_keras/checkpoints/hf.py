"""Reads a Hugging Face BERT directory (`config.json` + `model.safetensors`
or `pytorch_model.bin`, `vocab.txt`, `tokenizer_config.json`)."""

import os

import numpy as np

from bert_keras.checkpoints import canonical
from bert_keras.checkpoints.model_dir import BertModelDir, TokenizerSettings
from bert_keras.config import BertConfig
from bert_keras.tokenization.vocab import load_vocab
from bert_keras.errors import InputError, InputKeyError
from bert_keras.utils.json_file import read_json

# Tensors HF files carry that are not weights of the model.
_IGNORED = ("embeddings.position_ids", "cls.predictions.decoder.weight")


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


def read_hf(path):
    """HF directory -> `BertModelDir` (canonical weights, heads if present)."""
    source = f"Hugging Face checkpoint {path}"
    config = BertConfig.from_hf_json(os.path.join(path, "config.json"))
    state = _load_state_dict(path)
    # BertForPreTraining / BertForMaskedLM prefix the encoder with "bert.".
    state = {k[len("bert."):] if k.startswith("bert.") else k: v for k, v in state.items()}
    # Old checkpoints name LayerNorm parameters gamma/beta.
    state = {k.replace("LayerNorm.gamma", "LayerNorm.weight")
              .replace("LayerNorm.beta", "LayerNorm.bias"): v for k, v in state.items()}

    w, used, origin = {}, set(), {}

    def take(hf_name, name, transpose=False):
        if hf_name not in state:
            raise InputKeyError(f"{source}: missing tensor {hf_name!r}")
        used.add(hf_name)
        origin[name] = hf_name
        value = np.asarray(state[hf_name], dtype=np.float32)
        w[name] = value.T if transpose else value

    take("embeddings.word_embeddings.weight", "embeddings/word_embeddings")
    take("embeddings.position_embeddings.weight", "embeddings/position_embeddings")
    take("embeddings.token_type_embeddings.weight", "embeddings/token_type_embeddings")
    take("embeddings.LayerNorm.weight", "embeddings/LayerNorm/gamma")
    take("embeddings.LayerNorm.bias", "embeddings/LayerNorm/beta")
    for i in range(config.num_layers):
        hf, ours = f"encoder.layer.{i}.", f"layer_{i}/"
        for hf_part, part in (("attention.self.query", "query"),
                              ("attention.self.key", "key"),
                              ("attention.self.value", "value"),
                              ("attention.output.dense", "attention_output"),
                              ("intermediate.dense", "intermediate"),
                              ("output.dense", "output")):
            take(f"{hf}{hf_part}.weight", f"{ours}{part}/kernel", transpose=True)
            take(f"{hf}{hf_part}.bias", f"{ours}{part}/bias")
        for hf_part, part in (("attention.output.LayerNorm", "attention_LayerNorm"),
                              ("output.LayerNorm", "output_LayerNorm")):
            take(f"{hf}{hf_part}.weight", f"{ours}{part}/gamma")
            take(f"{hf}{hf_part}.bias", f"{ours}{part}/beta")
    heads = []
    if "pooler.dense.weight" in state:
        take("pooler.dense.weight", "pooler/kernel", transpose=True)
        take("pooler.dense.bias", "pooler/bias")
    else:
        raise InputKeyError(f"{source}: no pooler (pooler.dense.*); models saved "
                       "with add_pooling_layer=False are not supported")
    if "cls.predictions.transform.dense.weight" in state:
        take("cls.predictions.transform.dense.weight", "mlm/transform/kernel", transpose=True)
        take("cls.predictions.transform.dense.bias", "mlm/transform/bias")
        take("cls.predictions.transform.LayerNorm.weight", "mlm/LayerNorm/gamma")
        take("cls.predictions.transform.LayerNorm.bias", "mlm/LayerNorm/beta")
        bias = "cls.predictions.bias" if "cls.predictions.bias" in state else "cls.predictions.decoder.bias"
        take(bias, "mlm/output_bias")
        used.add("cls.predictions.decoder.bias")
        # The decoder is tied to the word embeddings (and usually not even
        # saved); an untied one would be silently dropped, so refuse it.
        decoder = state.get("cls.predictions.decoder.weight")
        if decoder is not None and not np.allclose(
                decoder, w["embeddings/word_embeddings"], atol=1e-6):
            raise InputError(
                f"{source}: cls.predictions.decoder.weight differs from "
                "embeddings.word_embeddings.weight; untied MLM decoders are not supported")
        heads.append("mlm")
    if "cls.seq_relationship.weight" in state:
        take("cls.seq_relationship.weight", "nsp/kernel", transpose=True)
        take("cls.seq_relationship.bias", "nsp/bias")
        heads.append("nsp")
    unexpected = sorted(k for k in state if k not in used and k not in _IGNORED)
    if unexpected:
        raise InputError(
            f"{source}: unexpected tensors {unexpected[:10]}"
            + (f" and {len(unexpected) - 10} more" if len(unexpected) > 10 else "")
            + f"; config.json says num_hidden_layers={config.num_layers}")
    canonical.check_shapes(w, config, heads, source, origin)

    tok_cfg = {}
    tok_path = os.path.join(path, "tokenizer_config.json")
    if os.path.isfile(tok_path):
        tok_cfg = read_json(tok_path)
    lowercase = bool(tok_cfg.get("do_lower_case", True))
    return BertModelDir(
        config=config,
        vocab=load_vocab(os.path.join(path, "vocab.txt")),
        weights=w,
        tokenizer=TokenizerSettings(
            lowercase=lowercase,
            strip_accents=tok_cfg.get("strip_accents"),
            tokenize_chinese_chars=tok_cfg.get("tokenize_chinese_chars", True)),
        heads=heads,
        source=source,
    )
