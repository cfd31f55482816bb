"""An independent BERT forward pass in numpy (float64), for checking
converted checkpoints.

Written from the math of google-research/bert `modeling.py` and
`run_pretraining.py`, reading weights by their ORIGINAL TF1 names
(`bert/encoder/layer_0/attention/self/query/kernel`, ...). It shares no code
with `bert_keras`: a conversion bug cannot cancel out against itself.

    weights = load_tf1_checkpoint(ckpt_dir)          # or tf1_names_from_hf(state)
    bert = NumpyBert(weights, config_dict)
    seq, pooled = bert.encode(token_ids, segment_ids, padding_mask)
    mlm_logits = bert.mlm_logits(seq, positions)
    nsp_logits = bert.nsp_logits(pooled)
"""

import math

import numpy as np

_ERF = np.vectorize(math.erf)


def gelu_tanh(x):
    """google-research/bert `modeling.gelu` (the tanh approximation)."""
    return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def gelu_erf(x):
    """The exact GELU (Hugging Face's "gelu")."""
    return 0.5 * x * (1.0 + _ERF(x / math.sqrt(2.0)))


ACTIVATIONS = {"gelu_tanh": gelu_tanh, "gelu_erf": gelu_erf,
               "relu": lambda x: np.maximum(x, 0.0), "tanh": np.tanh}


def layer_norm(x, gamma, beta, eps=1e-12):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * gamma + beta


def softmax(x):
    x = x - x.max(-1, keepdims=True)
    e = np.exp(x)
    return e / e.sum(-1, keepdims=True)


class NumpyBert:
    """BERT in float64 numpy from TF1-named weights.

    `activation` is one of `ACTIVATIONS` ("gelu_tanh" for Google
    checkpoints, "gelu_erf" for Hugging Face's "gelu").
    """

    def __init__(self, weights, num_layers, num_heads, activation, eps=1e-12):
        self.w = {k: np.asarray(v, dtype=np.float64) for k, v in weights.items()}
        self.num_layers = num_layers
        self.num_heads = num_heads
        self.act = ACTIVATIONS[activation]
        self.eps = eps

    def _dense(self, x, scope):
        return x @ self.w[scope + "/kernel"] + self.w[scope + "/bias"]

    def _ln(self, x, scope):
        return layer_norm(x, self.w[scope + "/gamma"], self.w[scope + "/beta"], self.eps)

    def encode(self, token_ids, segment_ids, padding_mask):
        """-> (sequence_output [B, L, H], pooled_output [B, H])."""
        token_ids = np.asarray(token_ids)
        batch, length = token_ids.shape
        w = self.w
        x = (w["bert/embeddings/word_embeddings"][token_ids]
             + w["bert/embeddings/token_type_embeddings"][np.asarray(segment_ids)]
             + w["bert/embeddings/position_embeddings"][:length][None])
        x = self._ln(x, "bert/embeddings/LayerNorm")
        # modeling.py: adder = (1 - mask) * -10000 on the attention scores.
        adder = (1.0 - np.asarray(padding_mask, np.float64))[:, None, None, :] * -10000.0
        hidden = x.shape[-1]
        heads, size = self.num_heads, hidden // self.num_heads

        def split(t):
            return t.reshape(batch, length, heads, size).transpose(0, 2, 1, 3)

        for i in range(self.num_layers):
            p = f"bert/encoder/layer_{i}/"
            q = split(self._dense(x, p + "attention/self/query"))
            k = split(self._dense(x, p + "attention/self/key"))
            v = split(self._dense(x, p + "attention/self/value"))
            probs = softmax(q @ k.transpose(0, 1, 3, 2) / math.sqrt(size) + adder)
            context = (probs @ v).transpose(0, 2, 1, 3).reshape(batch, length, hidden)
            attn = self._ln(self._dense(context, p + "attention/output/dense") + x,
                            p + "attention/output/LayerNorm")
            inter = self.act(self._dense(attn, p + "intermediate/dense"))
            x = self._ln(self._dense(inter, p + "output/dense") + attn, p + "output/LayerNorm")
        pooled = np.tanh(self._dense(x[:, 0], "bert/pooler/dense"))
        return x, pooled

    def mlm_logits(self, sequence_output, positions):
        """`cls/predictions`: gather, dense + act + LayerNorm, then the
        transposed word embeddings plus `output_bias`. -> [B, P, V]."""
        positions = np.asarray(positions)
        h = np.take_along_axis(np.asarray(sequence_output, np.float64),
                               positions[:, :, None], axis=1)
        h = self._ln(self.act(self._dense(h, "cls/predictions/transform/dense")),
                     "cls/predictions/transform/LayerNorm")
        return (h @ self.w["bert/embeddings/word_embeddings"].T
                + self.w["cls/predictions/output_bias"])

    def nsp_logits(self, pooled_output):
        """`cls/seq_relationship`: output_weights is [2, H]. -> [B, 2]."""
        return (np.asarray(pooled_output, np.float64)
                @ self.w["cls/seq_relationship/output_weights"].T
                + self.w["cls/seq_relationship/output_bias"])


def load_tf1_checkpoint(prefix):
    """All float tensors of a TF1 checkpoint, by name."""
    import tensorflow as tf

    reader = tf.train.load_checkpoint(prefix)
    out = {}
    for name in reader.get_variable_to_shape_map():
        value = reader.get_tensor(name)
        if np.asarray(value).dtype.kind == "f":
            out[name] = np.asarray(value)
    return out


def tf1_names_from_hf(state):
    """Hugging Face BERT state dict -> TF1-named weights (torch Linear weights
    are [out, in]: transposed to TF kernels)."""
    tf1 = {}
    for key, value in state.items():
        value = np.asarray(value)
        name = key[len("bert."):] if key.startswith("bert.") else key
        if name in ("embeddings.position_ids", "cls.predictions.decoder.weight",
                    "cls.predictions.decoder.bias"):
            continue
        if name == "cls.predictions.bias":
            tf1["cls/predictions/output_bias"] = value
            continue
        if name.startswith("cls.seq_relationship."):
            leaf = "output_weights" if name.endswith("weight") else "output_bias"
            tf1["cls/seq_relationship/" + leaf] = value
            continue
        parts = name.split(".")
        leaf = parts[-1]
        path = "/".join(parts[:-1]).replace("encoder/layer/", "encoder/layer_")
        if "LayerNorm" in path:
            leaf = {"weight": "gamma", "bias": "beta"}.get(leaf, leaf)
        elif path.startswith("embeddings"):
            leaf = None  # word/position/token_type tables: no leaf name
        elif leaf == "weight":
            leaf, value = "kernel", value.T
        if not path.startswith("cls"):
            path = "bert/" + path
        tf1[path + ("/" + leaf if leaf else "")] = value
    return tf1
