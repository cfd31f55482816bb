"""Where each canonical tensor (`layout.py`) lives in our Keras objects: an
encoder of any family and its heads, looked up through the `OURS` name table.
The only code that reads or writes their weights by name.

    >>> from bert_keras import BertConfig
    >>> from bert_keras.models import make_encoder
    >>> encoder = make_encoder(BertConfig.preset("albert_tiny", vocab_size=50))
    >>> weights = read_encoder(encoder)
    >>> weights["layer_0/query/kernel"].shape, "layer_1/query/kernel" in weights
    ((312, 312), False)
"""

import numpy as np

from bert_keras.checkpoints.layout import (
    HEADS, check_tensors, expected_shapes, leaf_names, LEAVES)
from bert_keras.checkpoints.name_tables import OURS, source_names


def resolve(root, path):
    """The variable at an attribute path such as
    `transformer_layer_0._self_attention_layer.query_dense.kernel`; the
    first part is an attribute or a layer name."""
    obj = root
    for i, part in enumerate(p for p in path.split(".") if p):
        if i == 0 and not hasattr(obj, part):
            obj = obj.get_layer(part)
        else:
            obj = getattr(obj, part)
    return obj


def keras_slots(root, table, config, heads=()):
    """canonical name -> Keras variable, for a model of `config` built as
    `table` describes (our encoders, keras-hub's BertBackbone)."""
    _build(root)
    return {name: resolve(root, path)
            for name, (path, _) in source_names(table, config, heads).items()}


def head_slots(head, kind):
    """canonical name -> Keras variable of a head layer: `kind` is "mlm"
    (a keras-hub MaskedLMHead), "nsp" (BertNextSentenceHead) or
    "classifier" (BertClassificationHead)."""
    slots = {}
    for stem, stem_kind, _ in HEADS[kind]:
        for leaf, name in zip(LEAVES[stem_kind], leaf_names(stem, stem_kind)):
            slots[name] = resolve(head, OURS.names[stem] + OURS.format.leaves[leaf])
    return slots


def read_slots(slots, shapes=None):
    """Variable values as canonical numpy arrays (attention kernels are
    `[H, heads, head_size]` in Keras, flat `[H, H]` canonically)."""
    out = {}
    for name, variable in slots.items():
        value = np.asarray(variable.numpy())
        if shapes is not None:
            value = value.reshape(shapes[name])
        out[name] = value
    return out


def assign_slots(slots, weights, source, shapes=None):
    """Writes canonical `weights` into `slots` after the one tensor check
    (tensors the model does not use are left to the caller to refuse)."""
    shapes = shapes or {name: tuple(v.shape) for name, v in slots.items()}
    check_tensors(weights, {n: shapes[n] for n in slots}, source, allow_unexpected=True)
    for name, variable in slots.items():
        value = np.asarray(weights[name]).reshape(variable.shape)
        variable.assign(value.astype(variable.dtype))


def read_encoder(encoder):
    """The encoder's weights in canonical layout."""
    return read_slots(keras_slots(encoder, OURS, encoder.config),
                      expected_shapes(encoder.config))


def assign_encoder(encoder, weights, source="checkpoint"):
    """Writes canonical `weights` into `encoder`; every tensor it needs must
    be there with the right shape."""
    assign_slots(keras_slots(encoder, OURS, encoder.config), weights, source,
                 expected_shapes(encoder.config))


def read_head(head, kind):
    """A head's weights in canonical layout (`mlm/*`, `nsp/*`, `classifier/*`)."""
    return read_slots(head_slots(head, kind))


def assign_head(head, kind, weights, source="checkpoint"):
    assign_slots(head_slots(head, kind), weights, source)


def read_mlm_head(head):
    return read_head(head, "mlm")


def read_nsp_head(head):
    return read_head(head, "nsp")


def assign_mlm_head(head, weights, source="checkpoint"):
    assign_head(head, "mlm", weights, source)


def assign_nsp_head(head, weights, source="checkpoint"):
    assign_head(head, "nsp", weights, source)


def _build(model):
    if not model.built:
        model.build({k: (None, None) for k in ("token_ids", "segment_ids", "padding_mask")})
