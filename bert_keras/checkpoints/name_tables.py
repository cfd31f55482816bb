"""How each source format names the tensors of the canonical layout
(`layout.py`): one table per (format, model type), and `source_names`, which
expands a table for a config.

A table maps canonical stems to the source's stems; block stems use `{k}`
(block index) or `{g}`/`{j}` (ALBERT group / block in group). A format says
how a stem's leaves are spelled (`.weight` vs `/kernel`) and whether dense
kernels are stored transposed (torch `Linear` is `[out, in]`). A value can
also be a dict leaf -> (name, transposed) for tensors named unusually.

    >>> from bert_keras import BertConfig
    >>> names = source_names(HF["albert"], BertConfig.preset("albert_tiny"))
    >>> names["layer_0/intermediate/kernel"]
    ('encoder.albert_layer_groups.0.albert_layers.0.ffn.weight', True)
"""

import dataclasses

from bert_keras.checkpoints.layout import LEAVES, leaf_names, stems


@dataclasses.dataclass(frozen=True)
class Format:
    """How a stem's leaves are spelled in one source format."""
    leaves: dict  # canonical leaf -> suffix
    transposed_kernels: bool = False


@dataclasses.dataclass(frozen=True)
class NameTable:
    """One source format's names for one model type."""
    format: Format
    names: dict  # canonical stem -> source stem (or dict leaf -> (name, transposed))
    block: dict  # block part -> source stem template
    prefixes: tuple = ()  # prefixes some files put before every name
    ignored: tuple = ()  # source names that are not model weights
    ignored_prefixes: tuple = ()  # parts of the checkpoint no encoder uses
    ignored_suffixes: tuple = ()  # optimizer slots
    tied: dict = dataclasses.field(default_factory=dict)  # name -> canonical it equals
    absent: tuple = ()  # canonical stems the format does not store (its reader supplies them)


HF_FORMAT = Format({"kernel": ".weight", "bias": ".bias", "gamma": ".weight",
                    "beta": ".bias", "": ""}, transposed_kernels=True)
TF1_FORMAT = Format({"kernel": "/kernel", "bias": "/bias", "gamma": "/gamma",
                     "beta": "/beta", "": ""})
KERAS_FORMAT = Format({"kernel": ".kernel", "bias": ".bias", "gamma": ".gamma",
                       "beta": ".beta", "": ""})


def source_names(table, config, heads=()):
    """canonical name -> (source name, transposed) for a model of `config`."""
    out = {}
    for stem, kind, _, k in stems(config, heads):
        if stem in table.absent:
            continue
        if k is None:
            source = table.names[stem]
        else:
            part = stem.split("/", 1)[1]
            groups = config.inner_group_num if config.model_type == "albert" else 1
            source = table.block[part].format(k=k, g=k // groups, j=k % groups)
        for leaf, name in zip(LEAVES[kind], leaf_names(stem, kind)):
            if isinstance(source, dict):
                entry = source[leaf]
                out[name] = entry if isinstance(entry, tuple) else (entry, False)
            else:
                transposed = table.format.transposed_kernels and leaf == "kernel"
                out[name] = (source + table.format.leaves[leaf], transposed)
    return out


# --- Hugging Face (transformers state dicts) --------------------------------

_HF_EMBEDDINGS = {
    "embeddings/word_embeddings": "embeddings.word_embeddings.weight",
    "embeddings/position_embeddings": "embeddings.position_embeddings.weight",
    "embeddings/token_type_embeddings": "embeddings.token_type_embeddings.weight",
    "embeddings/LayerNorm": "embeddings.LayerNorm",
}
_HF_BERT_BLOCK = {
    "query": "encoder.layer.{k}.attention.self.query",
    "key": "encoder.layer.{k}.attention.self.key",
    "value": "encoder.layer.{k}.attention.self.value",
    "attention_output": "encoder.layer.{k}.attention.output.dense",
    "attention_LayerNorm": "encoder.layer.{k}.attention.output.LayerNorm",
    "intermediate": "encoder.layer.{k}.intermediate.dense",
    "output": "encoder.layer.{k}.output.dense",
    "output_LayerNorm": "encoder.layer.{k}.output.LayerNorm",
}
_ALBERT_LAYER = "encoder.albert_layer_groups.{g}.albert_layers.{j}."
_HF_ALBERT_BLOCK = {
    "query": _ALBERT_LAYER + "attention.query",
    "key": _ALBERT_LAYER + "attention.key",
    "value": _ALBERT_LAYER + "attention.value",
    "attention_output": _ALBERT_LAYER + "attention.dense",
    "attention_LayerNorm": _ALBERT_LAYER + "attention.LayerNorm",
    "intermediate": _ALBERT_LAYER + "ffn",
    "output": _ALBERT_LAYER + "ffn_output",
    "output_LayerNorm": _ALBERT_LAYER + "full_layer_layer_norm",
}
# Buffers some transformers versions save with the weights.
_HF_BUFFERS = ("embeddings.position_ids", "embeddings.token_type_ids")

HF = {
    "bert": NameTable(
        HF_FORMAT,
        dict(_HF_EMBEDDINGS, **{
            "pooler": "pooler.dense",
            "mlm/transform": "cls.predictions.transform.dense",
            "mlm/LayerNorm": "cls.predictions.transform.LayerNorm",
            "mlm/output_bias": "cls.predictions.bias",
            "nsp": "cls.seq_relationship"}),
        _HF_BERT_BLOCK, prefixes=("bert.",),
        # The decoder bias is saved twice (decoder.bias is cls.predictions.bias).
        ignored=_HF_BUFFERS + ("cls.predictions.decoder.bias",),
        tied={"cls.predictions.decoder.weight": "embeddings/word_embeddings"}),
    "roberta": NameTable(
        HF_FORMAT,
        dict(_HF_EMBEDDINGS, **{
            "pooler": "pooler.dense",
            "mlm/transform": "lm_head.dense",
            "mlm/LayerNorm": "lm_head.layer_norm",
            "mlm/output_bias": "lm_head.bias"}),
        _HF_BERT_BLOCK, prefixes=("roberta.",),
        ignored=_HF_BUFFERS + ("lm_head.decoder.bias",),
        tied={"lm_head.decoder.weight": "embeddings/word_embeddings"}),
    "electra": NameTable(
        HF_FORMAT,
        dict(_HF_EMBEDDINGS, **{"embeddings/projection": "embeddings_project"}),
        _HF_BERT_BLOCK, prefixes=("electra.",), ignored=_HF_BUFFERS,
        # ElectraForPreTraining's replaced-token head; not part of the encoder.
        ignored_prefixes=("discriminator_predictions.",)),
    "albert": NameTable(
        HF_FORMAT,
        dict(_HF_EMBEDDINGS, **{
            "embeddings/projection": "encoder.embedding_hidden_mapping_in",
            "pooler": "pooler",
            "mlm/transform": "predictions.dense",
            "mlm/LayerNorm": "predictions.LayerNorm",
            "mlm/output_bias": "predictions.bias",
            "nsp": "sop_classifier.classifier"}),
        _HF_ALBERT_BLOCK, prefixes=("albert.",),
        ignored=_HF_BUFFERS + ("predictions.decoder.bias",),
        tied={"predictions.decoder.weight": "embeddings/word_embeddings"}),
}

# --- Google TF1 checkpoints (google-research/bert, albert, electra) ---------


def _tf1_embeddings(scope):
    return {
        "embeddings/word_embeddings": f"{scope}/embeddings/word_embeddings",
        "embeddings/position_embeddings": f"{scope}/embeddings/position_embeddings",
        "embeddings/token_type_embeddings": f"{scope}/embeddings/token_type_embeddings",
        "embeddings/LayerNorm": f"{scope}/embeddings/LayerNorm",
    }


def _tf1_bert_block(scope):
    p = scope + "/encoder/layer_{k}/"
    return {
        "query": p + "attention/self/query", "key": p + "attention/self/key",
        "value": p + "attention/self/value",
        "attention_output": p + "attention/output/dense",
        "attention_LayerNorm": p + "attention/output/LayerNorm",
        "intermediate": p + "intermediate/dense", "output": p + "output/dense",
        "output_LayerNorm": p + "output/LayerNorm",
    }


_TF1_ALBERT_LAYER = "bert/encoder/transformer/group_{g}/inner_group_{j}/"
_TF1_HEADS = {
    "mlm/transform": "cls/predictions/transform/dense",
    "mlm/LayerNorm": "cls/predictions/transform/LayerNorm",
    "mlm/output_bias": "cls/predictions/output_bias",
    # Stored [2, H], transposed relative to a dense kernel.
    "nsp": {"kernel": ("cls/seq_relationship/output_weights", True),
            "bias": "cls/seq_relationship/output_bias"},
}
# Bookkeeping that pretraining checkpoints carry.
TF1_IGNORED = ("global_step", "good_steps", "loss_scale", "current_loss_scale")
TF1_IGNORED_SUFFIXES = ("/adam_m", "/adam_v", "/Momentum")

TF1 = {
    "bert": NameTable(
        TF1_FORMAT,
        dict(_tf1_embeddings("bert"), pooler="bert/pooler/dense", **_TF1_HEADS),
        _tf1_bert_block("bert"), ignored=TF1_IGNORED,
        ignored_suffixes=TF1_IGNORED_SUFFIXES),
    "albert": NameTable(
        TF1_FORMAT,
        dict(_tf1_embeddings("bert"), pooler="bert/pooler/dense", **_TF1_HEADS, **{
            "embeddings/projection": "bert/encoder/embedding_hidden_mapping_in"}),
        {"query": _TF1_ALBERT_LAYER + "attention_1/self/query",
         "key": _TF1_ALBERT_LAYER + "attention_1/self/key",
         "value": _TF1_ALBERT_LAYER + "attention_1/self/value",
         "attention_output": _TF1_ALBERT_LAYER + "attention_1/output/dense",
         "attention_LayerNorm": _TF1_ALBERT_LAYER + "LayerNorm",
         "intermediate": _TF1_ALBERT_LAYER + "ffn_1/intermediate/dense",
         "output": _TF1_ALBERT_LAYER + "ffn_1/intermediate/output/dense",
         "output_LayerNorm": _TF1_ALBERT_LAYER + "LayerNorm_1"},
        ignored=TF1_IGNORED, ignored_suffixes=TF1_IGNORED_SUFFIXES),
    "electra": NameTable(
        TF1_FORMAT,
        dict(_tf1_embeddings("electra"), **{
            "embeddings/projection": "electra/embeddings_project"}),
        _tf1_bert_block("electra"), ignored=TF1_IGNORED,
        ignored_suffixes=TF1_IGNORED_SUFFIXES,
        # The pretraining checkpoint also holds the generator and both heads.
        ignored_prefixes=("generator/", "generator_predictions/",
                          "discriminator_predictions/")),
}

# --- Keras objects: our encoders and heads, keras-hub's backbones -----------
# Attribute paths from the model (first part: attribute or layer name).

_KERAS_BLOCK = {
    "query": "transformer_layer_{k}._self_attention_layer.query_dense",
    "key": "transformer_layer_{k}._self_attention_layer.key_dense",
    "value": "transformer_layer_{k}._self_attention_layer.value_dense",
    "attention_output": "transformer_layer_{k}._self_attention_layer.output_dense",
    "attention_LayerNorm": "transformer_layer_{k}._self_attention_layer_norm",
    "intermediate": "transformer_layer_{k}._feedforward_intermediate_dense",
    "output": "transformer_layer_{k}._feedforward_output_dense",
    "output_LayerNorm": "transformer_layer_{k}._feedforward_layer_norm",
}
_KERAS_HEADS = {  # relative to the head layer itself
    "mlm/transform": "_intermediate_dense",
    "mlm/LayerNorm": "_intermediate_layer_norm",
    "mlm/output_bias": "_bias",
    "nsp": "",
    "classifier": "dense",
    "span": "dense",  # BertSpanHead.dense
    "token_classifier": "dense",
}
OURS = NameTable(
    KERAS_FORMAT,
    dict(_KERAS_HEADS, **{
        "embeddings/word_embeddings": "embeddings.token_embedding.embeddings",
        "embeddings/position_embeddings": "embeddings.position_embedding.position_embeddings",
        "embeddings/token_type_embeddings": "embeddings.segment_embedding.embeddings",
        "embeddings/LayerNorm": "embeddings.layer_norm",
        "embeddings/projection": "embeddings_projection",
        "pooler": "pooled_dense"}),
    _KERAS_BLOCK)
_KERAS_HUB_EMBEDDINGS = {
    "embeddings/word_embeddings": "token_embedding.embeddings",
    "embeddings/position_embeddings": "position_embedding.position_embeddings",
    "embeddings/token_type_embeddings": "segment_embedding.embeddings",
    "embeddings/LayerNorm": "embeddings_layer_norm",
}
_KERAS_HUB_ALBERT_BLOCK = {part: path.replace("transformer_layer_{k}", "group_{g}_inner_layer_{j}")
                           for part, path in _KERAS_BLOCK.items()}
# keras-hub backbones (`save_to_preset` directories), by model type.
KERAS_HUB = {
    "bert": NameTable(KERAS_FORMAT, dict(_KERAS_HUB_EMBEDDINGS, pooler="pooled_dense"),
                      _KERAS_BLOCK),
    # AlbertBackbone: blocks are layers named group_{g}_inner_layer_{j}.
    "albert": NameTable(
        KERAS_FORMAT, dict(_KERAS_HUB_EMBEDDINGS, pooler="pooled_dense",
                           **{"embeddings/projection": "embedding_projection"}),
        _KERAS_HUB_ALBERT_BLOCK),
    # ElectraBackbone's pooled_dense is not ELECTRA's (the checkpoints have
    # no pooler; keras-hub initialises it at random): not read.
    "electra": NameTable(
        KERAS_FORMAT, dict(_KERAS_HUB_EMBEDDINGS,
                           **{"embeddings/projection": "embeddings_projection"}),
        _KERAS_BLOCK),
    # RobertaBackbone has no token types and no pooler, and its position
    # table starts at the first token (fairseq's starts at pad_token_id + 1):
    # keras_hub_preset.py supplies and shifts those.
    "roberta": NameTable(
        KERAS_FORMAT,
        {"embeddings/word_embeddings": "embeddings.token_embedding.embeddings",
         "embeddings/position_embeddings": "embeddings.position_embedding.position_embeddings",
         "embeddings/LayerNorm": "embeddings_layer_norm"},
        _KERAS_BLOCK, absent=("embeddings/token_type_embeddings", "pooler")),
}
