"""Fine-tuning speed (training examples/s) on the same SST-2 slice, MiniLM
(L6 H384), batch 32, in one run:

    ours-fp32 / ours-bf16        bert_keras: length bucketing + dynamic padding
    ours-bf16-xla                (with --xla) the same, XLA-compiled, padded to multiples of 16
    kerashub-fp32 / kerashub-bf16  keras-hub BertTextClassifier.fit, fixed length 128
    hf-fp32 / hf-bf16            HF PyTorch BertForSequenceClassification, dynamic
                                 padding (DataCollatorWithPadding), bf16 autocast;
                                 skipped when torch/transformers are not importable

    python bench/bench_finetune.py [--rows 1600] [--warmup 5] [--configs ours-bf16 hf-bf16 ...]

Each configuration runs in its own process (so TF and PyTorch thread pools
do not fight), trains `--rows` examples in order after `--warmup` untimed
steps, and prints `RESULT {...}`; a table follows. Speed only: accuracy is
in bench/accuracy_glue.py.
"""

import argparse
import json
import os
import subprocess
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.environ.get("BERT_KERAS_SHARED_DATA", os.path.join(REPO, "..", "shared", "data"))
BATCH = 32
CONFIGS = ["ours-fp32", "ours-bf16", "kerashub-fp32", "kerashub-bf16", "hf-fp32", "hf-bf16"]


def sst2_slice(rows):
    from bert_keras.data.tasks import get_task

    examples = get_task("sst2").read(os.path.join(DATA, "SST-2", "train.tsv"))
    return examples.take(range(rows))


class StepTimer:
    """Times steps after the first `warmup` (tracing, compilation)."""

    def __init__(self, warmup):
        self.warmup, self.times = warmup, []

    def step_end(self):
        self.times.append(time.perf_counter())

    def examples_per_second(self, batch_sizes):
        t = self.times
        if len(t) <= self.warmup + 1:
            raise RuntimeError("not enough steps to time")
        timed = batch_sizes[self.warmup + 1:len(t)]
        return sum(timed) / (t[-1] - t[self.warmup])


def keras_timer_callback(timer):
    import keras

    class Cb(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            timer.step_end()
    return Cb()


def run_ours(rows, warmup, precision, xla=False):
    import keras
    import numpy as np

    from bert_keras.checkpoints.convert import read_any
    from bert_keras.models.factory import build_encoder
    from bert_keras.tokenization.factory import build_tokenizer
    from bert_keras.tasks.classifier import build_classifier
    from bert_keras.training import batching
    from bert_keras.training.optimizer import create_optimizer

    examples = sst2_slice(rows + warmup * BATCH)
    base = read_any("minilm-l6-h384-uncased")
    enc = batching.encode(examples, build_tokenizer(base), 128)
    ds = batching.train_dataset(enc, BATCH, 128, seed=0, pad_to_bucket=xla)
    sizes = [int(y.shape[0]) for _, y in ds]
    keras.utils.set_random_seed(0)
    model = build_classifier(build_encoder(base, "mixed_bfloat16" if precision == "bf16" else None), 2)
    model.compile(optimizer=create_optimizer(5e-5, len(sizes)),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"], jit_compile=xla)
    timer = StepTimer(warmup)
    model.fit(ds, epochs=1, verbose=0, callbacks=[keras_timer_callback(timer)])
    mean_len = float(np.mean(enc.lengths))
    return timer.examples_per_second(sizes), {"mean_tokens": round(mean_len, 1)}


def run_kerashub(rows, warmup, precision):
    import keras
    import keras_hub
    import tensorflow as tf

    from bert_keras.checkpoints.builtin import resolve_builtin

    if precision == "bf16":
        keras.mixed_precision.set_global_policy("mixed_bfloat16")
    examples = sst2_slice(rows + warmup * BATCH)
    vocab = os.path.join(resolve_builtin("minilm-l6-h384-uncased"), "vocab.txt")
    tokenizer = keras_hub.models.BertTokenizer(vocabulary=vocab, lowercase=True)
    preprocessor = keras_hub.models.BertTextClassifierPreprocessor(tokenizer, sequence_length=128)
    # Same architecture as MiniLM; weights do not change the speed.
    backbone = keras_hub.models.BertBackbone(
        vocabulary_size=30522, num_layers=6, num_heads=12, hidden_dim=384,
        intermediate_dim=1536, max_sequence_length=512)
    classifier = keras_hub.models.BertTextClassifier(backbone, 2, preprocessor=preprocessor)
    classifier.compile(optimizer=keras.optimizers.AdamW(5e-5),
                       loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                       metrics=["accuracy"])
    ds = tf.data.Dataset.from_tensor_slices((examples.text_a, examples.labels)).batch(BATCH)
    sizes = [BATCH] * (len(examples) // BATCH) + ([len(examples) % BATCH] if len(examples) % BATCH else [])
    timer = StepTimer(warmup)
    classifier.fit(ds, epochs=1, verbose=0, callbacks=[keras_timer_callback(timer)])
    return timer.examples_per_second(sizes), {"sequence_length": 128}


def run_hf(rows, warmup, precision):
    import torch
    from transformers import (AutoTokenizer, BertForSequenceClassification,
                              DataCollatorWithPadding)

    from bert_keras.checkpoints.builtin import resolve_builtin

    torch.manual_seed(0)
    path = resolve_builtin("minilm-l6-h384-uncased")
    examples = sst2_slice(rows + warmup * BATCH)
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = BertForSequenceClassification.from_pretrained(path, num_labels=2)
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=5e-5, weight_decay=0.01)
    collate = DataCollatorWithPadding(tokenizer)
    encoded = tokenizer(examples.text_a, truncation=True, max_length=128)
    timer, sizes = StepTimer(warmup), []
    for start in range(0, len(examples), BATCH):
        features = [{"input_ids": encoded["input_ids"][i],
                     "token_type_ids": encoded["token_type_ids"][i],
                     "attention_mask": encoded["attention_mask"][i],
                     "labels": examples.labels[i]}
                    for i in range(start, min(start + BATCH, len(examples)))]
        batch = collate(features)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=precision == "bf16"):
            loss = model(**batch).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        optimizer.zero_grad()
        sizes.append(len(features))
        timer.step_end()
    return timer.examples_per_second(sizes), {"torch_threads": torch.get_num_threads()}


def run_one(name, rows, warmup):
    family, precision, *rest = name.split("-")
    if family == "ours":
        return run_ours(rows, warmup, precision, xla="xla" in rest)
    if family == "kerashub":
        return run_kerashub(rows, warmup, precision)
    if family == "hf":
        return run_hf(rows, warmup, precision)
    raise ValueError(f"unknown configuration {name!r}")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, default=1600, help="timed training examples")
    p.add_argument("--warmup", type=int, default=5, help="untimed steps first")
    p.add_argument("--configs", nargs="+", default=CONFIGS)
    p.add_argument("--xla", action="store_true", help="also run ours-bf16-xla")
    p.add_argument("--one", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.one:
        speed, info = run_one(args.one, args.rows, args.warmup)
        print("RESULT " + json.dumps({"config": args.one, "examples_per_s": round(speed, 1),
                                      "batch_size": BATCH, "timed_rows": args.rows, **info}),
              flush=True)
        return 0
    configs = list(args.configs) + (["ours-bf16-xla"] if args.xla else [])
    results = []
    for name in configs:
        if name.startswith("hf-"):
            try:
                import torch  # noqa: F401
                import transformers  # noqa: F401
            except ImportError:
                print(f"skip {name}: torch/transformers not importable", flush=True)
                continue
        cmd = [sys.executable, os.path.abspath(__file__), "--one", name,
               "--rows", str(args.rows), "--warmup", str(args.warmup)]
        out = subprocess.run(cmd, capture_output=True, text=True)
        line = [l for l in out.stdout.splitlines() if l.startswith("RESULT ")]
        if out.returncode or not line:
            print(f"{name}: FAILED\n{out.stderr[-1500:]}", flush=True)
            continue
        print(line[0], flush=True)
        results.append(json.loads(line[0][7:]))
    print(f"\n{'config':<16} {'examples/s':>10}   (MiniLM L6-H384, batch {BATCH}, SST-2 "
          f"train rows, {args.rows} timed after {args.warmup} warm-up steps)")
    speed = {r["config"]: r["examples_per_s"] for r in results}
    for r in results:
        family, precision = r["config"].split("-")[:2]
        ratios = ""
        if family == "ours":
            ratios = "   " + "  ".join(
                f"{speed[r['config']] / speed[f'{other}-{precision}']:.2f}x {other}-{precision}"
                for other in ("kerashub", "hf") if f"{other}-{precision}" in speed)
        print(f"{r['config']:<16} {r['examples_per_s']:>10.1f}{ratios}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
