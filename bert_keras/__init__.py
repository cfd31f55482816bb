"""bert_keras: BERT for Keras 3 on TensorFlow, from raw text to TF-Hub
SavedModels.

    >>> import bert_keras
    >>> encoder = bert_keras.BertEncoder.from_pretrained("minilm-l6-h384-uncased")
    >>> preprocessor = bert_keras.BertPreprocessor.from_pretrained(
    ...     "minilm-l6-h384-uncased", sequence_length=16)
    >>> encoder(preprocessor(["hello world"]))["pooled_output"].shape
    TensorShape([1, 384])

The public names below are imported on first use (PEP 562), so
`import bert_keras.cli.main` or `bert_keras.errors` does not start
TensorFlow: `bert-keras --help` answers at once.
"""

import importlib
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS = {
    "convert": "bert_keras.checkpoints",
    "load_model_dir": "bert_keras.checkpoints",
    "DEFAULT_MODEL": "bert_keras.checkpoints.builtin",
    "BertConfig": "bert_keras.config",
    "BertClassificationHead": "bert_keras.heads",
    "BertMaskedLMHead": "bert_keras.heads",
    "BertNextSentenceHead": "bert_keras.heads",
    "HubLayer": "bert_keras.layers.hub_layer",
    "BertEncoder": "bert_keras.models",
    "TextEmbedder": "bert_keras.tasks.text_embedder",
    "BertPacker": "bert_keras.tokenization",
    "BertPreprocessor": "bert_keras.tokenization",
    "BertTokenizer": "bert_keras.tokenization",
    "load_vocab": "bert_keras.tokenization",
    "train_vocab": "bert_keras.tokenization",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


_SUBPACKAGES = ("checkpoints", "cli", "config", "data", "errors", "export", "heads", "layers",
                "models", "tasks", "tokenization", "training", "utils")


def __getattr__(name):
    if name in _SUBPACKAGES:  # `bert_keras.checkpoints.convert(...)` after `import bert_keras`
        return importlib.import_module(f"bert_keras.{name}")
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'bert_keras' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))
