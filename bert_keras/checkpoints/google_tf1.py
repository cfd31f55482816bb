"""Reads an original Google TF1 checkpoint directory: google-research/bert
(`bert_config.json`, `bert_model.ckpt.*`, `vocab.txt`), google-research/albert
(`albert_config.json`, `model.ckpt-*`, `30k-clean.model`) or
google-research/electra (`checkpoint`, `*.ckpt*`, `vocab.txt`; no config file:
name the zoo configuration, `convert electra_small --from DIR`). The model
type is told from the variable names (`name_tables.TF1`); the pretraining
heads `cls/predictions` and `cls/seq_relationship` are read when present."""

import glob
import os
import re

from bert_keras.checkpoints.model_dir import BertModelDir
from bert_keras.checkpoints.name_tables import TF1
from bert_keras.checkpoints.tokenizer_files import TokenizerSettings, find_tokenizer, read_vocab
from bert_keras.checkpoints.translate import detect_model_type, read_tensors
from bert_keras.config import BertConfig
from bert_keras.errors import InputError, MissingFileError

CONFIG_FILES = ("bert_config.json", "albert_config.json")


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


def _config_file(path):
    return next((os.path.join(path, n) for n in CONFIG_FILES
                 if os.path.isfile(os.path.join(path, n))), None)


def is_google_dir(path):
    return (os.path.isdir(path) and _config_file(path) is not None
            and checkpoint_prefix(path) is not None)


def is_tf1_checkpoint_dir(path):
    """A TF1 checkpoint without a config file (ELECTRA's releases)."""
    return os.path.isdir(path) and checkpoint_prefix(path) is not None


def guess_lowercase(vocab, path):
    """Google's checkpoints do not record casing: directory names say
    `uncased`/`cased`, else an uncased vocabulary has no capital letters."""
    name = os.path.basename(os.path.abspath(path)).lower()
    if "uncased" in name:
        return True
    if "cased" in name:
        return False
    return not any(t[:1].isupper() for t in vocab if not t.startswith("["))


def read_google_tf1(path, lowercase=None, config=None):
    """TF1 checkpoint directory -> `BertModelDir`. `config` (a BertConfig)
    replaces the directory's config file, which ELECTRA releases lack."""
    import tensorflow as tf

    source = f"Google TF1 checkpoint {path}"
    prefix = checkpoint_prefix(path)
    try:
        reader = tf.train.load_checkpoint(prefix)
    except (tf.errors.OpError, ValueError) as e:
        raise InputError(f"{source}: cannot read checkpoint {prefix}: {e}") from None
    names = reader.get_variable_to_shape_map()
    model_type = detect_model_type(names, TF1)
    if model_type is None:
        raise InputError(f"{source}: no BERT, ALBERT or ELECTRA encoder variables "
                         "(e.g. bert/encoder/layer_0/...) in the checkpoint")
    if config is None:
        config_path = _config_file(path)
        if config_path is None:
            raise MissingFileError(
                f"{source}: no {' or '.join(CONFIG_FILES)}; name its configuration "
                "instead: bert-keras convert NAME --from DIR (see bert-keras models)")
        config = BertConfig.from_google_json(config_path, model_type=model_type)
    elif config.model_type != model_type:
        raise InputError(f"{source} holds a {model_type} model, not {config.model_type}")
    weights, heads = read_tensors(names, reader.get_tensor, TF1[model_type], config, source)
    kind, files = find_tokenizer(path, model_type)
    vocab = read_vocab(kind, files, path)
    if lowercase is None:
        lowercase = True if kind == "sentencepiece" else guess_lowercase(vocab, path)
    settings = TokenizerSettings(type=kind, lowercase=lowercase)
    return BertModelDir(config=config, vocab=vocab, weights=weights, tokenizer=settings,
                        heads=heads, source=source, files=files)
