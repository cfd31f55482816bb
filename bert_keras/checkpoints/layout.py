"""One weight layout per model type: every tensor an encoder (and its heads)
has, under one neutral ("canonical") name, with its shape. Every source
format (Hugging Face, Google TF1, keras-hub, our Keras objects; see
`name_tables.py`) is a table of names over this layout, and `check_tensors`
is the one check of missing, misshapen and unexpected tensors.

Canonical names follow the original TF1 checkpoint (kernels `[in, out]`):

    embeddings/word_embeddings [V, E]       layer_{k}/query/kernel [H, H]
    embeddings/position_embeddings [P, E]   layer_{k}/attention_output/kernel
    embeddings/token_type_embeddings [T, E] layer_{k}/intermediate/kernel [H, I]
    embeddings/LayerNorm/{gamma,beta} [E]   layer_{k}/output/kernel [I, H]
    embeddings/projection/kernel [E, H]     layer_{k}/{attention,output}_LayerNorm/...
    pooler/kernel, pooler/bias              (k counts distinct blocks: ALBERT has 1)
    mlm/transform/kernel [H, E], mlm/transform/bias, mlm/LayerNorm/{gamma,beta},
    mlm/output_bias [V]; nsp/kernel [H, 2], nsp/bias; classifier/kernel [H, C];
    span/kernel [H, 2] (QA); token_classifier/kernel [H, C] (NER)

    >>> from bert_keras import BertConfig
    >>> shapes = expected_shapes(BertConfig.preset("albert_tiny"))
    >>> shapes["embeddings/projection/kernel"], "layer_1/query/kernel" in shapes
    ((128, 312), False)
"""

import numpy as np

from bert_keras.errors import InputError, InputKeyError

# A stem is one weight-carrying piece: DENSE -> stem/kernel [a, b] + stem/bias
# [b]; NORM -> stem/gamma + stem/beta [a]; TENSOR -> stem itself. Dimension
# letters: V vocab, E embedding width, H hidden, I intermediate, P positions,
# T token types, C classes, 2 two.
DENSE, NORM, TENSOR = "dense", "norm", "tensor"

EMBEDDINGS = (
    ("embeddings/word_embeddings", TENSOR, "VE"),
    ("embeddings/position_embeddings", TENSOR, "PE"),
    ("embeddings/token_type_embeddings", TENSOR, "TE"),
    ("embeddings/LayerNorm", NORM, "E"),
)
PROJECTION = (("embeddings/projection", DENSE, "EH"),)
BLOCK = (  # one transformer block, under layer_{k}/
    ("query", DENSE, "HH"), ("key", DENSE, "HH"), ("value", DENSE, "HH"),
    ("attention_output", DENSE, "HH"), ("attention_LayerNorm", NORM, "H"),
    ("intermediate", DENSE, "HI"), ("output", DENSE, "IH"),
    ("output_LayerNorm", NORM, "H"),
)
POOLER = (("pooler", DENSE, "HH"),)
HEADS = {
    "mlm": (("mlm/transform", DENSE, "HE"), ("mlm/LayerNorm", NORM, "E"),
            ("mlm/output_bias", TENSOR, "V")),
    "nsp": (("nsp", DENSE, "H2"),),
    "classifier": (("classifier", DENSE, "HC"),),
    "span": (("span", DENSE, "H2"),),  # extractive QA: start/end logits
    "token_classifier": (("token_classifier", DENSE, "HC"),),  # NER tags
}
LEAVES = {DENSE: ("kernel", "bias"), NORM: ("gamma", "beta"), TENSOR: ("",)}


def block_stem(k, part):
    return f"layer_{k}/{part}"


def stems(config, heads=()):
    """(canonical stem, kind, dims, block index or None) of a model of
    `config` with `heads`, in a fixed order."""
    out = [s + (None,) for s in EMBEDDINGS]
    if config.projects_embeddings:
        out += [s + (None,) for s in PROJECTION]
    for k in range(config.num_blocks):
        out += [(block_stem(k, part), kind, dims, k) for part, kind, dims in BLOCK]
    if config.has_pooler:
        out += [s + (None,) for s in POOLER]
    for head in heads:
        out += [s + (None,) for s in HEADS[head]]
    return out


def leaf_names(stem, kind):
    """Canonical tensor names of one stem: `pooler` -> pooler/kernel, pooler/bias."""
    return [f"{stem}/{leaf}" if leaf else stem for leaf in LEAVES[kind]]


def _leaf_shape(kind, leaf, dims, sizes):
    shape = tuple(sizes[d] for d in dims)
    if kind == DENSE and leaf == "bias":
        return shape[-1:]
    return shape


def expected_shapes(config, heads=(), num_classes=None):
    """Canonical name -> shape for a model of `config` with `heads`."""
    sizes = {"V": config.vocab_size, "E": config.embedding_dim, "H": config.hidden_size,
             "I": config.intermediate_size, "P": config.max_position_embeddings,
             "T": config.type_vocab_size, "C": num_classes, "2": 2}
    shapes = {}
    for stem, kind, dims, _ in stems(config, heads):
        for leaf, name in zip(LEAVES[kind], leaf_names(stem, kind)):
            shapes[name] = _leaf_shape(kind, leaf, dims, sizes)
    return shapes


def check_model_tensors(weights, config, heads, source):
    """`weights` are a model of `config` with `heads`: every encoder tensor
    with its shape (head shapes depend on the task: any), nothing else."""
    expected = dict.fromkeys(expected_shapes(config, heads))
    expected.update(expected_shapes(config))
    check_tensors(weights, expected, source)


def check_tensors(weights, expected, source, origin=None, allow_unexpected=False):
    """The one check: every tensor of `expected` (name -> shape, or None for
    any shape) is in `weights` with its shape, and (unless
    `allow_unexpected`) nothing else is. Errors name tensors as the source
    calls them (`origin`: canonical name -> source name)."""
    origin = origin or {}
    label = lambda name: repr(origin.get(name, name))
    for name, shape in expected.items():
        if name not in weights:
            raise InputKeyError(f"{source}: missing tensor {label(name)}")
        got = tuple(np.shape(weights[name]))
        if shape is not None and got != tuple(shape):
            raise InputError(
                f"{source}: tensor {label(name)} has shape {got}, but the model "
                f"expects {tuple(shape)}; does the config belong to this checkpoint?")
    if not allow_unexpected:
        unexpected = sorted(label(n).strip("'") for n in set(weights) - set(expected))
        if unexpected:
            raise InputError(
                f"{source}: unexpected tensors not used by the model: {unexpected[:10]}"
                + (f" and {len(unexpected) - 10} more" if len(unexpected) > 10 else "")
                + "; does the config (number of layers, model type) belong to "
                "this checkpoint?")


def config_summary(config):
    """The sizes a shape error is about, for messages."""
    return (f"model_type={config.model_type}, hidden_size={config.hidden_size}, "
            f"embedding_size={config.embedding_dim}, intermediate_size="
            f"{config.intermediate_size}, vocab_size={config.vocab_size}, "
            f"max_position_embeddings={config.max_position_embeddings}, "
            f"type_vocab_size={config.type_vocab_size}, num_layers={config.num_layers}")
