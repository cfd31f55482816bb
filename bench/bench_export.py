"""Throughput of the exported TF-Hub SavedModels, strings -> pooled vectors,
on SST-2 dev, in one run with the in-memory Keras model and keras-hub:

  * hub.load(preprocess) + hub.load(encoder), trainable and frozen forms,
    fixed length 128 (the preprocess root call);
  * the same trainable export with `preprocess.tokenize` +
    `preprocess.bert_pack_inputs(seq_length=<longest in batch>)` on
    length-sorted batches (the runtime `seq_length` argument);
  * bert_keras in memory: `BertPreprocessor(128)` + `BertEncoder` in a
    `tf.function`;
  * keras-hub `BertBackbone` + `BertTextClassifierPreprocessor(128)` from the
    same checkpoint (the embedded MiniLM, L6/H384).

Each row is warmed up first (tracing is not timed); `max|diff|` is the
largest difference of its pooled vectors from bert_keras in memory
(keras-hub's is ~0.1: its BERT uses tanh-GELU where MiniLM was trained with
the exact one). Measured on a shared 2-core CPU, 872 sentences:

    pipeline                               sent/s   cpu s  max|diff|
    bert_keras in memory, len 128            12.9    24.8   0.00e+00
    SavedModel trainable, len 128            15.8    20.9   2.83e-07
    SavedModel frozen, len 128               18.6    23.4   2.98e-07
    SavedModel trainable, dynamic len        24.1    13.0   2.83e-07
    keras-hub BertBackbone, len 128          14.8    23.5   1.59e-01

(load average ~9: wall times are inflated; `cpu s`, the process CPU time,
is steadier). Also reports export time and SavedModel sizes.

    python bench/bench_export.py              # all 872 sentences
    python bench/bench_export.py --limit 256
"""

import argparse
import os
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)
DEFAULT_DATA = os.environ.get("BERT_KERAS_SHARED_DATA", os.path.join(REPO, "..", "shared", "data"))
SEQ_LENGTH = 128

from bench_inference import load_sst2_dev  # noqa: E402  (bench/ is on sys.path)


def dir_mb(path):
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(path) for f in fs) / 1e6


def run_batches(fn, sentences, batch_size):
    return np.concatenate([np.asarray(fn(sentences[i:i + batch_size]), np.float32)
                           for i in range(0, len(sentences), batch_size)])


def hub_fixed(export_dir):
    import tensorflow as tf
    import tensorflow_hub as hub

    preprocess = hub.load(os.path.join(export_dir, "preprocess"))
    encoder = hub.load(os.path.join(export_dir, "encoder"))
    return lambda batch: encoder(preprocess(tf.constant(batch)))["pooled_output"]


def hub_dynamic(export_dir, batch_size):
    """Length-sorted batches packed to the longest sentence of each batch."""
    import tensorflow as tf
    import tensorflow_hub as hub

    preprocess = hub.load(os.path.join(export_dir, "preprocess"))
    encoder = hub.load(os.path.join(export_dir, "encoder"))

    def run(sentences):
        tokens = preprocess.tokenize(tf.constant(sentences))
        lengths = tokens.merge_dims(-2, -1).row_lengths().numpy()
        order = np.argsort(lengths, kind="stable")
        outs = []
        for i in range(0, len(order), batch_size):
            idx = order[i:i + batch_size]
            length = int(min(SEQ_LENGTH, lengths[idx].max() + 2))
            x = preprocess.bert_pack_inputs([tf.gather(tokens, idx)],
                                            seq_length=tf.constant(length))
            outs.append(encoder(x)["pooled_output"].numpy())
        return np.concatenate(outs)[np.argsort(order)]
    return run


def keras_in_memory(model_src):
    import tensorflow as tf

    import bert_keras

    encoder = bert_keras.BertEncoder.from_pretrained(model_src)
    pre = bert_keras.BertPreprocessor.from_pretrained(model_src, sequence_length=SEQ_LENGTH)
    fn = tf.function(lambda x: encoder(x, training=False)["pooled_output"], reduce_retracing=True)
    return lambda batch: fn(pre(tf.constant(batch)))


def keras_hub_backbone(hf_dir):
    import keras_hub
    import tensorflow as tf

    backbone = keras_hub.models.BertBackbone.from_preset(hf_dir)
    tokenizer = keras_hub.tokenizers.BertTokenizer.from_preset(hf_dir)
    pre = keras_hub.models.BertTextClassifierPreprocessor(tokenizer, sequence_length=SEQ_LENGTH)
    fn = tf.function(lambda x: backbone(x, training=False)["pooled_output"], reduce_retracing=True)
    return lambda batch: fn(pre(batch))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=0, help="first N sentences (0: all)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--export-dir", help="reuse/keep exports here (default: a temp dir)")
    args = parser.parse_args()

    import tensorflow as tf

    import bert_keras
    from bert_keras.checkpoints.builtin import resolve_builtin
    from bert_keras.export import export_hub

    sentences = load_sst2_dev(args.data, args.limit)
    base = args.export_dir or tempfile.mkdtemp(prefix="bench_export-")
    exports = {}
    for form in ("trainable", "frozen"):
        out = os.path.join(base, form)
        start = time.perf_counter()
        if not os.path.isfile(os.path.join(out, "encoder", "saved_model.pb")):
            export_hub(bert_keras.DEFAULT_MODEL, out, seq_length=SEQ_LENGTH,
                       frozen=form == "frozen", overwrite=True, verbose=False)
            took = f"{time.perf_counter() - start:.1f}s"
        else:
            took = "reused"
        exports[form] = out
        print(f"export {form:9s}: {took:>7s}  preprocess {dir_mb(os.path.join(out, 'preprocess')):.1f} MB"
              f"  encoder {dir_mb(os.path.join(out, 'encoder')):.1f} MB", flush=True)

    rows = [
        ("bert_keras in memory, len 128", lambda: keras_in_memory(bert_keras.DEFAULT_MODEL), False),
        ("SavedModel trainable, len 128", lambda: hub_fixed(exports["trainable"]), False),
        ("SavedModel frozen, len 128", lambda: hub_fixed(exports["frozen"]), False),
        ("SavedModel trainable, dynamic len",
         lambda: hub_dynamic(exports["trainable"], args.batch_size), True),
        ("keras-hub BertBackbone, len 128",
         lambda: keras_hub_backbone(resolve_builtin(bert_keras.DEFAULT_MODEL)), False),
    ]
    print(f"\n{len(sentences)} SST-2 dev sentences, batch {args.batch_size}, "
          f"TF {tf.__version__}, load average {os.getloadavg()[0]:.1f}")
    print(f"{'pipeline':36s} {'sent/s':>8s} {'cpu s':>7s} {'max|diff|':>10s}")
    reference = None
    for name, build, whole in rows:
        fn = build()
        if whole:
            run = lambda: fn(sentences)  # noqa: E731
            fn(sentences[:args.batch_size * 2])
        else:
            run = lambda: run_batches(fn, sentences, args.batch_size)  # noqa: E731
            fn(sentences[:args.batch_size])
        start, cpu = time.perf_counter(), time.process_time()
        pooled = run()
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        if reference is None:
            reference = pooled
        diff = float(np.abs(pooled - reference).max())
        print(f"{name:36s} {len(sentences) / wall:8.1f} {cpu:7.1f} {diff:10.2e}", flush=True)


if __name__ == "__main__":
    main()
