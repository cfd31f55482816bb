"""Reads an original Google BERT checkpoint directory (google-research/bert:
`bert_config.json`, `bert_model.ckpt.{index,data-*}`, `vocab.txt`), with the
pretraining heads `cls/predictions` and `cls/seq_relationship` when present."""

import glob
import os
import re

import numpy as np

from bert_keras.checkpoints import canonical
from bert_keras.checkpoints.model_dir import BertModelDir, TokenizerSettings
from bert_keras.config import BertConfig
from bert_keras.tokenization.vocab import load_vocab
from bert_keras.errors import InputError, InputKeyError

# Optimizer slots and bookkeeping that pretraining checkpoints carry.
_IGNORED_SUFFIXES = ("/adam_m", "/adam_v", "/Momentum")
_IGNORED = ("global_step", "good_steps", "loss_scale", "current_loss_scale")


def checkpoint_prefix(path):
    """The checkpoint prefix in a directory: `bert_model.ckpt`, else the one
    the `checkpoint` file names (the latest of a pretraining run), else the
    `*.index` file with the highest step number."""
    if os.path.isfile(path + ".index"):
        return path
    indexes = glob.glob(os.path.join(path, "*.index"))
    if not indexes:
        return None
    if os.path.isfile(os.path.join(path, "bert_model.ckpt.index")):
        return os.path.join(path, "bert_model.ckpt")
    latest = _latest_from_state_file(path)
    if latest and os.path.isfile(latest + ".index"):
        return latest
    return max(indexes, key=lambda p: (_step(p), p))[: -len(".index")]


def _step(index_path):
    match = re.search(r"-(\d+)\.index$", index_path)
    return int(match.group(1)) if match else -1


def _latest_from_state_file(path):
    # The `checkpoint` text file TF1 Savers write: model_checkpoint_path: "..."
    state = os.path.join(path, "checkpoint")
    if not os.path.isfile(state):
        return None
    with open(state, encoding="utf-8", errors="replace") as f:
        match = re.search(r'^model_checkpoint_path:\s*"([^"]+)"', f.read(), re.M)
    if not match:
        return None
    name = match.group(1)
    return name if os.path.isabs(name) else os.path.join(path, name)


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
    prefix = checkpoint_prefix(path)
    try:
        reader = tf.train.load_checkpoint(prefix)
    except (tf.errors.OpError, ValueError) as e:
        raise InputError(f"{source}: cannot read checkpoint {prefix}: {e}") from None
    shapes = reader.get_variable_to_shape_map()
    w, origin = {}, {}

    def take(tf1_name, name, transpose=False):
        if tf1_name not in shapes:
            raise InputKeyError(f"{source}: missing tensor {tf1_name!r}")
        origin[name] = tf1_name
        value = np.asarray(reader.get_tensor(tf1_name), dtype=np.float32)
        w[name] = value.T if transpose else value

    for ours in ("word_embeddings", "position_embeddings", "token_type_embeddings"):
        take(f"bert/embeddings/{ours}", f"embeddings/{ours}")
    take("bert/embeddings/LayerNorm/gamma", "embeddings/LayerNorm/gamma")
    take("bert/embeddings/LayerNorm/beta", "embeddings/LayerNorm/beta")
    for i in range(config.num_layers):
        g, o = f"bert/encoder/layer_{i}/", f"layer_{i}/"
        for tf1, ours in (("attention/self/query", "query"), ("attention/self/key", "key"),
                          ("attention/self/value", "value"),
                          ("attention/output/dense", "attention_output"),
                          ("intermediate/dense", "intermediate"), ("output/dense", "output")):
            take(f"{g}{tf1}/kernel", f"{o}{ours}/kernel")
            take(f"{g}{tf1}/bias", f"{o}{ours}/bias")
        for tf1, ours in (("attention/output/LayerNorm", "attention_LayerNorm"),
                          ("output/LayerNorm", "output_LayerNorm")):
            take(f"{g}{tf1}/gamma", f"{o}{ours}/gamma")
            take(f"{g}{tf1}/beta", f"{o}{ours}/beta")
    take("bert/pooler/dense/kernel", "pooler/kernel")
    take("bert/pooler/dense/bias", "pooler/bias")
    heads = []
    if any(n.startswith("cls/predictions/") for n in shapes):
        take("cls/predictions/transform/dense/kernel", "mlm/transform/kernel")
        take("cls/predictions/transform/dense/bias", "mlm/transform/bias")
        take("cls/predictions/transform/LayerNorm/gamma", "mlm/LayerNorm/gamma")
        take("cls/predictions/transform/LayerNorm/beta", "mlm/LayerNorm/beta")
        take("cls/predictions/output_bias", "mlm/output_bias")
        heads.append("mlm")
    if any(n.startswith("cls/seq_relationship/") for n in shapes):
        # Stored [2, H], transposed relative to a Dense kernel.
        take("cls/seq_relationship/output_weights", "nsp/kernel", transpose=True)
        take("cls/seq_relationship/output_bias", "nsp/bias")
        heads.append("nsp")
    used = set(origin.values())
    unexpected = sorted(
        n for n in shapes if n not in used and n not in _IGNORED
        and not n.endswith(_IGNORED_SUFFIXES))
    if unexpected:
        raise InputError(
            f"{source}: unexpected tensors {unexpected[:10]}"
            + (f" and {len(unexpected) - 10} more" if len(unexpected) > 10 else "")
            + f"; bert_config.json says num_hidden_layers={config.num_layers}: "
            "does it belong to this checkpoint?")
    canonical.check_shapes(w, config, heads, source, origin)
    vocab = load_vocab(os.path.join(path, "vocab.txt"))
    if lowercase is None:
        lowercase = guess_lowercase(vocab, path)
    return BertModelDir(config=config, vocab=vocab, weights=w,
                        tokenizer=TokenizerSettings(lowercase=lowercase),
                        heads=heads, source=source)
