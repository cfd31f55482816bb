"""The OpenVINO graph of an encoder (or fine-tuned classifier) built op by op
from its canonical weights, in the form OpenVINO's CPU plugin fuses:
attention is one `ScaledDotProductAttention`, each LayerNorm one `MVN`
plus scale and shift, GELU one `Gelu` op, dense layers `MatMul` + `Add`.

Converted from our TensorFlow graph instead, attention arrives as
Einsum + Softmax + Select and LayerNorm as ReduceMean / SquaredDifference /
Power, which the plugin runs unfused (~1.4x slower at batch 32 in bf16).

Same inputs and outputs as `runtime_graph.RuntimeGraph` (int32
`input_word_ids`, `input_mask`, `input_type_ids` `[batch, seq]`):
encoders give `pooled_output`, `sequence_output`, `embedding` (masked mean,
L2-normalized); classifiers give `logits` and `probabilities` (regression:
`score`). Every family (BERT, ALBERT, ELECTRA, RoBERTa) is described by
one table of what changes: the embedding projection, the pooler, the
block schedule (ALBERT shares blocks), the position ids (RoBERTa counts
them from `pad_token_id + 1`).

    >>> from bert_keras.export.runtime_graph import load_export_source
    >>> source = load_export_source("minilm-l6-h384-uncased")      # doctest: +SKIP
    >>> model = build_openvino_model(source)                         # doctest: +SKIP
    >>> sorted(o.get_any_name() for o in model.outputs)             # doctest: +SKIP
    ['embedding', 'pooled_output', 'sequence_output']
"""

import numpy as np

from bert_keras.errors import InputError

INPUT_KEYS = ("input_word_ids", "input_mask", "input_type_ids")
# config.hidden_act -> how the op is made (see _activation).
ACTIVATIONS = {"gelu": ("gelu", "erf"), "gelu_tanh": ("gelu", "tanh"),
               "relu": ("relu", None), "tanh": ("tanh", None), "silu": ("swish", None)}


def encoder_plan(encoder):
    """What the graph needs of an encoder beyond its weights: per layer,
    the canonical block indices it runs (ALBERT repeats shared blocks),
    whether embeddings are projected, whether there is a pooler, and
    RoBERTa's position pad id (None: positions 0, 1, 2, ...)."""
    config = encoder.config
    if config.hidden_act not in ACTIVATIONS:
        raise InputError(f"no OpenVINO graph for activation {config.hidden_act!r}")
    blocks = list(encoder.transformer_layers)
    schedule = [[blocks.index(b) for b in layer] for layer in encoder._layer_schedule(config)]
    return {"schedule": schedule,
            "projects": config.projects_embeddings,
            "pooler": config.has_pooler,
            "position_pad_id": encoder._position_pad_id(config)}


def build_openvino_model(source):
    """An `ov.Model` for an `ExportSource` (runtime_graph.py), weights read
    from the Keras model in canonical layout (f32 constants)."""
    from bert_keras.checkpoints import canonical

    if source.kind == "encoder":
        encoder, weights = source.model, canonical.read_encoder(source.model)
        head = None
    else:
        from bert_keras.tasks.classifier import classifier_parts, classifier_weights

        encoder, _ = classifier_parts(source.model)
        weights = classifier_weights(source.model)
        head = {"pooling": source.task.pooling, "regression": bool(source.task.regression)}
    return OpenVinoBert(encoder.config, encoder_plan(encoder), weights).model(head)


class OpenVinoBert:
    """Builds the graph with `openvino.opset13` ops (the first opset with
    ScaledDotProductAttention)."""

    def __init__(self, config, plan, weights):
        import openvino.opset13 as ops

        self.ops, self.config, self.plan = ops, config, plan
        self.weights = {k: np.ascontiguousarray(v, np.float32) for k, v in weights.items()}

    def const(self, name):
        return self.ops.constant(self.weights[name], name=name)

    def dense(self, x, stem):
        # Kernels stored [out, in] (transpose_b), as the plugin's
        # FullyConnected wants them: no transpose at compile time.
        kernel = np.ascontiguousarray(self.weights[f"{stem}/kernel"].T)
        y = self.ops.matmul(x, self.ops.constant(kernel, name=f"{stem}/kernel"), False, True,
                            name=f"{stem}/matmul")
        return self.ops.add(y, self.const(f"{stem}/bias"))

    def layer_norm(self, x, stem):
        ops = self.ops
        y = ops.mvn(x, ops.constant(np.array([-1], np.int64)), True,
                    float(self.config.layer_norm_epsilon), "inside_sqrt")
        return ops.add(ops.multiply(y, self.const(f"{stem}/gamma")), self.const(f"{stem}/beta"))

    def activation(self, x):
        kind, mode = ACTIVATIONS[self.config.hidden_act]
        if kind == "gelu":
            return self.ops.gelu(x, mode)
        return getattr(self.ops, kind)(x)

    def embeddings(self, ids, type_ids):
        ops, pad = self.ops, self.plan["position_pad_id"]
        axis0 = ops.constant(np.int64(0))
        x = ops.add(ops.gather(self.const("embeddings/word_embeddings"), ids, axis0),
                    ops.gather(self.const("embeddings/token_type_embeddings"), type_ids, axis0))
        if pad is None:
            seq = ops.gather(ops.shape_of(ids), ops.constant(np.int64(1)), axis0)
            positions = ops.range(ops.constant(np.int64(0)), seq, ops.constant(np.int64(1)),
                                  "i64")
        else:  # fairseq: real tokens count from pad + 1; pad tokens get pad
            real = ops.convert(ops.not_equal(ids, ops.constant(np.int32(pad))), "i32")
            positions = ops.add(ops.multiply(ops.cumsum(real, ops.constant(np.int64(1))), real),
                                ops.constant(np.int32(pad)))
        x = ops.add(x, ops.gather(self.const("embeddings/position_embeddings"), positions, axis0))
        x = self.layer_norm(x, "embeddings/LayerNorm")
        if self.plan["projects"]:
            x = self.dense(x, "embeddings/projection")
        return x

    def attention(self, x, stem, key_mask):
        ops, c = self.ops, self.config
        split = ops.constant(np.array([0, 0, c.num_heads, c.head_size], np.int64))
        perm = ops.constant(np.array([0, 2, 1, 3], np.int64))

        def heads(part):  # [B, S, H] -> [B, heads, S, head_size]
            return ops.transpose(ops.reshape(self.dense(x, f"{stem}/{part}"), split, True), perm)

        context = ops.scaled_dot_product_attention(heads("query"), heads("key"), heads("value"),
                                                   key_mask)
        merged = ops.reshape(ops.transpose(context, perm),
                             ops.constant(np.array([0, 0, c.hidden_size], np.int64)), True)
        return self.dense(merged, f"{stem}/attention_output")

    def block(self, x, k, key_mask):
        stem = f"layer_{k}"
        x = self.layer_norm(self.ops.add(x, self.attention(x, stem, key_mask)),
                            f"{stem}/attention_LayerNorm")
        ffn = self.dense(self.activation(self.dense(x, f"{stem}/intermediate")), f"{stem}/output")
        return self.layer_norm(self.ops.add(x, ffn), f"{stem}/output_LayerNorm")

    def model(self, head=None):
        """`head` None: encoder outputs; else {"pooling", "regression"}."""
        import openvino as ov

        ops = self.ops
        params = [ops.parameter(ov.PartialShape([-1, -1]), ov.Type.i32, name=k)
                  for k in INPUT_KEYS]
        for p in params:
            p.output(0).get_tensor().set_names({p.get_friendly_name()})
        ids, mask, type_ids = params
        # [B, 1, 1, S] boolean: padded keys are left out of every attention.
        key_mask = ops.unsqueeze(ops.convert(mask, "boolean"),
                                 ops.constant(np.array([1, 2], np.int64)))
        x = self.embeddings(ids, type_ids)
        for layer in self.plan["schedule"]:
            for k in layer:
                x = self.block(x, k, key_mask)
        mask_f = ops.unsqueeze(ops.convert(mask, "f32"), ops.constant(np.int64(-1)))
        axis1 = ops.constant(np.array([1], np.int64))
        count = ops.maximum(ops.reduce_sum(mask_f, axis1, False), ops.constant(np.float32(1e-9)))
        mean = ops.divide(ops.reduce_sum(ops.multiply(x, mask_f), axis1, False), count)
        cls = ops.gather(x, ops.constant(np.int64(0)), ops.constant(np.int64(1)))
        pooled = ops.tanh(self.dense(cls, "pooler")) if self.plan["pooler"] else cls
        if head is None:
            outputs = {"sequence_output": x, "pooled_output": pooled,
                       "embedding": ops.normalize_l2(mean, ops.constant(np.array([-1], np.int64)),
                                                     1e-12, "max")}
        else:
            logits = self.dense(pooled if head["pooling"] == "cls" else mean, "classifier")
            if head["regression"]:
                outputs = {"score": ops.reshape(logits, ops.constant(np.array([-1], np.int64)),
                                                False)}
            else:
                outputs = {"logits": logits, "probabilities": ops.softmax(logits, -1)}
        results = []
        for name, node in outputs.items():
            result = ops.result(node, name=name)
            result.input_value(0).get_tensor().set_names({name})
            results.append(result)
        return ov.Model(results, params, "bert_keras")

