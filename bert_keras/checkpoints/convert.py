"""`convert(src, out)`: any supported checkpoint to a model directory."""

import os

from bert_keras.checkpoints.builtin import BUILTIN, resolve_builtin
from bert_keras.checkpoints.finite import check_finite
from bert_keras.checkpoints.google_tf1 import is_google_dir, is_tf1_checkpoint_dir, read_google_tf1
from bert_keras.checkpoints.hf import is_hf_dir, read_hf
from bert_keras.checkpoints.layout import check_model_tensors
from bert_keras.checkpoints.keras_hub_preset import is_keras_hub_dir, read_keras_hub
from bert_keras.checkpoints.model_dir import is_model_dir, read_model_dir, save_model_dir
from bert_keras.checkpoints.zoo import ZOO, check_named_shape, download
from bert_keras.errors import InputError, MissingFileError

SUPPORTED = (
    "a bert_keras model directory (bert_keras.json), a Hugging Face BERT/ALBERT/"
    "ELECTRA/RoBERTa directory (config.json + model.safetensors or "
    "pytorch_model.bin), a Google TF1 checkpoint directory (bert_config.json or "
    "albert_config.json + *.ckpt*), a keras-hub BERT preset directory, or a "
    f"built-in name ({', '.join(BUILTIN)})")


def load_model_dir(src):
    """A `BertModelDir` from a model directory, built-in name or checkpoint."""
    return read_any(src)


def read_any(src, lowercase=None, name=None):
    """Reads `src` into a `BertModelDir`, whatever its kind. With `name` (a
    zoo name, see `bert-keras models`), the checkpoint must have that
    configuration's shape, and supplies the config a directory lacks."""
    model = _read(os.fspath(src), lowercase, name)
    if name is not None:
        check_named_shape(name, model.config, model.source)
    model = _check_vocab(model)
    if not model.path:  # a model directory is checked by read_model_dir
        check_finite(model.weights, model.source or os.fspath(src))
    return model


def _read(src, lowercase, name):
    if src in BUILTIN:
        return read_hf(resolve_builtin(src))
    if not os.path.exists(src):
        raise MissingFileError(f"{src!r} does not exist. Expected {SUPPORTED}.")
    if not os.path.isdir(src):
        raise InputError(f"{src!r} is a file; expected a directory: {SUPPORTED}.")
    if is_model_dir(src):
        return read_model_dir(src)
    if is_keras_hub_dir(src):
        return read_keras_hub(src)
    if is_hf_dir(src):
        return read_hf(src)
    if is_google_dir(src):
        return read_google_tf1(src, lowercase=lowercase)
    if name is not None and is_tf1_checkpoint_dir(src):
        return read_google_tf1(src, lowercase=lowercase, config=ZOO[name].config)
    raise InputError(f"Cannot tell what kind of checkpoint {src!r} is. Expected {SUPPORTED}."
                     + ("" if name else " (A TF1 checkpoint without a config file, as "
                        "ELECTRA's releases: name it, `convert NAME OUT --from DIR`.)"))


def _check_vocab(model):
    # Ids beyond the embedding table would be silently clipped or crash
    # deep in a gather: catch a vocab.txt that does not belong to the weights.
    if len(model.vocab) > model.config.vocab_size:
        raise InputError(
            f"{model.source}: the vocabulary has {len(model.vocab)} tokens but the "
            f"model's vocab_size is {model.config.vocab_size}; does vocab.txt "
            "belong to this checkpoint?")
    return model


def convert(src, out, overwrite=False, lowercase=None, name=None, allow_download=False):
    """Converts a checkpoint to a bert_keras model directory and returns the
    model read (its `heads` lists the pretraining heads found). `name`
    checks the checkpoint against a zoo configuration; with
    `allow_download`, `src=None` downloads that configuration's checkpoint.

    Example:
    >>> import tempfile, bert_keras
    >>> out = tempfile.mkdtemp() + "/minilm"
    >>> model = bert_keras.convert("minilm-l6-h384-uncased", out)
    >>> model.config.num_layers, model.heads
    (6, [])
    """
    if name is not None and name not in ZOO:
        raise InputError(f"Unknown model name {name!r}; `bert-keras models` lists them")
    if src is None:
        if not (name and allow_download):
            raise InputError("nothing to convert: give a checkpoint directory "
                             "(--from DIR) or allow downloading (--download)")
        src = download(name)
    model = read_any(src, lowercase=lowercase, name=name)
    # A mismatch between config and weights fails here, before anything is
    # written.
    check_model_tensors(model.weights, model.config, model.heads, model.source or src)
    model.path = save_model_dir(model, out, overwrite=overwrite)
    return model
