"""`BertConfig`: the hyper-parameters of an encoder of the BERT family (BERT,
ALBERT, ELECTRA, RoBERTa), named presets, and readers for Google's
`bert_config.json` / `albert_config.json` and Hugging Face's `config.json`."""

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


MODEL_TYPES = ("bert", "albert", "electra", "roberta")


@dataclasses.dataclass
class BertConfig:
    """Hyper-parameters of an encoder of the BERT family.

    `hidden_act` is `"gelu"` (exact, erf-based, as Hugging Face) or
    `"gelu_tanh"` (the tanh approximation of the original Google code).

    `model_type` picks the architecture: `"bert"`; `"albert"` (embeddings
    of size `embedding_size` projected to `hidden_size`, transformer weights
    shared: `num_hidden_groups` groups of `inner_group_num` blocks, as
    Hugging Face's `AlbertConfig`); `"electra"` (projection when
    `embedding_size != hidden_size`, no pooler); `"roberta"` (positions
    counted from `pad_token_id + 1`, as fairseq).

    Example:
    >>> config = BertConfig.preset("tiny", vocab_size=1000)
    >>> (config.num_layers, config.hidden_size, config.num_heads)
    (2, 128, 2)
    >>> albert = BertConfig.preset("albert_tiny")
    >>> (albert.model_type, albert.embedding_dim, albert.hidden_size)
    ('albert', 128, 312)
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
    model_type: str = "bert"
    embedding_size: int = None  # None: hidden_size
    num_hidden_groups: int = 1
    inner_group_num: int = 1
    pad_token_id: int = 0

    def __post_init__(self):
        if self.model_type not in MODEL_TYPES:
            raise InputError(
                f"model_type must be one of {MODEL_TYPES}, got {self.model_type!r}")
        if self.hidden_act not in ACTIVATIONS:
            raise InputError(
                f"hidden_act must be one of {ACTIVATIONS}, got {self.hidden_act!r}"
            )
        for name in ("vocab_size", "hidden_size", "num_layers", "num_heads",
                     "intermediate_size", "max_position_embeddings",
                     "type_vocab_size", "embedding_dim", "num_hidden_groups",
                     "inner_group_num"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise InputError(f"{name} must be a positive int, got {value!r}")
        if self.hidden_size % self.num_heads:
            raise InputError(
                f"hidden_size ({self.hidden_size}) must be divisible by "
                f"num_heads ({self.num_heads})"
            )
        for name in ("hidden_dropout", "attention_dropout"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not 0 <= value < 1:
                raise InputError(f"{name} must be a rate in [0, 1), got {value!r}")
        if not isinstance(self.layer_norm_epsilon, (int, float)) or self.layer_norm_epsilon <= 0:
            raise InputError(
                f"layer_norm_epsilon must be positive, got {self.layer_norm_epsilon!r}")
        self._check_family()

    def _check_family(self):
        shared = (self.num_hidden_groups, self.inner_group_num) != (1, 1)
        if self.model_type != "albert" and shared:
            raise InputError(
                f"num_hidden_groups/inner_group_num are ALBERT settings; a "
                f"{self.model_type} model has one block per layer")
        if self.model_type in ("bert", "roberta") and self.embedding_dim != self.hidden_size:
            raise InputError(
                f"a {self.model_type} model has embedding_size == hidden_size; "
                f"got {self.embedding_size} and {self.hidden_size}")
        if self.num_layers % self.num_hidden_groups:
            # Hugging Face assigns layer i to group i // (layers / groups);
            # uneven splits leave groups unused or overrun the last one.
            raise InputError(
                f"num_hidden_layers ({self.num_layers}) must be a multiple of "
                f"num_hidden_groups ({self.num_hidden_groups})")
        if self.model_type == "roberta" and not (
                isinstance(self.pad_token_id, int)
                and 0 <= self.pad_token_id < self.max_position_embeddings - 1):
            raise InputError(
                f"pad_token_id ({self.pad_token_id!r}) must be an id below "
                f"max_position_embeddings - 1 ({self.max_position_embeddings - 1}): "
                "RoBERTa counts positions from pad_token_id + 1")

    @property
    def head_size(self):
        return self.hidden_size // self.num_heads

    @property
    def embedding_dim(self):
        """Width of the embedding tables (ALBERT/ELECTRA may project it)."""
        return self.hidden_size if self.embedding_size is None else self.embedding_size

    @property
    def projects_embeddings(self):
        """True if embeddings are projected from `embedding_dim` to
        `hidden_size` (ALBERT always has that projection)."""
        return self.model_type == "albert" or self.embedding_dim != self.hidden_size

    @property
    def has_pooler(self):
        """False for ELECTRA, whose checkpoints have no pooler (its
        `pooled_output` is the `[CLS]` vector, see ElectraEncoder)."""
        return self.model_type != "electra"

    @property
    def num_blocks(self):
        """Distinct transformer blocks (ALBERT shares them across layers)."""
        if self.model_type == "albert":
            return self.num_hidden_groups * self.inner_group_num
        return self.num_layers

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
        """A named configuration: a size (tiny, mini, small, medium, base,
        large) or a zoo name (`bert_12_768_12`, `albert_tiny`, `electra_small`,
        `roberta_base`, ...; `bert-keras models` lists them)."""
        if name not in PRESETS:
            raise InputError(f"Unknown preset {name!r}; choose from {sorted(PRESETS)}")
        values = dict(PRESETS[name])
        values.setdefault("intermediate_size", 4 * values["hidden_size"])
        values.update(overrides)
        return cls(**values)

    @classmethod
    def from_google_json(cls, path_or_dict, model_type="bert"):
        """Reads an original `bert_config.json` (google-research/bert) or
        `albert_config.json` (google-research/albert, brightmart/albert_zh)."""
        d = _load_json(path_or_dict)
        act = d.get("hidden_act", "gelu")
        if act not in _GOOGLE_ACTIVATIONS:
            raise InputError(f"Unsupported hidden_act {act!r} in bert_config.json")
        if d.get("net_structure_type", 0) != 0 or d.get("layers_to_keep"):
            raise InputError("ALBERT net_structure_type/layers_to_keep variants "
                             "are not supported (only the published structure 0)")
        if d.get("ln_type", "postln") != "postln":
            raise InputError(f"ln_type {d['ln_type']!r} is not supported (only postln)")
        return cls(**_common_fields(d), model_type=model_type,
                   hidden_act=_GOOGLE_ACTIVATIONS[act], layer_norm_epsilon=1e-12)

    @classmethod
    def from_hf_json(cls, path_or_dict):
        """Reads a Hugging Face `config.json` of a BERT, ALBERT, ELECTRA or
        RoBERTa model."""
        d = _load_json(path_or_dict)
        model_type = d.get("model_type", "bert")
        if model_type not in MODEL_TYPES:
            raise InputError(f"Unsupported model_type={model_type!r} in config.json; "
                             f"supported: {', '.join(MODEL_TYPES)}")
        if d.get("position_embedding_type", "absolute") != "absolute":
            raise InputError("Only absolute (learned) position embeddings are supported")
        act = d.get("hidden_act", "gelu")
        if act not in _HF_ACTIVATIONS:
            raise InputError(f"Unsupported hidden_act {act!r} in config.json")
        extra = {}
        if model_type == "roberta":
            extra["pad_token_id"] = d.get("pad_token_id", 1)
        return cls(**_common_fields(d), model_type=model_type,
                   hidden_act=_HF_ACTIVATIONS[act],
                   layer_norm_epsilon=d.get("layer_norm_eps", 1e-12), **extra)


def _common_fields(d):
    """The fields Google's and Hugging Face's config files name alike."""
    try:
        return dict(
            vocab_size=d["vocab_size"],
            hidden_size=d["hidden_size"],
            num_layers=d["num_hidden_layers"],
            num_heads=d["num_attention_heads"],
            intermediate_size=d["intermediate_size"],
            max_position_embeddings=d.get("max_position_embeddings", 512),
            type_vocab_size=d.get("type_vocab_size", 2),
            hidden_dropout=d.get("hidden_dropout_prob", 0.1),
            attention_dropout=d.get("attention_probs_dropout_prob", 0.1),
            initializer_range=d.get("initializer_range", 0.02),
            embedding_size=d.get("embedding_size"),
            num_hidden_groups=d.get("num_hidden_groups", 1),
            inner_group_num=d.get("inner_group_num", 1),
        )
    except KeyError as e:
        raise InputError(f"config file lacks the field {e.args[0]!r}") from None


def _sized(layers, hidden, heads, **more):
    return dict(num_layers=layers, hidden_size=hidden, num_heads=heads, **more)


_CHINESE = dict(vocab_size=21128)
_ALBERT = dict(model_type="albert", embedding_size=128, hidden_act="gelu_tanh",
               hidden_dropout=0.0, attention_dropout=0.0)
_ELECTRA = dict(model_type="electra", hidden_act="gelu")

# Named configurations (the zoo: bert_keras/checkpoints/zoo.py says where each
# one is published). Intermediate size is 4 * hidden unless given.
PRESETS = {
    "tiny": _sized(2, 128, 2),
    "mini": _sized(4, 256, 4),
    "small": _sized(4, 512, 8),
    "medium": _sized(8, 512, 8),
    "base": _sized(12, 768, 12),
    "large": _sized(24, 1024, 16),
    # GluonNLP's names for Google's BERT-Base / BERT-Large.
    "bert_12_768_12": _sized(12, 768, 12),
    "bert_24_1024_16": _sized(24, 1024, 16),
    # Chinese ALBERT tiny/small (BERT Chinese WordPiece vocab); English
    # ALBERT v2 base/large/xlarge (SentencePiece, 30k pieces).
    "albert_tiny": _sized(4, 312, 12, **_ALBERT, **_CHINESE),
    "albert_small": _sized(6, 384, 12, **_ALBERT, **_CHINESE),
    "albert_base": _sized(12, 768, 12, **_ALBERT, vocab_size=30000),
    "albert_large": _sized(24, 1024, 16, **_ALBERT, vocab_size=30000),
    "albert_xlarge": _sized(24, 2048, 16, **_ALBERT, vocab_size=30000),
    "electra_small": _sized(12, 256, 4, **_ELECTRA, embedding_size=128),
    "electra_base": _sized(12, 768, 12, **_ELECTRA),
    "roberta_base": _sized(12, 768, 12, model_type="roberta", vocab_size=50265,
                           max_position_embeddings=514, type_vocab_size=1,
                           pad_token_id=1, hidden_act="gelu", layer_norm_epsilon=1e-5),
    "chinese_roberta_wwm_ext": _sized(12, 768, 12, **_CHINESE),
    "chinese_bert_wwm": _sized(12, 768, 12, **_CHINESE),
    "minilm-l6-h384-uncased": _sized(6, 384, 12, hidden_act="gelu"),
}


def _load_json(path_or_dict):
    if isinstance(path_or_dict, dict):
        return path_or_dict
    if not os.path.isfile(path_or_dict):
        raise MissingFileError(f"Config file not found: {path_or_dict}")
    from bert_keras.utils.json_file import read_json

    return read_json(path_or_dict)
