"""Writes checkpoints the way google-research/bert did: a TF1 graph of
variables with the ORIGINAL names, saved with `tf.compat.v1.train.Saver`,
beside a `bert_config.json` and a `vocab.txt`.

    weights = random_tf1_weights(GOOGLE_CONFIG, heads=True)
    write_tf1_checkpoint(out_dir, GOOGLE_CONFIG, weights, vocab)
"""

import json
import os

import numpy as np

# A small original-format bert_config.json ("gelu" means tanh-GELU here).
GOOGLE_CONFIG = {
    "attention_probs_dropout_prob": 0.1,
    "hidden_act": "gelu",
    "hidden_dropout_prob": 0.1,
    "hidden_size": 64,
    "initializer_range": 0.02,
    "intermediate_size": 128,
    "max_position_embeddings": 40,
    "num_attention_heads": 4,
    "num_hidden_layers": 2,
    "type_vocab_size": 2,
    "vocab_size": 100,
}


def tf1_shapes(config, heads=True):
    """TF1 variable name -> shape, as `modeling.BertModel` and
    `run_pretraining.py` create them."""
    h, i, v = config["hidden_size"], config["intermediate_size"], config["vocab_size"]
    shapes = {
        "bert/embeddings/word_embeddings": (v, h),
        "bert/embeddings/token_type_embeddings": (config["type_vocab_size"], h),
        "bert/embeddings/position_embeddings": (config["max_position_embeddings"], h),
        "bert/embeddings/LayerNorm/gamma": (h,),
        "bert/embeddings/LayerNorm/beta": (h,),
        "bert/pooler/dense/kernel": (h, h),
        "bert/pooler/dense/bias": (h,),
    }
    for n in range(config["num_hidden_layers"]):
        p = f"bert/encoder/layer_{n}/"
        for dense, (din, dout) in (("attention/self/query", (h, h)),
                                   ("attention/self/key", (h, h)),
                                   ("attention/self/value", (h, h)),
                                   ("attention/output/dense", (h, h)),
                                   ("intermediate/dense", (h, i)),
                                   ("output/dense", (i, h))):
            shapes[p + dense + "/kernel"] = (din, dout)
            shapes[p + dense + "/bias"] = (dout,)
        for ln in ("attention/output/LayerNorm", "output/LayerNorm"):
            shapes[p + ln + "/gamma"] = (h,)
            shapes[p + ln + "/beta"] = (h,)
    if heads:
        shapes.update({
            "cls/predictions/transform/dense/kernel": (h, h),
            "cls/predictions/transform/dense/bias": (h,),
            "cls/predictions/transform/LayerNorm/gamma": (h,),
            "cls/predictions/transform/LayerNorm/beta": (h,),
            "cls/predictions/output_bias": (v,),
            "cls/seq_relationship/output_weights": (2, h),
            "cls/seq_relationship/output_bias": (2,),
        })
    return shapes


def random_tf1_weights(config, heads=True, seed=0):
    """Random weights, large enough (std ~0.2) that activations are O(1), so
    the choice of GELU and every bias matter at 1e-5."""
    rng = np.random.default_rng(seed)
    out = {}
    for name, shape in tf1_shapes(config, heads).items():
        if name.endswith("gamma"):
            value = 1.0 + 0.2 * rng.standard_normal(shape)
        elif name.endswith(("beta", "bias")):
            value = 0.1 * rng.standard_normal(shape)
        else:
            # Embedding tables std 0.2 keeps MLM logits (x @ word_embeddings.T)
            # around 1, so an absolute 1e-5 is a meaningful fp32 tolerance.
            scale = 0.2 if "embeddings" in name else 1.0 / np.sqrt(shape[0])
            value = scale * rng.standard_normal(shape)
        out[name] = value.astype(np.float32)
    return out


def tiny_vocab(size):
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    return specials + [f"tok{i}" for i in range(size - len(specials))]


def write_tf1_checkpoint(out_dir, config, weights, vocab=None, optimizer_slots=True,
                         prefix="bert_model.ckpt"):
    """Saves `weights` (TF1 name -> array) as `out_dir/bert_model.ckpt.*` with a
    TF1 Saver, plus `bert_config.json`, `vocab.txt`, Adam slots and
    `global_step` as pretraining checkpoints carry them."""
    import tensorflow as tf

    os.makedirs(out_dir, exist_ok=True)
    graph = tf.Graph()
    with graph.as_default():
        for name, value in weights.items():
            tf.compat.v1.get_variable(name, initializer=tf.constant(value), use_resource=False)
            if optimizer_slots and name.startswith("bert/encoder/layer_0/"):
                for slot in ("adam_m", "adam_v"):
                    tf.compat.v1.get_variable(
                        f"{name}/{slot}", initializer=tf.zeros(value.shape), use_resource=False)
        tf.compat.v1.train.get_or_create_global_step()
        saver = tf.compat.v1.train.Saver()
        with tf.compat.v1.Session(graph=graph) as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            saver.save(sess, os.path.join(out_dir, prefix), write_meta_graph=False)
    with open(os.path.join(out_dir, "bert_config.json"), "w") as f:
        json.dump(config, f, indent=2)
    vocab = vocab or tiny_vocab(config["vocab_size"])
    with open(os.path.join(out_dir, "vocab.txt"), "w") as f:
        f.write("\n".join(vocab) + "\n")
    return out_dir
