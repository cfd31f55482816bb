"""`BertConfig`: the hyper-parameters of a BERT encoder, named presets, and
readers for Google's `bert_config.json` and Hugging Face's `config.json`."""

import dataclasses
import os
from bert_keras.errors import InputError, MissingFileError

# Activation names as they appear in configs, mapped to ours. Google's
# original `modeling.py` calls its tanh approximation "gelu"; Hugging Face's
# "gelu" is the exact erf form and "gelu_new"/"gelu_pytorch_tanh" the tanh one.
# So the same string means different functions depending on who wrote it.
_HF_ACTIVATIONS = {
    "gelu": "gelu",
    "gelu_new": "gelu_tanh",
    "gelu_pytorch_tanh": "gelu_tanh",
    "gelu_fast": "gelu_tanh",
    "relu": "relu",
    "tanh": "tanh",
    "silu": "silu",
    "swish": "silu",
}
_GOOGLE_ACTIVATIONS = {"gelu": "gelu_tanh", "relu": "relu", "tanh": "tanh"}
ACTIVATIONS = ("gelu", "gelu_tanh", "relu", "tanh", "silu")


@dataclasses.dataclass
class BertConfig:
    """Hyper-parameters of a BERT encoder.

    `hidden_act` is `"gelu"` (exact, erf-based, as Hugging Face) or
    `"gelu_tanh"` (the tanh approximation of the original Google code).

    Example:
    >>> config = BertConfig.preset("tiny", vocab_size=1000)
    >>> (config.num_layers, config.hidden_size, config.num_heads)
    (2, 128, 2)
    """

    vocab_size: int = 30522
    hidden_size: int = 768
    num_layers: int = 12
    num_heads: int = 12
    intermediate_size: int = 3072
    max_position_embeddings: int = 512
    type_vocab_size: int = 2
    hidden_dropout: float = 0.1
    attention_dropout: float = 0.1
    hidden_act: str = "gelu_tanh"
    layer_norm_epsilon: float = 1e-12
    initializer_range: float = 0.02

    def __post_init__(self):
        if self.hidden_act not in ACTIVATIONS:
            raise InputError(
                f"hidden_act must be one of {ACTIVATIONS}, got {self.hidden_act!r}"
            )
        if self.hidden_size % self.num_heads:
            raise InputError(
                f"hidden_size ({self.hidden_size}) must be divisible by "
                f"num_heads ({self.num_heads})"
            )
        for name in ("vocab_size", "hidden_size", "num_layers", "num_heads",
                     "intermediate_size", "max_position_embeddings",
                     "type_vocab_size"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise InputError(f"{name} must be a positive int, got {value!r}")
        for name in ("hidden_dropout", "attention_dropout"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not 0 <= value < 1:
                raise InputError(f"{name} must be a rate in [0, 1), got {value!r}")
        if not isinstance(self.layer_norm_epsilon, (int, float)) or self.layer_norm_epsilon <= 0:
            raise InputError(
                f"layer_norm_epsilon must be positive, got {self.layer_norm_epsilon!r}")

    @property
    def head_size(self):
        return self.hidden_size // self.num_heads

    def to_dict(self):
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d):
        fields = {f.name for f in dataclasses.fields(cls)}
        unknown = set(d) - fields
        if unknown:
            raise InputError(f"Unknown BertConfig fields: {sorted(unknown)}")
        return cls(**d)

    @classmethod
    def preset(cls, name, **overrides):
        """A named size: tiny, mini, small, medium, base or large."""
        if name not in PRESETS:
            raise InputError(f"Unknown preset {name!r}; choose from {sorted(PRESETS)}")
        layers, hidden, heads = PRESETS[name]
        values = dict(num_layers=layers, hidden_size=hidden, num_heads=heads,
                      intermediate_size=4 * hidden)
        values.update(overrides)
        return cls(**values)

    @classmethod
    def from_google_json(cls, path_or_dict):
        """Reads an original `bert_config.json` (google-research/bert)."""
        d = _load_json(path_or_dict)
        act = d.get("hidden_act", "gelu")
        if act not in _GOOGLE_ACTIVATIONS:
            raise InputError(f"Unsupported hidden_act {act!r} in bert_config.json")
        return cls(
            vocab_size=d["vocab_size"],
            hidden_size=d["hidden_size"],
            num_layers=d["num_hidden_layers"],
            num_heads=d["num_attention_heads"],
            intermediate_size=d["intermediate_size"],
            max_position_embeddings=d.get("max_position_embeddings", 512),
            type_vocab_size=d.get("type_vocab_size", 2),
            hidden_dropout=d.get("hidden_dropout_prob", 0.1),
            attention_dropout=d.get("attention_probs_dropout_prob", 0.1),
            hidden_act=_GOOGLE_ACTIVATIONS[act],
            layer_norm_epsilon=1e-12,
            initializer_range=d.get("initializer_range", 0.02),
        )

    @classmethod
    def from_hf_json(cls, path_or_dict):
        """Reads a Hugging Face `config.json` of a BERT model."""
        d = _load_json(path_or_dict)
        if d.get("model_type", "bert") != "bert":
            raise InputError(f"Not a BERT config: model_type={d.get('model_type')!r}")
        if d.get("position_embedding_type", "absolute") != "absolute":
            raise InputError("Only absolute (learned) position embeddings are supported")
        act = d.get("hidden_act", "gelu")
        if act not in _HF_ACTIVATIONS:
            raise InputError(f"Unsupported hidden_act {act!r} in config.json")
        return cls(
            vocab_size=d["vocab_size"],
            hidden_size=d["hidden_size"],
            num_layers=d["num_hidden_layers"],
            num_heads=d["num_attention_heads"],
            intermediate_size=d["intermediate_size"],
            max_position_embeddings=d.get("max_position_embeddings", 512),
            type_vocab_size=d.get("type_vocab_size", 2),
            hidden_dropout=d.get("hidden_dropout_prob", 0.1),
            attention_dropout=d.get("attention_probs_dropout_prob", 0.1),
            hidden_act=_HF_ACTIVATIONS[act],
            layer_norm_epsilon=d.get("layer_norm_eps", 1e-12),
            initializer_range=d.get("initializer_range", 0.02),
        )


# name: (layers, hidden, heads). Intermediate size is 4 * hidden.
PRESETS = {
    "tiny": (2, 128, 2),
    "mini": (4, 256, 4),
    "small": (4, 512, 8),
    "medium": (8, 512, 8),
    "base": (12, 768, 12),  # GluonNLP bert_12_768_12
    "large": (24, 1024, 16),  # GluonNLP bert_24_1024_16
}


def _load_json(path_or_dict):
    if isinstance(path_or_dict, dict):
        return path_or_dict
    if not os.path.isfile(path_or_dict):
        raise MissingFileError(f"Config file not found: {path_or_dict}")
    from bert_keras.utils.json_file import read_json

    return read_json(path_or_dict)
