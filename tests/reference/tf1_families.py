"""Hugging Face ALBERT / ELECTRA state dicts renamed to the ORIGINAL TF1
variable names (google-research/albert `modeling.py`, google-research/electra
`model/modeling.py`), written out by hand here so the converter's tables
are checked against an independent spelling. Torch Linear weights are
[out, in]; TF1 kernels [in, out]."""


def _linear(state, hf, tf1, out):
    out[tf1 + "/kernel"] = state[hf + ".weight"].T
    out[tf1 + "/bias"] = state[hf + ".bias"]


def _norm(state, hf, tf1, out):
    out[tf1 + "/gamma"] = state[hf + ".weight"]
    out[tf1 + "/beta"] = state[hf + ".bias"]


def _embeddings(state, scope, out):
    for table in ("word_embeddings", "position_embeddings", "token_type_embeddings"):
        out[f"{scope}/embeddings/{table}"] = state[f"embeddings.{table}.weight"]
    _norm(state, "embeddings.LayerNorm", f"{scope}/embeddings/LayerNorm", out)


def albert_tf1(state, num_groups=1, inner=1):
    out = {}
    _embeddings(state, "bert", out)
    _linear(state, "encoder.embedding_hidden_mapping_in",
            "bert/encoder/embedding_hidden_mapping_in", out)
    for g in range(num_groups):
        for j in range(inner):
            hf = f"encoder.albert_layer_groups.{g}.albert_layers.{j}."
            tf1 = f"bert/encoder/transformer/group_{g}/inner_group_{j}/"
            for part in ("query", "key", "value"):
                _linear(state, hf + "attention." + part, tf1 + "attention_1/self/" + part, out)
            _linear(state, hf + "attention.dense", tf1 + "attention_1/output/dense", out)
            _norm(state, hf + "attention.LayerNorm", tf1 + "LayerNorm", out)
            _linear(state, hf + "ffn", tf1 + "ffn_1/intermediate/dense", out)
            _linear(state, hf + "ffn_output", tf1 + "ffn_1/intermediate/output/dense", out)
            _norm(state, hf + "full_layer_layer_norm", tf1 + "LayerNorm_1", out)
    _linear(state, "pooler", "bert/pooler/dense", out)
    return out


def electra_tf1(state, num_layers):
    out = {}
    _embeddings(state, "electra", out)
    _linear(state, "embeddings_project", "electra/embeddings_project", out)
    for i in range(num_layers):
        hf, tf1 = f"encoder.layer.{i}.", f"electra/encoder/layer_{i}/"
        for part in ("query", "key", "value"):
            _linear(state, hf + "attention.self." + part, tf1 + "attention/self/" + part, out)
        _linear(state, hf + "attention.output.dense", tf1 + "attention/output/dense", out)
        _norm(state, hf + "attention.output.LayerNorm", tf1 + "attention/output/LayerNorm", out)
        _linear(state, hf + "intermediate.dense", tf1 + "intermediate/dense", out)
        _linear(state, hf + "output.dense", tf1 + "output/dense", out)
        _norm(state, hf + "output.LayerNorm", tf1 + "output/LayerNorm", out)
    return out
