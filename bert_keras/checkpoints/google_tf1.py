"""Reads an original Google BERT checkpoint directory (google-research/bert:
`bert_config.json`, `bert_model.ckpt.{index,data-*}`, `vocab.txt`), with the
pretraining heads `cls/predictions` and `cls/seq_relationship` when present."""

import glob
import os

import numpy as np

from bert_keras.checkpoints.model_dir import BertModelDir, TokenizerSettings
from bert_keras.config import BertConfig
from bert_keras.tokenization.vocab import load_vocab

# Optimizer slots and bookkeeping that pretraining checkpoints carry.
_IGNORED_SUFFIXES = ("/adam_m", "/adam_v", "/Momentum")
_IGNORED = ("global_step", "good_steps", "loss_scale", "current_loss_scale")


def checkpoint_prefix(path):
    """The checkpoint prefix in a directory (`bert_model.ckpt`, or whatever
    single `*.index` file it holds)."""
    if os.path.isfile(path + ".index"):
        return path
    indexes = sorted(glob.glob(os.path.join(path, "*.index")))
    if not indexes:
        return None
    preferred = [p for p in indexes if os.path.basename(p) == "bert_model.ckpt.index"]
    return (preferred or indexes)[0][: -len(".index")]


def is_google_dir(path):
    return (os.path.isdir(path)
            and os.path.isfile(os.path.join(path, "bert_config.json"))
            and checkpoint_prefix(path) is not None)


def guess_lowercase(vocab, path):
    """Google's checkpoints do not record casing: directory names say
    `uncased`/`cased`, else an uncased vocabulary has no capital letters."""
    name = os.path.basename(os.path.abspath(path)).lower()
    if "uncased" in name:
        return True
    if "cased" in name:
        return False
    return not any(t[:1].isupper() for t in vocab if not t.startswith("["))


def read_google_tf1(path, lowercase=None):
    import tensorflow as tf

    source = f"Google BERT checkpoint {path}"
    config = BertConfig.from_google_json(os.path.join(path, "bert_config.json"))
    reader = tf.train.load_checkpoint(checkpoint_prefix(path))
    shapes = reader.get_variable_to_shape_map()
    used = set()

    def get(name):
        if name not in shapes:
            raise KeyError(f"{source}: missing tensor {name!r}")
        used.add(name)
        return np.asarray(reader.get_tensor(name), dtype=np.float32)

    w = {}
    for ours in ("word_embeddings", "position_embeddings", "token_type_embeddings"):
        w[f"embeddings/{ours}"] = get(f"bert/embeddings/{ours}")
    w["embeddings/LayerNorm/gamma"] = get("bert/embeddings/LayerNorm/gamma")
    w["embeddings/LayerNorm/beta"] = get("bert/embeddings/LayerNorm/beta")
    for i in range(config.num_layers):
        g, o = f"bert/encoder/layer_{i}/", f"layer_{i}/"
        for tf1, ours in (("attention/self/query", "query"), ("attention/self/key", "key"),
                          ("attention/self/value", "value"),
                          ("attention/output/dense", "attention_output"),
                          ("intermediate/dense", "intermediate"), ("output/dense", "output")):
            w[f"{o}{ours}/kernel"] = get(f"{g}{tf1}/kernel")
            w[f"{o}{ours}/bias"] = get(f"{g}{tf1}/bias")
        for tf1, ours in (("attention/output/LayerNorm", "attention_LayerNorm"),
                          ("output/LayerNorm", "output_LayerNorm")):
            w[f"{o}{ours}/gamma"] = get(f"{g}{tf1}/gamma")
            w[f"{o}{ours}/beta"] = get(f"{g}{tf1}/beta")
    w["pooler/kernel"] = get("bert/pooler/dense/kernel")
    w["pooler/bias"] = get("bert/pooler/dense/bias")
    heads = []
    if "cls/predictions/output_bias" in shapes:
        w["mlm/transform/kernel"] = get("cls/predictions/transform/dense/kernel")
        w["mlm/transform/bias"] = get("cls/predictions/transform/dense/bias")
        w["mlm/LayerNorm/gamma"] = get("cls/predictions/transform/LayerNorm/gamma")
        w["mlm/LayerNorm/beta"] = get("cls/predictions/transform/LayerNorm/beta")
        w["mlm/output_bias"] = get("cls/predictions/output_bias")
        heads.append("mlm")
    if "cls/seq_relationship/output_weights" in shapes:
        # Stored [2, H], transposed relative to a Dense kernel.
        w["nsp/kernel"] = get("cls/seq_relationship/output_weights").T
        w["nsp/bias"] = get("cls/seq_relationship/output_bias")
        heads.append("nsp")
    unexpected = sorted(
        n for n in shapes if n not in used and n not in _IGNORED
        and not n.endswith(_IGNORED_SUFFIXES))
    if unexpected:
        raise ValueError(f"{source}: unexpected tensors {unexpected[:10]}")
    vocab = load_vocab(os.path.join(path, "vocab.txt"))
    if lowercase is None:
        lowercase = guess_lowercase(vocab, path)
    return BertModelDir(config=config, vocab=vocab, weights=w,
                        tokenizer=TokenizerSettings(lowercase=lowercase),
                        heads=heads, source=source)
