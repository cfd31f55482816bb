"""The encoder SavedModel: TF Hub's Reusable SavedModel API for BERT
encoders (as `bert_en_uncased_L-12_H-768_A-12/4`), around a Keras 3
`BertEncoder`.

    encoder(dict(input_word_ids, input_mask, input_type_ids), training=False)
        -> dict(pooled_output, sequence_output, encoder_outputs, default)
    encoder.variables / .trainable_variables / .regularization_losses
    encoder.mlm(dict(..., masked_lm_positions), training=...)  (optional)
    encoder.embed(dict(input_word_ids, input_mask, input_type_ids), training=...)
        -> float32 [batch, H]: the sentence embedding (masked mean of
        sequence_output, L2-normalized, as sentence-transformers computes it)
    encoder.vocab_file (Asset), encoder.do_lower_case (bool Variable)
    signatures["serving_default"]: flat outputs for TF Serving

Keras 3's own `model.export` writes no `__call__` and no `training`
argument, so hub.KerasLayer cannot fine-tune it; here the Keras model is
called inside `tf.function`s traced for both `training` values, and its
`tf.Variable`s (`keras.Variable.value`, seed-generator state included, so
dropout keeps working after loading) are listed on the root object.
"""

import tensorflow as tf
from tensorflow.python.framework.convert_to_constants import (
    convert_variables_to_constants_v2)

from bert_keras.export.hub_preprocess import INPUT_KEYS, AutoTrackable
from bert_keras.layers.sentence_pooling import SentencePooling

# A GraphDef is a protobuf, limited to 2 GB; leave room for the graph itself.
MAX_FROZEN_BYTES = 1_800_000_000


def input_specs(with_positions=False):
    """Dynamic batch and sequence length, as TF Hub encoders accept."""
    specs = {k: tf.TensorSpec([None, None], tf.int32, name=k) for k in INPUT_KEYS}
    if with_positions:
        specs["masked_lm_positions"] = tf.TensorSpec(
            [None, None], tf.int32, name="masked_lm_positions")
    return specs


def _keras_inputs(inputs):
    return {
        "token_ids": inputs["input_word_ids"],
        "segment_ids": inputs["input_type_ids"],
        "padding_mask": inputs["input_mask"],
    }


def _hub_outputs(out):
    return {
        "pooled_output": out["pooled_output"],
        "sequence_output": out["sequence_output"],
        "encoder_outputs": list(out["encoder_outputs"]),
        "default": out["pooled_output"],
    }


def _tf_variables(keras_variables):
    """The tf.Variables behind Keras 3 variables (deduplicated)."""
    seen, out = set(), []
    for v in keras_variables:
        v = getattr(v, "value", v)
        if id(v) not in seen:
            seen.add(id(v))
            out.append(v)
    return out


def _check_ids(inputs, vocab_size):
    """Graph asserts: ids outside the tables would otherwise wrap (negative
    ids, through Keras' numpy-style `take`) or fail deep in a gather."""
    checks = []
    for key, size in (("input_word_ids", vocab_size), ("input_type_ids", None)):
        x = inputs[key]
        checks.append(tf.debugging.assert_non_negative(
            x, message=f"{key} must not be negative"))
        if size is not None:
            checks.append(tf.debugging.assert_less(
                x, tf.constant(size, x.dtype), message=f"{key} must be < vocab_size {size}"))
    with tf.control_dependencies(checks):
        return {k: tf.identity(v) for k, v in inputs.items()}


def _encoder_fn(encoder):
    def call(inputs, training=False):
        inputs = _check_ids(inputs, encoder.config.vocab_size)
        return _hub_outputs(encoder(_keras_inputs(inputs), training=training))
    return call


def _head_fn(mlm_head):
    def call(sequence_output, positions, training=False):
        return mlm_head(sequence_output, mask_positions=positions, training=training)
    return call


def _reusable(call, specs, variables, trainable):
    """A Reusable SavedModel object whose `__call__` runs `call`, traced for
    `training` False and True."""
    obj = AutoTrackable()
    obj.__call__ = tf.function(call)
    for training in (False, True):
        obj.__call__.get_concrete_function(specs, training=training)
    obj.variables = list(variables)
    obj.trainable_variables = [v for v in variables if v.trainable] if trainable else []
    obj.regularization_losses = []
    return obj


def _fold(fn, *specs):
    """`fn(*args, training=False)` with every variable folded into a
    constant; returns a function of the same arguments and outputs."""
    concrete = tf.function(fn).get_concrete_function(*specs, training=False)
    constant_fn = convert_variables_to_constants_v2(concrete)

    def call(*args):
        flat = constant_fn(*tf.nest.flatten(args, expand_composites=True))
        return tf.nest.pack_sequence_as(concrete.structured_outputs, flat,
                                        expand_composites=True)
    return call


def _mlm_call(encoder_call, head_call):
    """Encoder outputs plus `mlm_logits`; `encoder_call` is the root's
    `__call__`, so the encoder graph is shared, not traced twice."""
    def call(inputs, training=False):
        out = dict(encoder_call({k: inputs[k] for k in INPUT_KEYS}, training=training))
        out["mlm_logits"] = head_call(out["sequence_output"], inputs["masked_lm_positions"],
                                      training=training)
        return out
    return call


def _embed_call(encoder_call, pooling):
    """The sentence embedding of the root's outputs (graph shared with
    `__call__`, as for `.mlm`)."""
    def call(inputs, training=False):
        out = encoder_call(inputs, training=training)
        return pooling(out["sequence_output"], inputs["input_mask"])
    return call


def variables_bytes(variables):
    return sum(v.shape.num_elements() * v.dtype.size for v in variables)


def build_encoder_module(encoder, vocab_file, lowercase, frozen=False,
                         mlm_head=None, serving=True, embedding_pooling="mean",
                         embedding_normalize=True):
    """The encoder model, for `tf.saved_model.save`.

    Args:
        encoder: a built `bert_keras.BertEncoder`.
        vocab_file: path of the `vocab.txt` stored as the `vocab_file` Asset.
        lowercase: value of the legacy `do_lower_case` attribute.
        frozen: no trainable variables, no dropout; variables folded into
            constants when the model fits in a GraphDef.
        mlm_head: a `BertMaskedLMHead` tied to `encoder`: adds `.mlm`.
        serving: add the `serving_default` signature (see `serving.py`).
        embedding_pooling, embedding_normalize: how `.embed` pools
            `sequence_output` ("mean" or "cls") and whether it L2-normalizes
            (see `bert_keras.layers.sentence_pooling`).

    Returns `(root, signatures, info)`; `info` says how it was built.
    """
    from bert_keras.export.serving import serving_signature

    specs = input_specs()
    variables = _tf_variables(encoder.variables)
    fold = frozen and variables_bytes(variables) < MAX_FROZEN_BYTES
    info = {"form": "frozen" if frozen else "trainable", "folded": fold}
    if fold:
        folded = _fold(_encoder_fn(encoder), specs)
        root = _reusable(lambda inputs, training=False: folded(inputs), specs, [],
                         trainable=False)
    elif frozen:
        # Too big for one GraphDef: the variables stay, none is trainable
        # and dropout is never on.
        encoder_call = _encoder_fn(encoder)
        root = _reusable(lambda inputs, training=False: encoder_call(inputs, training=False),
                         specs, variables, trainable=False)
    else:
        root = _reusable(_encoder_fn(encoder), specs, variables, trainable=True)

    if mlm_head is not None:
        mlm_specs = input_specs(with_positions=True)
        known = {id(v) for v in variables}
        mlm_variables = variables + [v for v in _tf_variables(mlm_head.variables)
                                     if id(v) not in known]
        head_call = _head_fn(mlm_head)
        if frozen:
            if fold:
                seq_spec = tf.TensorSpec([None, None, encoder.config.hidden_size], tf.float32)
                head_call = _fold(head_call, seq_spec, specs["input_word_ids"])
                mlm_variables = []
            frozen_head = head_call
            head_call = lambda seq, positions, training=False: frozen_head(seq, positions)
        root.mlm = _reusable(_mlm_call(root.__call__, head_call), mlm_specs, mlm_variables,
                             trainable=not frozen)

    pooling = SentencePooling(embedding_pooling, embedding_normalize)
    root.embed = _reusable(_embed_call(root.__call__, pooling), specs, root.variables,
                           trainable=not frozen)

    root.vocab_file = tf.saved_model.Asset(vocab_file)
    root.do_lower_case = tf.Variable(bool(lowercase), trainable=False, name="do_lower_case")
    signatures = {"serving_default": serving_signature(root.__call__)} if serving else None
    return root, signatures, info
