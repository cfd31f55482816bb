"""Inference throughput, strings -> pooled vectors, on SST-2 dev; every row
runs in its own process (TensorFlow's and PyTorch's thread pools in one
process slow each other down several-fold), ratios computed in the driver:

  * bert_keras `BertEncoder`: fixed length 128 and dynamic length with
    length-sorted batches; fp32 and `mixed_bfloat16`; a `tf.function` graph,
    with and without XLA (`jit_compile=True`, lengths rounded up to a
    multiple of 16 so only a few shapes compile);
  * keras-hub `BertBackbone.from_preset(<MiniLM HF dir>)` + its
    `BertTextClassifierPreprocessor` at fixed length 128;
  * Hugging Face PyTorch `BertModel` (fp32 and bf16 autocast, length-sorted
    dynamic padding) when torch and transformers are importable;

all with the same weights (the embedded MiniLM, L6/H384), plus tokenization
throughput: our `BertTokenizer` vs keras-hub's `BertTokenizer` vs HF
`tokenizers`.

Every timed pass runs end to end: raw strings in, tokenization, packing
(sorting by length where the row says so), the model, pooled vectors out
in the original order. Each row is warmed up on every input shape it will
see first, so tracing and XLA compilation are not timed. The `max|diff|`
column is the largest difference of the pooled vectors from bert_keras fp32.

    python bench/bench_inference.py            # all 872 sentences
    python bench/bench_inference.py --limit 256 --skip torch

A run on the shared 2-core CPU, made BEFORE rows ran in their own processes
(so the HF PyTorch rows below are far under their real speed; see
bench/bench_serving.py for a fair, per-process comparison) (AVX512-BF16,
load average ~8 from other jobs, so wall times are several times below an idle machine's; the process
CPU-time column is steadier; torch suffers most from the sharing):

    pipeline                                 sent/s  sent/cpu-s  max|diff|
    bert_keras fp32 dynamic sorted            136.1       218.7    0.0e+00
    bert_keras fp32 dynamic sorted XLA         80.7       178.4    3.4e-07
    bert_keras bf16 dynamic sorted            106.3       202.3    2.8e-03
    bert_keras bf16 dynamic sorted XLA         73.5       148.2    2.5e-03
    bert_keras fp32 fixed 128                  18.5        41.5    3.1e-07
    bert_keras fp32 fixed 128 XLA              14.6        38.4    3.1e-07
    keras-hub BertBackbone fp32 fixed 128      17.3        35.6    1.6e-01
    HF PyTorch BertModel fp32 dynamic sorted   19.3        42.9    3.3e-07
    HF PyTorch BertModel bf16 dynamic sorted    9.8        25.2    2.0e-03

    tokenizer (872 sentences, one batch)     sent/s
    bert_keras BertTokenizer, tf.function     49986
    bert_keras BertTokenizer, eager            9959
    keras-hub BertTokenizer, tf.function      56379
    keras-hub BertTokenizer, eager             3255
    HF tokenizers BertWordPiece               10343

Dynamic length with length-sorted batches is the big win (~7x keras-hub
at fixed 128). XLA was slower in every measurement on this CPU, and
mixed_bfloat16 no faster than fp32 (TF's bf16 matmul alone is ~1.8x fp32
here, but the casts around fp32 softmax/LayerNorm eat it), so the default
is a plain fp32 `tf.function`.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_DATA = os.environ.get("BERT_KERAS_SHARED_DATA", os.path.join(REPO, "..", "shared", "data"))
MAX_LEN = 128


def load_sst2_dev(data_dir, limit):
    path = os.path.join(data_dir, "SST-2", "dev.tsv")
    if not os.path.isfile(path):
        sys.exit(f"error: SST-2 dev not found at {path} (use --data DIR)")
    with open(path, encoding="utf-8") as f:
        rows = f.read().splitlines()[1:]
    sentences = [r.split("\t")[0] for r in rows if r.strip()]
    return sentences[:limit] if limit else sentences


def bucket(length, multiple):
    return min(MAX_LEN, -(-length // multiple) * multiple)


def batches(lengths, batch_size, sort):
    """Index batches; by increasing length when `sort` (less padding)."""
    order = np.argsort(lengths, kind="stable") if sort else np.arange(len(lengths))
    return order, [order[i:i + batch_size] for i in range(0, len(order), batch_size)]


def timed(fn, repeats=1):
    """Best wall time of `repeats` calls (the CPU may be shared), the process
    CPU time of that call, and its result."""
    best, cpu, out = float("inf"), None, None
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        out = fn()
        wall = time.perf_counter() - start
        if wall < best:
            best, cpu = wall, time.process_time() - start_cpu
    return best, cpu, out


# --------------------------------------------------------------------------
# bert_keras
# --------------------------------------------------------------------------
class OursPipeline:
    """strings -> pooled vectors with our tokenizer, packer and encoder.

    All sentences are tokenized in one call (that gives the lengths to sort
    by); each batch of ragged ids is then packed and encoded in graph mode.
    Without XLA, packing and encoding are one `tf.function` over
    `[None, None]` shapes (packing eagerly costs ~20 ms a batch). XLA cannot
    compile ragged packing, so there the packer is its own graph and the
    encoder is compiled per (batch, length) shape.
    """

    def __init__(self, model, dtype, dynamic, xla, batch_size):
        import tensorflow as tf

        from bert_keras.checkpoints.loading import build_encoder, build_tokenizer
        from bert_keras.tokenization.packer import BertPacker

        self.tf = tf
        self.tokenizer = build_tokenizer(model)
        ids = self.tokenizer.special_tokens_dict()
        packer = BertPacker(MAX_LEN, ids["start_of_sequence_id"], ids["end_of_segment_id"],
                            ids["padding_id"], dynamic_length=dynamic)
        encoder = self.encoder = build_encoder(model, dtype=dtype)
        self.dynamic, self.xla, self.batch_size = dynamic, xla, batch_size
        spec = tf.RaggedTensorSpec([None, None], tf.int32, ragged_rank=1,
                                   row_splits_dtype=tf.int64)
        if xla:
            self.pack = tf.function(packer.__call__, input_signature=[spec])
            self.encode = tf.function(
                lambda x: encoder(x, training=False)["pooled_output"], jit_compile=True)
        else:
            self.pack_and_encode = tf.function(
                lambda ids: encoder(packer(ids), training=False)["pooled_output"],
                input_signature=[spec])

    def _padded(self, ids):
        # XLA compiles one program per shape: round lengths up to a multiple
        # of 16 and fill the last batch, so a pass sees at most 8 shapes.
        tf = self.tf
        x = self.pack(ids)
        length, rows = int(x["token_ids"].shape[1]), int(x["token_ids"].shape[0])
        pad = [[0, self.batch_size - rows], [0, bucket(length, 16) - length]]
        return {k: tf.pad(v, pad) for k, v in x.items()}

    def _run(self, ids):
        if self.xla:
            return self.encode(self._padded(ids))
        return self.pack_and_encode(ids)

    def plan(self, sentences):
        tf = self.tf
        tokens = self.tokenizer.tokenize(tf.constant(sentences))
        tokens = tokens.with_row_splits_dtype(tf.int64)
        lengths = tokens.row_lengths().numpy()
        return tokens, batches(lengths, self.batch_size, sort=self.dynamic)

    def __call__(self, sentences):
        tf = self.tf
        tokens, (order, index_batches) = self.plan(sentences)
        outs = [np.asarray(self._run(tf.gather(tokens, idx)), dtype=np.float32)[:len(idx)]
                for idx in index_batches]
        return np.concatenate(outs)[np.argsort(order)]

    def warm_up(self, sentences):
        tf = self.tf
        tokens, (_, index_batches) = self.plan(sentences)
        if not self.xla:  # one trace serves every shape
            self._run(tf.gather(tokens, index_batches[0]))
            return
        seen = set()
        for idx in index_batches:
            x = self._padded(tf.gather(tokens, idx))
            shape = tuple(x["token_ids"].shape)
            if shape not in seen:
                seen.add(shape)
                self.encode(x)


# --------------------------------------------------------------------------
# keras-hub
# --------------------------------------------------------------------------
class KerasHubPipeline:
    def __init__(self, hf_dir, batch_size):
        import keras_hub
        import tensorflow as tf

        self.backbone = keras_hub.models.BertBackbone.from_preset(hf_dir)
        tokenizer = keras_hub.tokenizers.BertTokenizer.from_preset(hf_dir)
        self.preprocessor = keras_hub.models.BertTextClassifierPreprocessor(
            tokenizer, sequence_length=MAX_LEN)
        backbone = self.backbone
        self.fn = tf.function(lambda x: backbone(x, training=False)["pooled_output"],
                              reduce_retracing=True)
        self.batch_size = batch_size

    def __call__(self, sentences):
        outs = []
        for i in range(0, len(sentences), self.batch_size):
            x = self.preprocessor(sentences[i:i + self.batch_size])
            outs.append(np.asarray(self.fn(x), dtype=np.float32))
        return np.concatenate(outs)

    def warm_up(self, sentences):
        self.fn(self.preprocessor(sentences[:self.batch_size]))


# --------------------------------------------------------------------------
# Hugging Face PyTorch
# --------------------------------------------------------------------------
class TorchPipeline:
    def __init__(self, hf_dir, bf16, batch_size):
        import torch
        import transformers
        from transformers import BertModel, BertTokenizerFast

        transformers.logging.set_verbosity_error()  # its tokenizer.pad() hint
        self.torch = torch
        self.model = BertModel.from_pretrained(hf_dir).eval()
        self.tokenizer = BertTokenizerFast.from_pretrained(hf_dir)
        self.bf16, self.batch_size = bf16, batch_size

    def __call__(self, sentences):
        torch = self.torch
        encoded = self.tokenizer(sentences, truncation=True, max_length=MAX_LEN)
        lengths = np.array([len(ids) for ids in encoded["input_ids"]])
        order, index_batches = batches(lengths, self.batch_size, sort=True)
        outs = []
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16,
                                                    enabled=self.bf16):
            for idx in index_batches:
                batch = self.tokenizer.pad(
                    {k: [encoded[k][i] for i in idx] for k in encoded}, return_tensors="pt")
                pooled = self.model(**batch).pooler_output
                outs.append(pooled.float().numpy())
        return np.concatenate(outs)[np.argsort(order)]

    def warm_up(self, sentences):
        self(sentences[:self.batch_size])


# --------------------------------------------------------------------------
# Tokenizers
# --------------------------------------------------------------------------
def bench_tokenizers(model, hf_dir, sentences, repeats):
    """Rows (name, sentences/s). TF tokenizers run eagerly and as a
    `tf.function` (as inside `tf.data`), which is much faster for both."""
    import tensorflow as tf

    from bert_keras.checkpoints.loading import build_tokenizer

    rows = []
    strings = tf.constant(sentences)
    spec = [tf.TensorSpec([None], tf.string)]

    def add(name, fn):
        fn()
        dt, _, out = timed(fn, repeats)
        rows.append((name, len(sentences) / dt))
        return out

    ours = build_tokenizer(model)
    ours_graph = tf.function(ours.tokenize, input_signature=spec)
    ids_ours = add("bert_keras BertTokenizer, tf.function", lambda: ours_graph(strings))
    add("bert_keras BertTokenizer, eager", lambda: ours.tokenize(strings))
    try:
        import keras_hub

        theirs = keras_hub.tokenizers.BertTokenizer.from_preset(hf_dir)
        theirs_graph = tf.function(lambda x: theirs(x), input_signature=spec)
        add("keras-hub BertTokenizer, tf.function", lambda: theirs_graph(strings))
        add("keras-hub BertTokenizer, eager", lambda: theirs(strings))
    except Exception as e:  # noqa: BLE001 - a missing competitor is not fatal
        print(f"  (keras-hub tokenizer skipped: {e})")
    try:
        from tokenizers import BertWordPieceTokenizer

        hf = BertWordPieceTokenizer(os.path.join(hf_dir, "vocab.txt"), lowercase=True)
        enc = add("HF tokenizers BertWordPiece",
                  lambda: hf.encode_batch(sentences, add_special_tokens=False))
        same = sum(a == e.ids for a, e in zip(ids_ours.to_list(), enc))
        print(f"  tokenization: {same}/{len(sentences)} sentences id-for-id equal to HF tokenizers")
    except ImportError as e:
        print(f"  (HF tokenizers skipped: {e})")
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=872, help="number of SST-2 dev sentences")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--data", default=DEFAULT_DATA, help="the shared data folder")
    parser.add_argument("--repeats", type=int, default=1,
                        help="timed passes per row (the best is reported)")
    parser.add_argument("--skip", nargs="*", default=[],
                        choices=["fixed", "bf16", "xla", "keras-hub", "torch", "tokenizers"],
                        help="leave out groups of rows")
    parser.add_argument("--row", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--outdir", help=argparse.SUPPRESS)
    parser.add_argument("--tokenizers-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    import tensorflow as tf

    from bert_keras.checkpoints.builtin import DEFAULT_MODEL, resolve_builtin
    from bert_keras.checkpoints.convert import read_any

    sentences = load_sst2_dev(args.data, args.limit)
    hf_dir = resolve_builtin(DEFAULT_MODEL)
    model = read_any(DEFAULT_MODEL)
    if args.tokenizers_only:
        return tokenizers_main(args, model, hf_dir, sentences)
    print(f"SST-2 dev: {len(sentences)} sentences; model {DEFAULT_MODEL} "
          f"(L{model.config.num_layers}/H{model.config.hidden_size}); batch {args.batch_size}; "
          f"TF {tf.__version__}, {os.cpu_count()} CPUs")

    skip = set(args.skip)
    bs = args.batch_size
    specs = [("bert_keras fp32 dynamic sorted", lambda: OursPipeline(model, None, True, False, bs))]
    if "xla" not in skip:
        specs.append(("bert_keras fp32 dynamic sorted XLA",
                      lambda: OursPipeline(model, None, True, True, bs)))
    if "bf16" not in skip:
        specs.append(("bert_keras bf16 dynamic sorted",
                      lambda: OursPipeline(model, "mixed_bfloat16", True, False, bs)))
        if "xla" not in skip:
            specs.append(("bert_keras bf16 dynamic sorted XLA",
                          lambda: OursPipeline(model, "mixed_bfloat16", True, True, bs)))
    if "fixed" not in skip:
        specs.append(("bert_keras fp32 fixed 128", lambda: OursPipeline(model, None, False, False, bs)))
        if "xla" not in skip:
            specs.append(("bert_keras fp32 fixed 128 XLA",
                          lambda: OursPipeline(model, None, False, True, bs)))
    if "keras-hub" not in skip:
        specs.append(("keras-hub BertBackbone fp32 fixed 128 *", lambda: KerasHubPipeline(hf_dir, bs)))
    if "torch" not in skip:
        specs.append(("HF PyTorch BertModel fp32 dynamic sorted",
                      lambda: TorchPipeline(hf_dir, False, bs)))
        specs.append(("HF PyTorch BertModel bf16 dynamic sorted",
                      lambda: TorchPipeline(hf_dir, True, bs)))

    if args.row is not None:  # a worker: one row, in this process
        name, make = specs[args.row]
        start = time.perf_counter()
        try:
            pipeline = make()
        except ImportError as e:
            print(f"  {name}: skipped ({e})")
            return 0
        pipeline.warm_up(sentences)
        setup = time.perf_counter() - start
        dt, cpu, pooled = timed(lambda: pipeline(sentences), args.repeats)
        np.save(os.path.join(args.outdir, f"row{args.row}.npy"), pooled)
        print("ROW " + json.dumps({"name": name, "speed": len(sentences) / dt,
                                   "cpu_speed": len(sentences) / cpu, "setup": setup}))
        return 0

    # The driver: every row in its own process (TensorFlow's and PyTorch's
    # thread pools in one process slow each other down several-fold).
    rows = []  # (name, sentences/s, sentences per CPU second, max|diff|)
    reference = None
    with tempfile.TemporaryDirectory() as outdir:
        for i, (name, _) in enumerate(specs):
            cmd = [sys.executable, os.path.abspath(__file__), "--row", str(i), "--outdir", outdir,
                   "--limit", str(args.limit), "--batch-size", str(bs), "--data", args.data,
                   "--repeats", str(args.repeats), "--skip", *args.skip]
            done = subprocess.run(cmd, capture_output=True, text=True)
            lines = [l for l in done.stdout.splitlines() if l.startswith("ROW ")]
            if done.returncode != 0 or not lines:
                print(f"  {name}: failed or skipped {done.stdout.strip()[-200:]} "
                      f"{done.stderr.strip()[-300:]}")
                continue
            r = json.loads(lines[-1][4:])
            pooled = np.load(os.path.join(outdir, f"row{i}.npy"))
            if reference is None:
                reference = pooled
            diff = float(np.abs(pooled - reference).max())
            rows.append((name, r["speed"], r["cpu_speed"], diff))
            print(f"  {name:44s} {r['speed']:8.1f} sentences/s  max|diff| {diff:.1e}  "
                  f"(setup+warm-up {r['setup']:.0f}s, own process)", flush=True)

    print("\nstrings -> pooled vectors (end to end, incl. tokenization); "
          "sent/cpu-s = sentences per second of process CPU time")
    labels = {"keras-hub": "vs keras-hub", "HF PyTorch BertModel fp32": "vs HF fp32",
              "HF PyTorch BertModel bf16": "vs HF bf16"}
    baselines = [(label, r[1]) for r in rows for key, label in labels.items()
                 if r[0].startswith(key)]
    header = f"{'pipeline':46s} {'sent/s':>8s} {'sent/cpu-s':>10s} {'max|diff|':>9s}"
    header += "".join(f" {label:>12s}" for label, _ in baselines)
    print(header)
    for name, speed, cpu_speed, diff in rows:
        line = f"{name:46s} {speed:8.1f} {cpu_speed:10.1f} {diff:9.1e}"
        line += "".join(f" {speed / base:11.2f}x" for _, base in baselines)
        print(line)
    if any(r[0].startswith("keras-hub") for r in rows):
        print("* keras-hub's converter uses tanh-GELU although MiniLM was trained with exact "
              "GELU, hence its max|diff|.")

    if "tokenizers" not in skip and not args.tokenizers_only:
        # In its own process too (TF and the Rust tokenizers' thread pools).
        cmd = [sys.executable, os.path.abspath(__file__), "--tokenizers-only", "--limit",
               str(args.limit), "--data", args.data, "--repeats", str(args.repeats)]
        print(subprocess.run(cmd, capture_output=True, text=True).stdout, end="")
    return 0


def tokenizers_main(args, model, hf_dir, sentences):
    print("\ntokenization (a batch of all sentences, no special tokens)")
    tok_rows = bench_tokenizers(model, hf_dir, sentences, max(3, args.repeats))
    base = {n: s for n, s in tok_rows}
    print(f"{'tokenizer':46s} {'sent/s':>10s} {'vs keras-hub':>13s} {'vs HF':>8s}"
          "   (vs keras-hub = vs its tf.function row)")
    for name, speed in tok_rows:
        kh = base.get("keras-hub BertTokenizer, tf.function")
        hf = base.get("HF tokenizers BertWordPiece")
        print(f"{name:46s} {speed:10.0f} "
              f"{(f'{speed / kh:12.2f}x' if kh else '           -'):>13s} "
              f"{(f'{speed / hf:7.2f}x' if hf else '      -'):>8s}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
