"""`BertEncoder`: the BERT network, from token ids to contextual vectors, and
the base of the other families' encoders."""

import keras
import numpy as np

from bert_keras.config import BertConfig
from bert_keras.layers.activations import get_activation
from bert_keras.layers.embeddings import BertEmbeddings
from bert_keras.layers.transformer_block import TransformerBlock
from bert_keras.errors import InputError, InputKeyError, InputTypeError

INPUT_NAMES = ("token_ids", "segment_ids", "padding_mask")

# model_type -> encoder class. Each family's class registers itself when it
# is defined (`__init_subclass__`); `bert_keras.models` imports them all.
ENCODERS = {}


@keras.saving.register_keras_serializable(package="bert_keras")
class BertEncoder(keras.Model):
    """BERT: embeddings, N post-LayerNorm transformer blocks, and a pooler.

    Inputs are a dict of three int32 `[batch, seq]` tensors: `token_ids`,
    `segment_ids` and `padding_mask` (1 for real tokens, 0 for padding; padded
    keys are masked out of every attention). Batch size and sequence length
    are dynamic. Outputs are a dict: `sequence_output` `[batch, seq, H]`,
    `pooled_output` `[batch, H]` (dense + tanh on `[CLS]`) and
    `encoder_outputs`, a list with one `[batch, seq, H]` tensor per layer.

    The transformer blocks are keras-hub `TransformerEncoder`s with BERT's
    two dropout rates (`config.hidden_dropout` on residual branches,
    `config.attention_dropout` on attention probabilities).

    The other families (`AlbertEncoder`, `ElectraEncoder`, `RobertaEncoder`)
    are subclasses with the same inputs and outputs; `make_encoder(config)`
    picks the class from `config.model_type`.

    Example:
    >>> import numpy as np
    >>> encoder = BertEncoder(BertConfig.preset("tiny", vocab_size=100))
    >>> out = encoder({"token_ids": np.array([[2, 7, 3, 0]]),
    ...                "segment_ids": np.zeros((1, 4), "int32"),
    ...                "padding_mask": np.array([[1, 1, 1, 0]])})
    >>> tuple(out["sequence_output"].shape), tuple(out["pooled_output"].shape)
    ((1, 4, 128), (1, 128))
    >>> len(out["encoder_outputs"])
    2

    `BertEncoder.from_pretrained(src)` loads a model directory of this
    package, or anything `bert_keras.convert` accepts.
    """

    model_type = "bert"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "model_type" in cls.__dict__:  # a family, not a user's subclass
            ENCODERS[cls.model_type] = cls

    def __init__(self, config, dtype=None, **kwargs):
        if isinstance(config, dict):
            config = BertConfig.from_dict(config)
        if not isinstance(config, BertConfig):
            raise InputTypeError(f"config must be a BertConfig or dict, got {type(config)}")
        if config.model_type != self.model_type:
            raise InputError(
                f"{type(self).__name__} builds model_type {self.model_type!r} but the "
                f"config says {config.model_type!r}; use "
                "bert_keras.models.make_encoder(config)")
        init = lambda: keras.initializers.TruncatedNormal(stddev=config.initializer_range)

        # Layers (as attributes, so the structure is readable and stable).
        self.embeddings = BertEmbeddings(
            vocab_size=config.vocab_size,
            hidden_size=config.embedding_dim,
            max_position_embeddings=config.max_position_embeddings,
            type_vocab_size=config.type_vocab_size,
            dropout=config.hidden_dropout,
            layer_norm_epsilon=config.layer_norm_epsilon,
            initializer_range=config.initializer_range,
            position_pad_id=self._position_pad_id(config),
            dtype=dtype,
            name="embeddings",
        )
        self.embeddings_projection = None
        if config.projects_embeddings:
            self.embeddings_projection = keras.layers.Dense(
                config.hidden_size, kernel_initializer=init(), dtype=dtype,
                name="embeddings_projection")
        self.transformer_layers = [
            TransformerBlock(
                num_heads=config.num_heads,
                intermediate_dim=config.intermediate_size,
                activation=get_activation(config.hidden_act),
                dropout=config.hidden_dropout,
                attention_dropout=config.attention_dropout,
                layer_norm_epsilon=config.layer_norm_epsilon,
                kernel_initializer=init(),
                dtype=dtype,
                name=f"transformer_layer_{i}",
            )
            for i in range(config.num_blocks)
        ]
        self.pooled_dense = None
        if config.has_pooler:
            self.pooled_dense = keras.layers.Dense(
                config.hidden_size, activation="tanh", kernel_initializer=init(),
                dtype=dtype, name="pooled_dense")

        # The functional graph.
        inputs = {
            name: keras.Input(shape=(None,), dtype="int32", name=name)
            for name in INPUT_NAMES
        }
        x = self.embeddings(inputs["token_ids"], inputs["segment_ids"])
        if self.embeddings_projection is not None:
            x = self.embeddings_projection(x)
        encoder_outputs = []
        for blocks in self._layer_schedule(config):
            for block in blocks:
                x = block(x, padding_mask=inputs["padding_mask"])
            encoder_outputs.append(x)
        super().__init__(
            inputs=inputs,
            outputs={
                "sequence_output": x,
                "pooled_output": self._pool(x),
                "encoder_outputs": encoder_outputs,
            },
            dtype=dtype,
            **kwargs,
        )
        if dtype is not None:
            # Functional models ignore `dtype` for themselves; set it (as
            # keras-hub's Backbone does) so get_config/.keras keep the policy.
            self.dtype_policy = keras.dtype_policies.get(dtype)
        self.config = config

    # What the families change (see the subclasses).
    def _position_pad_id(self, config):
        return None

    def _layer_schedule(self, config):
        """The blocks each layer runs, in order: one block per layer."""
        return [[block] for block in self.transformer_layers]

    def _pool(self, x):
        return self.pooled_dense(x[:, 0, :])

    @property
    def token_embedding(self):
        """The token table (a `ReversibleEmbedding`), shared with MLM heads."""
        return self.embeddings.token_embedding

    def call(self, inputs, training=None, mask=None):
        _check_inputs(inputs, self.config.max_position_embeddings)
        return super().call(inputs, training=training, mask=mask)

    def get_config(self):
        return {
            "config": self.config.to_dict(),
            "name": self.name,
            "trainable": self.trainable,
            "dtype": keras.dtype_policies.serialize(self.dtype_policy),
        }

    @classmethod
    def from_config(cls, config):
        return cls(**with_dtype_policy(config))

    @classmethod
    def from_pretrained(cls, src, dtype=None):
        """Loads a model directory, a built-in model name, or any checkpoint
        `bert_keras.convert` accepts (converted in memory)."""
        from bert_keras.checkpoints.convert import read_any

        return cls.from_model_dir(read_any(src), dtype=dtype)

    @classmethod
    def from_model_dir(cls, model, dtype=None):
        """The encoder of `model.config.model_type` (an `AlbertEncoder` for
        an ALBERT checkpoint) with the weights of `model`, a `BertModelDir`;
        a tensor the encoder and the listed heads do not use is an error."""
        from bert_keras.checkpoints.canonical import assign_encoder
        from bert_keras.checkpoints.layout import check_model_tensors

        source = model.source or model.path or "checkpoint"
        check_model_tensors(model.weights, model.config, model.heads, source)
        if model.config.model_type not in ENCODERS:
            raise InputError(f"{source}: no encoder for model_type "
                             f"{model.config.model_type!r}; known: {', '.join(ENCODERS)}")
        encoder = ENCODERS[model.config.model_type](model.config, dtype=dtype)
        assign_encoder(encoder, model.weights, source)
        return encoder


ENCODERS[BertEncoder.model_type] = BertEncoder


def with_dtype_policy(config):
    """A `get_config()` dict with its serialized `dtype` turned back into a
    dtype policy, ready for `cls(**config)` (models built from a BertConfig
    take the policy as a constructor argument)."""
    config = dict(config)
    dtype = config.pop("dtype", None)
    if isinstance(dtype, dict):
        dtype = keras.dtype_policies.deserialize(dtype)
    return dict(config, dtype=dtype)


def _check_inputs(inputs, max_length=None):
    """Clear errors for the mistakes a functional model would otherwise
    turn into shape errors deep inside attention, or silent casts."""
    if not isinstance(inputs, dict):
        raise InputTypeError(
            "BertEncoder expects a dict with keys "
            f"{list(INPUT_NAMES)}, each an int32 tensor [batch, seq]; "
            f"got {type(inputs).__name__}")
    missing = [k for k in INPUT_NAMES if k not in inputs]
    if missing:
        raise InputKeyError(
            f"BertEncoder inputs are missing {missing}; expected keys "
            f"{list(INPUT_NAMES)} (got {sorted(inputs)})")
    for name in INPUT_NAMES:
        x = inputs[name]
        try:
            dtype = keras.backend.standardize_dtype(getattr(x, "dtype", "int32"))
        except ValueError:  # e.g. numpy strings
            dtype = str(x.dtype)
        if "int" not in dtype and dtype != "bool":
            raise InputTypeError(
                f"BertEncoder input {name!r} must be an integer tensor "
                f"[batch, seq], got dtype {dtype}")
        rank = len(x.shape) if hasattr(x, "shape") else None
        if rank is not None and rank != 2:
            raise InputError(
                f"BertEncoder input {name!r} must have rank 2 [batch, seq], "
                f"got shape {tuple(x.shape)}")
        length = x.shape[1] if rank == 2 else None
        shape = tuple(x.shape) if rank is not None else None
        first = getattr(inputs[INPUT_NAMES[0]], "shape", None)
        first = tuple(first) if first is not None else None
        if shape and first and None not in shape + first and shape != first:
            raise InputError(
                f"BertEncoder inputs must all have the same shape [batch, seq]; "
                f"{INPUT_NAMES[0]!r} has {first} but {name!r} has {shape}")
        if length == 0:
            raise InputError(
                f"BertEncoder input {name!r} has sequence length 0; it needs "
                "at least the [CLS] position")
        if max_length and length is not None and length > max_length:
            raise InputError(
                f"BertEncoder input {name!r} has sequence length {length}, "
                f"more than max_position_embeddings={max_length}")
        if name != "padding_mask" and _min_value(x) < 0:
            # Keras' `take` wraps negative ids numpy-style (-1 = last row):
            # a silently wrong embedding, where ids >= vocab_size fail.
            raise InputError(
                f"BertEncoder input {name!r} has negative ids (min {_min_value(x)}); "
                "ids must be in [0, vocab_size)")


def _min_value(x):
    """The smallest value of a concrete (eager / numpy) input; 0 for
    symbolic tensors, whose values are not known yet."""
    try:
        values = np.asarray(x)
    except (TypeError, ValueError, NotImplementedError):
        return 0
    return int(values.min()) if values.dtype.kind in "iu" and values.size else 0
