"""One neutral weight layout that every converter reads into, and the only
code that knows where each tensor lives in a `BertEncoder` and its heads.

Names follow the original TF1 checkpoint (kernels are `[in, out]`):

    embeddings/word_embeddings [V, H]     layer_{i}/query/kernel [H, H]
    embeddings/position_embeddings [P, H] layer_{i}/attention_output/kernel
    embeddings/token_type_embeddings      layer_{i}/intermediate/kernel [H, I]
    embeddings/LayerNorm/{gamma,beta}     layer_{i}/output/kernel [I, H]
    pooler/kernel, pooler/bias            layer_{i}/{attention,output}_LayerNorm/...
    mlm/transform/kernel, mlm/transform/bias, mlm/LayerNorm/{gamma,beta},
    mlm/output_bias [V]; nsp/kernel [H, 2], nsp/bias [2]
"""

import numpy as np
from bert_keras.errors import InputError, InputKeyError


def encoder_names(num_layers):
    names = [
        "embeddings/word_embeddings", "embeddings/position_embeddings",
        "embeddings/token_type_embeddings", "embeddings/LayerNorm/gamma",
        "embeddings/LayerNorm/beta",
    ]
    for i in range(num_layers):
        for part in ("query", "key", "value", "attention_output",
                     "intermediate", "output"):
            names += [f"layer_{i}/{part}/kernel", f"layer_{i}/{part}/bias"]
        for ln in ("attention_LayerNorm", "output_LayerNorm"):
            names += [f"layer_{i}/{ln}/gamma", f"layer_{i}/{ln}/beta"]
    return names + ["pooler/kernel", "pooler/bias"]


MLM_NAMES = ["mlm/transform/kernel", "mlm/transform/bias", "mlm/LayerNorm/gamma",
             "mlm/LayerNorm/beta", "mlm/output_bias"]
NSP_NAMES = ["nsp/kernel", "nsp/bias"]


def expected_shapes(config, heads=()):
    """Canonical name -> shape for an encoder of `config` (and `heads`)."""
    h, i, v = config.hidden_size, config.intermediate_size, config.vocab_size
    shapes = {
        "embeddings/word_embeddings": (v, h),
        "embeddings/position_embeddings": (config.max_position_embeddings, h),
        "embeddings/token_type_embeddings": (config.type_vocab_size, h),
        "pooler/kernel": (h, h),
    }
    for name in encoder_names(config.num_layers):
        if name not in shapes:
            if name.endswith("intermediate/kernel"):
                shapes[name] = (h, i)
            elif name.endswith("intermediate/bias"):
                shapes[name] = (i,)
            elif name.endswith("output/kernel") and "attention" not in name:
                shapes[name] = (i, h)
            elif name.endswith("kernel"):
                shapes[name] = (h, h)
            else:  # biases, gamma, beta
                shapes[name] = (h,)
    if "mlm" in heads:
        shapes.update({"mlm/transform/kernel": (h, h), "mlm/transform/bias": (h,),
                       "mlm/LayerNorm/gamma": (h,), "mlm/LayerNorm/beta": (h,),
                       "mlm/output_bias": (v,)})
    if "nsp" in heads:
        shapes.update({"nsp/kernel": (h, 2), "nsp/bias": (2,)})
    return shapes


def check_shapes(weights, config, heads, source, origin=None):
    """Every tensor an encoder of `config` (with `heads`) needs is in
    `weights` with the right shape. Errors name the tensor as the source
    file calls it (`origin`: canonical name -> source name)."""
    origin = origin or {}
    for name, shape in expected_shapes(config, heads).items():
        label = repr(origin.get(name, name))
        if name not in weights:
            raise InputKeyError(f"{source}: missing tensor {label}")
        got = tuple(np.shape(weights[name]))
        if got != shape:
            raise InputError(
                f"{source}: tensor {label} has shape {got}, but the config "
                f"(hidden_size={config.hidden_size}, intermediate_size="
                f"{config.intermediate_size}, vocab_size={config.vocab_size}, "
                f"max_position_embeddings={config.max_position_embeddings}, "
                f"type_vocab_size={config.type_vocab_size}) expects {shape}; "
                "does the config file belong to this checkpoint?")


def _encoder_slots(encoder):
    """canonical name -> (keras variable, reshape from canonical)."""
    emb = encoder.embeddings
    slots = {
        "embeddings/word_embeddings": emb.token_embedding.embeddings,
        "embeddings/position_embeddings": emb.position_embedding.position_embeddings,
        "embeddings/token_type_embeddings": emb.segment_embedding.embeddings,
        "embeddings/LayerNorm/gamma": emb.layer_norm.gamma,
        "embeddings/LayerNorm/beta": emb.layer_norm.beta,
        "pooler/kernel": encoder.pooled_dense.kernel,
        "pooler/bias": encoder.pooled_dense.bias,
    }
    for i, block in enumerate(encoder.transformer_layers):
        attn = block._self_attention_layer
        p = f"layer_{i}/"
        slots.update({
            p + "query/kernel": attn.query_dense.kernel,
            p + "query/bias": attn.query_dense.bias,
            p + "key/kernel": attn.key_dense.kernel,
            p + "key/bias": attn.key_dense.bias,
            p + "value/kernel": attn.value_dense.kernel,
            p + "value/bias": attn.value_dense.bias,
            p + "attention_output/kernel": attn.output_dense.kernel,
            p + "attention_output/bias": attn.output_dense.bias,
            p + "attention_LayerNorm/gamma": block._self_attention_layer_norm.gamma,
            p + "attention_LayerNorm/beta": block._self_attention_layer_norm.beta,
            p + "intermediate/kernel": block._feedforward_intermediate_dense.kernel,
            p + "intermediate/bias": block._feedforward_intermediate_dense.bias,
            p + "output/kernel": block._feedforward_output_dense.kernel,
            p + "output/bias": block._feedforward_output_dense.bias,
            p + "output_LayerNorm/gamma": block._feedforward_layer_norm.gamma,
            p + "output_LayerNorm/beta": block._feedforward_layer_norm.beta,
        })
    return slots


def _mlm_slots(head):
    return {
        "mlm/transform/kernel": head._intermediate_dense.kernel,
        "mlm/transform/bias": head._intermediate_dense.bias,
        "mlm/LayerNorm/gamma": head._intermediate_layer_norm.gamma,
        "mlm/LayerNorm/beta": head._intermediate_layer_norm.beta,
        "mlm/output_bias": head._bias,
    }


def _nsp_slots(head):
    return {"nsp/kernel": head.kernel, "nsp/bias": head.bias}


def _assign(slots, weights, source):
    for name, variable in slots.items():
        if name not in weights:
            raise InputKeyError(f"{source}: missing tensor for {name!r}")
        value = np.asarray(weights[name])
        # Attention kernels are [H, heads, head_size] / [heads, head_size, H]
        # in Keras' EinsumDense; canonical ones are flat [H, H].
        if value.size != int(np.prod(variable.shape)):
            raise InputError(
                f"{source}: tensor {name!r} has shape {value.shape}, but the "
                f"model expects {tuple(variable.shape)} (does the config match "
                "the checkpoint?)")
        if value.shape != tuple(variable.shape) and not _is_head_split(name):
            raise InputError(
                f"{source}: tensor {name!r} has shape {value.shape}, but the "
                f"model expects {tuple(variable.shape)} (does the config match "
                "the checkpoint?)")
        variable.assign(value.reshape(variable.shape).astype(variable.dtype))


def _is_head_split(name):
    return any(f"/{p}/" in name for p in ("query", "key", "value", "attention_output"))


def assign_encoder(encoder, weights, source="checkpoint"):
    """Writes canonical `weights` into `encoder`; every tensor must be there
    with the right shape."""
    _build(encoder)
    _assign(_encoder_slots(encoder), weights, source)


def assign_mlm_head(head, weights, source="checkpoint"):
    _assign(_mlm_slots(head), weights, source)


def assign_nsp_head(head, weights, source="checkpoint"):
    _assign(_nsp_slots(head), weights, source)


def read_encoder(encoder):
    """The encoder's weights in canonical layout (flat attention kernels)."""
    out = {}
    for name, variable in _encoder_slots(encoder).items():
        value = np.asarray(variable.numpy())
        if _is_head_split(name):
            if name.endswith("attention_output/kernel"):
                value = value.reshape(-1, value.shape[-1])
            elif name.endswith("kernel"):
                value = value.reshape(value.shape[0], -1)
            else:
                value = value.reshape(-1)
        out[name] = value
    return out


def read_mlm_head(head):
    """A masked-LM head's weights in canonical layout (`mlm/*`)."""
    return {name: np.asarray(v.numpy()) for name, v in _mlm_slots(head).items()}


def read_nsp_head(head):
    """A next-sentence head's weights in canonical layout (`nsp/*`)."""
    return {name: np.asarray(v.numpy()) for name, v in _nsp_slots(head).items()}


def check_unexpected(weights, expected, source):
    unexpected = sorted(set(weights) - set(expected))
    if unexpected:
        raise InputError(
            f"{source}: unexpected tensors not used by the model: {unexpected[:10]}"
            + (f" and {len(unexpected) - 10} more" if len(unexpected) > 10 else ""))


def _build(encoder):
    if not encoder.built:
        encoder.build({k: (None, None) for k in ("token_ids", "segment_ids", "padding_mask")})
