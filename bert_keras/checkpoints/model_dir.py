"""This package's model directory: everything needed to rebuild a model in
one call, written atomically.

    OUT/bert_keras.json   format version, BertConfig, tokenizer settings,
                          heads present, source, task (label names ...)
    OUT/model.safetensors all weights, canonical names (see canonical.py)
    OUT/vocab.txt         the WordPiece vocabulary (tokenizer type "wordpiece"),
    OUT/spiece.model      or the SentencePiece model ("sentencepiece"),
    OUT/vocab.json, OUT/merges.txt  or the byte-level BPE files ("bpe")
"""

import dataclasses
import json
import os
import shutil

import numpy as np
from safetensors.numpy import load_file, save_file

from bert_keras.checkpoints.finite import check_finite
from bert_keras.config import BertConfig
from bert_keras.checkpoints.tokenizer_files import (  # noqa: F401 (re-exported)
    TokenizerSettings, find_tokenizer, read_vocab)
from bert_keras.tokenization.vocab import save_vocab
from bert_keras.utils.atomic_dir import atomic_output_dir
from bert_keras.errors import InputError, MissingFileError
from bert_keras.utils.json_file import read_json, require_keys

FORMAT = "bert_keras/1"
META_FILE = "bert_keras.json"
WEIGHTS_FILE = "model.safetensors"
VOCAB_FILE = "vocab.txt"


@dataclasses.dataclass
class BertModelDir:
    """A model in memory: what `save_model_dir` writes and `load_model_dir`
    reads. `weights` are canonical numpy arrays; `heads` lists the heads
    whose weights are present (`"mlm"`, `"nsp"`, `"classifier"`); `files`
    maps tokenizer files the directory holds besides `vocab.txt` (name in
    the directory -> path to copy from)."""

    config: BertConfig
    vocab: list
    weights: dict
    tokenizer: TokenizerSettings = dataclasses.field(default_factory=TokenizerSettings)
    heads: list = dataclasses.field(default_factory=list)
    source: str = ""
    task: dict = None
    path: str = None
    files: dict = dataclasses.field(default_factory=dict)


def is_model_dir(path):
    return os.path.isfile(os.path.join(path, META_FILE))


def save_model_dir(model, out, overwrite=False):
    """Writes `model` (a `BertModelDir`) to `out`: into a temporary sibling
    first, renamed into place only when complete, so a failure never leaves
    a half-written directory."""
    out = os.path.abspath(out)
    with atomic_output_dir(out, overwrite) as tmp:
        meta = {
            "format": FORMAT,
            "config": model.config.to_dict(),
            "tokenizer": model.tokenizer.to_dict(),
            "heads": list(model.heads),
            "source": model.source,
        }
        if model.task:
            meta["task"] = model.task
        with open(os.path.join(tmp, META_FILE), "w", encoding="utf-8") as f:
            json.dump(meta, f, indent=2, ensure_ascii=False)
        save_file({k: np.ascontiguousarray(v, dtype=np.float32)
                   for k, v in model.weights.items()},
                  os.path.join(tmp, WEIGHTS_FILE))
        if model.tokenizer.type == "wordpiece":
            save_vocab(model.vocab, os.path.join(tmp, VOCAB_FILE))
        for name, src in model.files.items():
            shutil.copyfile(src, os.path.join(tmp, name))
    return out


def read_task_entry(path):
    """The `task` entry of a model directory's `bert_keras.json` (None for a
    model that was not fine-tuned), without reading its weights: the CLI
    picks what to do by the task's `type` before loading anything."""
    meta_path = os.path.join(path, META_FILE)
    if not os.path.isfile(meta_path):
        raise MissingFileError(f"{path} is not a bert_keras model directory (no {META_FILE})")
    task = read_json(meta_path).get("task")
    if task is not None and not isinstance(task, dict):
        raise InputError(f"{meta_path}: malformed task entry {task!r}")
    return task


def read_model_dir(path):
    """Reads a directory written by `save_model_dir`."""
    meta_path = os.path.join(path, META_FILE)
    if not os.path.isfile(meta_path):
        raise MissingFileError(f"{path} is not a bert_keras model directory (no {META_FILE})")
    meta = read_json(meta_path)
    if meta.get("format") != FORMAT:
        raise InputError(f"{meta_path}: unsupported format {meta.get('format')!r}, expected {FORMAT}")
    weights_path = os.path.join(path, WEIGHTS_FILE)
    if not os.path.isfile(weights_path):
        raise MissingFileError(f"{path}: weights file {WEIGHTS_FILE} is missing")
    require_keys(meta, ("config",), meta_path)
    config = BertConfig.from_dict(meta["config"])
    tokenizer = TokenizerSettings(**meta.get("tokenizer", {}))
    files = {}
    if tokenizer.type != "wordpiece":
        _, files = find_tokenizer(path, config.model_type)
    weights = _load_weights(weights_path)
    check_finite(weights, weights_path)
    return BertModelDir(
        config=config,
        vocab=read_vocab(tokenizer.type, files, path),
        weights=weights,
        tokenizer=tokenizer,
        files=files,
        heads=meta.get("heads", []),
        source=meta.get("source", ""),
        task=meta.get("task"),
        path=os.path.abspath(path),
    )


def _load_weights(path):
    """The weights, or `InputError` for a truncated or corrupt file (a copy
    cut short, a disk that filled up under another tool)."""
    try:
        return load_file(path)
    except OSError:
        raise
    except Exception as e:  # safetensors raises its own SafetensorError
        raise InputError(f"{path}: not a readable safetensors file, truncated or "
                         f"corrupt ({str(e).splitlines()[0][:200]})") from None
