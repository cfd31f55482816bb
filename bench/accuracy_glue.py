"""Accuracy benchmark: fine-tuning that converges, on real GLUE / CLUE data.

    python bench/accuracy_glue.py sst2        # MiniLM, full SST-2 train -> dev accuracy (target >= 88)
    python bench/accuracy_glue.py mrpc        # MiniLM, MRPC -> dev F1 (target >= 85)
    python bench/accuracy_glue.py cola        # MiniLM, CoLA -> dev MCC (target >= 30)
    python bench/accuracy_glue.py scratch     # tiny BERT, no pretraining, vocab from SST-2 train
    python bench/accuracy_glue.py pretraining # what pretraining adds on SST-2: MiniLM random
                                              # init vs pretrained; tiny BERT pretrained by us
                                              # on WikiText-2 vs random (all / 2k labels)
    python bench/accuracy_glue.py tnews       # Chinese vocab, TNEWS dev split 8k/2k (seed 0):
                                              # tiny BERT from scratch and pretrained on TNEWS text
    python bench/accuracy_glue.py small       # SST-2, first 4,000 train rows, 1 epoch, full dev:
                                              # our default recipe vs HF PyTorch, same recipe,
                                              # each in its own process (HF when torch is installed)
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


def run_minilm(name, task, train, dev, target, args, **kw):
    from bert_keras.training.finetune import FinetuneOptions, finetune

    kw = {"verbose": 2, "precision": "bf16", **kw, "overwrite": args.overwrite}
    for key in ("epochs", "precision", "seed", "batch_size", "pooling"):
        if getattr(args, key) is not None:
            kw[key] = getattr(args, key)
    if args.lr is not None:
        kw["learning_rate"] = args.lr
    options = FinetuneOptions(**kw)
    t = time.time()
    result = finetune(MINILM, task, train, dev, os.path.join(OUT, name), options)
    return report(name, result, target, {"precision": options.precision,
                                         "lr": options.learning_rate,
                                         "epochs": options.epochs,
                                         "batch_size": options.batch_size,
                                         "seed": options.seed,
                                         "pooling": options.pooling,
                                         "wall_s": round(time.time() - t)})


def sst2(args):
    return run_minilm("minilm-sst2", "sst2", data("SST-2", "train.tsv"), data("SST-2", "dev.tsv"),
                      88.0, args, epochs=1, learning_rate=5e-5, eval_every=500,
                      checkpoint_every=300)


def mrpc(args):
    return run_minilm("minilm-mrpc", "mrpc", data("MRPC", "train.tsv"), data("MRPC", "dev.tsv"),
                      85.0, args, epochs=4, learning_rate=8e-5)


def cola(args):
    return run_minilm("minilm-cola", "cola", data("CoLA", "train_plus_val_reconstructed.tsv"),
                      data("CoLA", "dev.tsv"), 30.0, args, epochs=5, learning_rate=3e-5,
                      batch_size=16, eval_every=250)


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


def corpus_file(documents, name):
    """Documents written as a BERT-format corpus in a new temp dir."""
    import tempfile

    from bert_keras.data.pretraining import write_documents

    return write_documents(documents, os.path.join(tempfile.mkdtemp(), name))


def pretrain_tiny(name, corpus, args, **kw):
    """Pretrains a tiny BERT with `bert_keras.training.pretrain` (MLM + NSP);
    reuses an earlier result unless --overwrite."""
    from bert_keras.training.pretrain import pretrain

    out = os.path.join(OUT, name)
    if os.path.isfile(os.path.join(out, "bert_keras.json")) and not args.overwrite:
        print(f"reusing {out}", flush=True)
        return out
    kw = {"config": "tiny", "steps": args.pretrain_steps, "batch_size": 64,
          "learning_rate": 1e-3, "precision": "bf16", "doc_format": "bert",
          "checkpoint_every": 500, "verbose": 2, **kw}
    t = time.time()
    result = pretrain([corpus], out, overwrite=True, **kw)
    history = result["history"]
    print("PRETRAIN " + json.dumps({
        "model": name, "steps": result["steps"], "seconds": round(time.time() - t),
        **{f"last_{k}": round(v[-1], 4) for k, v in history.items()}}), flush=True)
    return out


def compare_pretraining(name, task, train, dev, models, options):
    """Fine-tunes each of `models` ({label: model dir}) with the same
    options; prints one RESULT line with every dev metric."""
    import numpy as np

    from bert_keras.training.finetune import finetune

    scores = {}
    for label, model in models.items():
        result = finetune(model, task, train, dev, os.path.join(OUT, f"{name}-{label}"), options)
        scores[label] = result["best"]["value"]
        print(f"{name} {label}: {result['best']}", flush=True)
    counts = np.bincount(np.asarray(dev.labels, "int64"))
    line = {"run": name, "metric": task.main_metric, "scores": scores,
            "train_examples": len(train),
            "majority_baseline": round(100.0 * counts.max() / len(dev), 2),
            "finetune": {"epochs": options.epochs, "lr": options.learning_rate,
                         "batch_size": options.batch_size}}
    print("RESULT " + json.dumps(line), flush=True)
    return line


def pretraining(args):
    """What pretraining adds, everything else equal, on SST-2:

    1. the MiniLM architecture and vocabulary, random weights vs the real
       pretrained checkpoint (same fine-tuning recipe as `sst2`);
    2. a tiny BERT (2 layers, hidden 128, 8k WordPiece vocab trained on
       WikiText-2), random weights vs pretrained with our MLM + NSP
       `pretrain` on WikiText-2 (valid + test, ~2 MB), fine-tuned on all of
       SST-2 and on 2,000 labelled examples."""
    import numpy as np

    from bert_keras.checkpoints.convert import read_any
    from bert_keras.checkpoints.convert import load_model_dir
    from bert_keras.data.pretraining import read_documents
    from bert_keras.data.tasks import get_task
    from bert_keras.training.finetune import FinetuneOptions
    from bert_keras.training.scratch import random_model_dir

    task = get_task("sst2")
    train = task.read(data("SST-2", "train.tsv"))
    dev = task.read(data("SST-2", "dev.tsv"))
    few = train.take(np.random.default_rng(0).permutation(len(train))[:2000])

    minilm = read_any(MINILM)
    minilm_random = random_model_dir(minilm.config, minilm.vocab,
                                     lowercase=minilm.tokenizer.lowercase)
    lines = [compare_pretraining(
        "minilm-sst2", task, train, dev, {"random-init": minilm_random, "pretrained": MINILM},
        FinetuneOptions(epochs=1, learning_rate=5e-5, batch_size=32, eval_every=500,
                        verbose=2, precision="bf16", overwrite=args.overwrite))]

    wiki = [data("corpus", "wikitext-2", n) for n in ("valid.txt", "test.txt")]
    corpus = corpus_file(read_documents(wiki, "wikitext"), "wikitext.txt")
    pretrained = pretrain_tiny("tiny-wikitext", corpus, args, vocab_size=8000)
    base = load_model_dir(pretrained)
    tiny = {"random-init": random_model_dir(base.config, base.vocab, lowercase=True),
            "pretrained-wikitext": pretrained}
    options = dict(learning_rate=args.lr or 2e-4, batch_size=64, verbose=2,
                   precision="bf16", overwrite=args.overwrite)
    lines.append(compare_pretraining(
        "tiny-sst2", task, train, dev, tiny,
        FinetuneOptions(epochs=args.epochs or 2, eval_every=500, **options)))
    lines.append(compare_pretraining(
        "tiny-sst2-2k", task, few, dev, tiny, FinetuneOptions(epochs=10, **options)))
    return lines


def _half_split(sentence):
    """A title as two "sentences" (at the punctuation nearest its middle, or
    the middle), so next-sentence prediction has true continuations."""
    middle = len(sentence) // 2
    cuts = [i + 1 for i, c in enumerate(sentence[:-1]) if c in "，,：:！!？?；; 、|"]
    cut = min(cuts, key=lambda i: abs(i - middle)) if cuts else middle
    halves = [sentence[:cut].strip(), sentence[cut:].strip()]
    return [h for h in halves if h] or [sentence]


def tnews(args):
    """TNEWS with the Chinese vocab, dev.json split 8k/2k (seed 0). A tiny
    BERT from scratch, and the same model pretrained (MLM + NSP) on the only
    Chinese text here: the 8k training titles and TNEWS' 10k unlabelled
    test titles (never the 2k scored ones). A converted Chinese Google
    checkpoint goes through the same code: pass its model directory to
    `bert-keras finetune --task tnews`."""
    import numpy as np

    from bert_keras.config import BertConfig
    from bert_keras.data.tasks import get_task
    from bert_keras.tokenization import load_vocab
    from bert_keras.training.finetune import FinetuneOptions
    from bert_keras.training.scratch import random_model_dir

    task = get_task("tnews")
    rows = task.read(data("TNEWS", "dev.json"))
    order = np.random.default_rng(0).permutation(len(rows))
    train, dev = rows.take(order[:8000]), rows.take(order[8000:])
    vocab_file = data("vocab", "chinese_L-12_H-768_A-12", "vocab.txt")
    vocab = load_vocab(vocab_file)
    with open(data("TNEWS", "test.json"), encoding="utf-8") as f:
        unlabelled = [json.loads(line)["sentence"] for line in f if line.strip()]
    corpus = corpus_file([_half_split(t) for t in list(train.text_a) + unlabelled],
                         "tnews-titles.txt")
    pretrained = pretrain_tiny("tiny-tnews-titles", corpus, args, vocab=vocab_file,
                               lowercase=True, seq_length=64, max_predictions_per_seq=10)
    scratch = random_model_dir(BertConfig.preset("tiny", vocab_size=len(vocab)), vocab,
                               lowercase=True)
    options = FinetuneOptions(epochs=args.epochs or 5, learning_rate=args.lr or 5e-4,
                              batch_size=32, max_seq_length=64, verbose=2, precision="bf16",
                              overwrite=args.overwrite)
    return compare_pretraining("tiny-tnews", task, train, dev,
                               {"scratch": scratch, "pretrained-tnews-titles": pretrained},
                               options)


SMALL_ROWS = 4000


def small(args):
    """Do the defaults hold where data is small? Each side in its own
    process (TF and PyTorch thread pools slow each other)."""
    import importlib.util
    import subprocess

    lines = {}
    sides = ["small-ours"] + (["small-hf"] if importlib.util.find_spec("torch") else [])
    for side in sides:
        cmd = [sys.executable, os.path.abspath(__file__), side] + (
            ["--overwrite"] if args.overwrite else [])
        proc = subprocess.run(cmd, capture_output=True, text=True)
        sys.stderr.write(proc.stderr[-2000:])
        found = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
        if proc.returncode or not found:
            print(f"{side} failed (exit {proc.returncode})", flush=True)
            continue
        print(found[-1], flush=True)
        lines[side] = json.loads(found[-1][len("RESULT "):])
    if len(lines) == 2:
        ours, hf = lines["small-ours"]["value"], lines["small-hf"]["value"]
        print("RESULT " + json.dumps({"run": "sst2-4k-defaults", "ours": ours, "hf": hf,
                                      "ours_minus_hf": round(ours - hf, 2)}), flush=True)


def small_ours(args):
    """Our default recipe (FinetuneOptions defaults), bf16."""
    return run_minilm("minilm-sst2-4k-defaults", "sst2", data("SST-2", "train.tsv"),
                      data("SST-2", "dev.tsv"), None, args, epochs=1,
                      max_train_examples=SMALL_ROWS)


def small_hf(args):
    """HF PyTorch BertForSequenceClassification, the same recipe as our
    defaults: AdamW lr 5e-5 (no decay on LayerNorm/bias, weight decay 0.01),
    10% linear warmup then linear decay, batch 32, clip 1.0, max length 128,
    bf16 autocast, 1 epoch over the same 4,000 rows, full dev."""
    import numpy as np
    import torch
    from transformers import (AutoTokenizer, BertForSequenceClassification,
                              DataCollatorWithPadding, get_linear_schedule_with_warmup)

    from bert_keras.checkpoints.builtin import resolve_builtin
    from bert_keras.data.tasks import get_task

    torch.manual_seed(0)
    task = get_task("sst2")
    train = task.read(data("SST-2", "train.tsv"))
    train = train.take(range(SMALL_ROWS))
    dev = task.read(data("SST-2", "dev.tsv"))
    path = resolve_builtin(MINILM)
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = BertForSequenceClassification.from_pretrained(path, num_labels=2)
    no_decay = ("bias", "LayerNorm.weight")
    groups = [{"params": [p for n, p in model.named_parameters()
                          if not n.endswith(no_decay)], "weight_decay": 0.01},
              {"params": [p for n, p in model.named_parameters()
                          if n.endswith(no_decay)], "weight_decay": 0.0}]
    optimizer = torch.optim.AdamW(groups, lr=5e-5, eps=1e-6)
    batch = 32
    steps = -(-len(train) // batch)
    schedule = get_linear_schedule_with_warmup(optimizer, int(round(0.1 * steps)), steps)
    collate = DataCollatorWithPadding(tokenizer)

    def features(examples, order):
        enc = tokenizer([examples.text_a[i] for i in order], truncation=True, max_length=128)
        return [{**{k: enc[k][j] for k in enc}, "labels": int(examples.labels[i])}
                for j, i in enumerate(order)]

    order = np.random.default_rng(0).permutation(len(train))
    model.train()
    started = time.time()
    for start in range(0, len(order), batch):
        inputs = collate(features(train, order[start:start + batch]))
        with torch.autocast("cpu", dtype=torch.bfloat16):
            loss = model(**inputs).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        optimizer.zero_grad()
    seconds = time.time() - started
    model.eval()
    correct = 0
    with torch.no_grad():
        for start in range(0, len(dev), 128):
            rows = list(range(start, min(start + 128, len(dev))))
            inputs = collate(features(dev, rows))
            labels = inputs.pop("labels")
            with torch.autocast("cpu", dtype=torch.bfloat16):
                logits = model(**inputs).logits
            correct += int((logits.argmax(-1) == labels).sum())
    value = round(100.0 * correct / len(dev), 2)
    print("RESULT " + json.dumps({
        "run": "hf-sst2-4k", "metric": "accuracy", "value": value, "steps": steps,
        "train_examples": len(train), "train_examples_per_s": round(len(train) / seconds, 1),
        "lr": 5e-5, "batch_size": batch, "warmup": 0.1, "epochs": 1, "precision": "bf16",
        "torch_threads": torch.get_num_threads()}), flush=True)


RUNS = {"sst2": sst2, "mrpc": mrpc, "cola": cola, "scratch": scratch,
        "pretraining": pretraining, "tnews": tnews, "small": small}
ONE_SIDE = {"small-ours": small_ours, "small-hf": small_hf}  # run by `small`


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("runs", nargs="+", choices=list(RUNS) + list(ONE_SIDE) + ["all"])
    p.add_argument("--epochs", type=float)
    p.add_argument("--lr", type=float)
    p.add_argument("--batch-size", type=int)
    p.add_argument("--seed", type=int)
    p.add_argument("--precision", choices=["fp32", "bf16"])
    p.add_argument("--pooling", choices=["cls", "mean"])
    p.add_argument("--pretrain-steps", type=int, default=4000,
                   help="pretraining steps of the tiny models (pretraining, tnews)")
    p.add_argument("--overwrite", action="store_true", help="do not resume earlier runs")
    args = p.parse_args()
    names = list(RUNS) if "all" in args.runs else args.runs
    for name in names:
        if name in ONE_SIDE:
            ONE_SIDE[name](args)
            continue
        print(f"=== {name} ===", flush=True)
        RUNS[name](args)


if __name__ == "__main__":
    sys.exit(main())
