"""Accuracy benchmark: fine-tuning that converges, on real GLUE / CLUE data.

    python bench/accuracy_glue.py sst2        # MiniLM, full SST-2 train -> dev accuracy (target >= 88)
    python bench/accuracy_glue.py mrpc        # MiniLM, MRPC -> dev F1 (target >= 85)
    python bench/accuracy_glue.py cola        # MiniLM, CoLA -> dev MCC (target >= 30)
    python bench/accuracy_glue.py scratch     # tiny BERT, no pretraining, vocab from SST-2 train
    python bench/accuracy_glue.py tnews       # Chinese vocab, TNEWS dev split 8k/2k (seed 0)
    python bench/accuracy_glue.py all

Each run prints one `RESULT {...}` JSON line. Data: ../shared/data (or
$BERT_KERAS_SHARED_DATA). Work directories go under $BENCH_OUT (default
/tmp/bert_keras_bench). Not a CI test: it takes minutes to an hour.
"""

import argparse
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.environ.get("BERT_KERAS_SHARED_DATA", os.path.join(REPO, "..", "shared", "data"))
OUT = os.environ.get("BENCH_OUT", "/tmp/bert_keras_bench")
MINILM = "minilm-l6-h384-uncased"


def data(*parts):
    return os.path.join(DATA, *parts)


def report(name, result, target=None, extra=None):
    best = result["best"]
    line = {"run": name, "metric": best["metric"], "value": best["value"],
            "dev_metrics": best["metrics"], "best_step": best["step"],
            "steps": result["run"]["total_steps"],
            "train_examples": result["run"]["train_examples"],
            "train_examples_per_s": result.get("examples_per_second"),
            "target": target, **(extra or {})}
    if target is not None:
        line["meets_target"] = best["value"] >= target
    print("RESULT " + json.dumps(line), flush=True)
    return line


def run_minilm(name, task, train, dev, target, **kw):
    from bert_keras.training.finetune import FinetuneOptions, finetune

    options = FinetuneOptions(**{"verbose": 2, "precision": "bf16", **kw})
    t = time.time()
    result = finetune(MINILM, task, train, dev, os.path.join(OUT, name), options)
    return report(name, result, target, {"precision": options.precision,
                                         "lr": options.learning_rate,
                                         "epochs": options.epochs,
                                         "wall_s": round(time.time() - t)})


def sst2(args):
    return run_minilm("minilm-sst2", "sst2", data("SST-2", "train.tsv"), data("SST-2", "dev.tsv"),
                      88.0, epochs=args.epochs or 1, learning_rate=args.lr or 5e-5,
                      eval_every=500, checkpoint_every=300, overwrite=args.overwrite)


def mrpc(args):
    return run_minilm("minilm-mrpc", "mrpc", data("MRPC", "train.tsv"), data("MRPC", "dev.tsv"),
                      85.0, epochs=args.epochs or 4, learning_rate=args.lr or 8e-5,
                      overwrite=args.overwrite)


def cola(args):
    return run_minilm("minilm-cola", "cola", data("CoLA", "train_plus_val_reconstructed.tsv"),
                      data("CoLA", "dev.tsv"), 30.0, epochs=args.epochs or 5,
                      learning_rate=args.lr or 5e-5, batch_size=16, eval_every=250,
                      overwrite=args.overwrite)


def scratch(args):
    """The seed tutorial's setting: vocab trained on the task data, random
    weights, no pretraining; compared with the majority-class baseline."""
    from bert_keras.config import BertConfig
    from bert_keras.data.tasks import get_task
    from bert_keras.tokenization import train_vocab
    from bert_keras.training.finetune import FinetuneOptions, finetune
    from bert_keras.training.scratch import random_model_dir

    task = get_task("sst2")
    train = task.read(data("SST-2", "train.tsv"))
    dev = task.read(data("SST-2", "dev.tsv"))
    vocab = train_vocab(train.text_a, 8000)
    config = BertConfig.preset("tiny", vocab_size=len(vocab))
    md = random_model_dir(config, vocab)
    majority = 100.0 * max(sum(dev.labels), len(dev) - sum(dev.labels)) / len(dev)
    options = FinetuneOptions(epochs=args.epochs or 2, learning_rate=args.lr or 5e-4,
                              batch_size=64, verbose=2, eval_every=500,
                              overwrite=args.overwrite, precision="fp32")
    result = finetune(md, task, train, dev, os.path.join(OUT, "scratch-sst2"), options)
    return report("scratch-tiny-sst2", result, None,
                  {"majority_baseline": round(majority, 2), "vocab_size": len(vocab),
                   "config": "tiny (2 layers, hidden 128), no pretraining"})


def tnews(args):
    """TNEWS with the Chinese vocab, split dev.json 8k/2k with seed 0: a tiny
    model from scratch (no Chinese corpus beyond these 10k titles is here).
    A converted Chinese Google checkpoint goes through the same code: pass
    its model directory to `bert-keras finetune --task tnews`."""
    import numpy as np

    from bert_keras.config import BertConfig
    from bert_keras.data.tasks import get_task
    from bert_keras.tokenization import load_vocab
    from bert_keras.training.finetune import FinetuneOptions, finetune
    from bert_keras.training.scratch import random_model_dir

    task = get_task("tnews")
    rows = task.read(data("TNEWS", "dev.json"))
    order = np.random.default_rng(0).permutation(len(rows))
    train, dev = rows.take(order[:8000]), rows.take(order[8000:])
    vocab = load_vocab(data("vocab", "chinese_L-12_H-768_A-12", "vocab.txt"))
    config = BertConfig.preset("tiny", vocab_size=len(vocab))
    md = random_model_dir(config, vocab, lowercase=True)
    counts = np.bincount(dev.labels, minlength=task.num_classes)
    options = FinetuneOptions(epochs=args.epochs or 5, learning_rate=args.lr or 5e-4,
                              batch_size=32, max_seq_length=64, verbose=2,
                              overwrite=args.overwrite)
    result = finetune(md, task, train, dev, os.path.join(OUT, "tnews"), options)
    return report("scratch-tiny-tnews", result, None,
                  {"majority_baseline": round(100.0 * counts.max() / len(dev), 2),
                   "classes": task.num_classes, "split": "dev.json 8000/2000, seed 0"})


RUNS = {"sst2": sst2, "mrpc": mrpc, "cola": cola, "scratch": scratch, "tnews": tnews}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("runs", nargs="+", choices=list(RUNS) + ["all"])
    p.add_argument("--epochs", type=float)
    p.add_argument("--lr", type=float)
    p.add_argument("--overwrite", action="store_true", help="do not resume earlier runs")
    args = p.parse_args()
    names = list(RUNS) if "all" in args.runs else args.runs
    for name in names:
        print(f"=== {name} ===", flush=True)
        RUNS[name](args)


if __name__ == "__main__":
    sys.exit(main())
