"""Accuracy benchmark for NER: the embedded MiniLM fine-tuned on CoNLL-2003
train, entity F1 (exact span and type, micro, as conlleval / seqeval) on dev
and test; then the Hugging Face PyTorch peer (`bench/hf_ner_peer.py`, same
model, data, labels-on-first-sub-word and recipe) in its own process, when
that script is there and torch is installed.

    python bench/accuracy_ner.py                           # full recipe (takes a while on CPU)
    python bench/accuracy_ner.py --max-train-examples 300  # a quick check that it all runs

Recipe (both sides): --epochs 3 --lr 5e-5 --batch-size 32 --max-seq-length 128
--precision bf16 (each overridable). Prints

    RESULT ner ours dev_f1=.. test_f1=.. train_examples_per_s=.. ...
    RESULT ner hf precision=bf16 dev_f1=.. test_f1=.. ...     (the peer's own line)

Data: ../shared/data/CoNLL-2003 (or $BERT_KERAS_SHARED_DATA); work
directories under $BENCH_OUT (default /tmp/bert_keras_bench). Not a CI test.
"""

import argparse
import importlib.util
import os
import subprocess
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)
DATA = os.environ.get("BERT_KERAS_SHARED_DATA", os.path.join(REPO, "..", "shared", "data"))
OUT = os.environ.get("BENCH_OUT", "/tmp/bert_keras_bench")
PEER = os.path.join(REPO, "bench", "hf_ner_peer.py")


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", default="minilm-l6-h384-uncased")
    p.add_argument("--epochs", type=float, default=3)
    p.add_argument("--lr", type=float, default=5e-5)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--max-seq-length", type=int, default=128)
    p.add_argument("--precision", choices=["bf16", "fp32"], default="bf16")
    p.add_argument("--max-train-examples", type=int, help="first N training sentences")
    p.add_argument("--max-eval-examples", type=int, help="first N dev / test sentences")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-peer", action="store_true", help="skip the Hugging Face peer")
    return p.parse_args(argv)


def first_sentences(path, n, out):
    """`path` cut to its first `n` sentences (a CoNLL file of word and tag)."""
    from bert_keras.data.conll import read_conll

    if not n:
        return path
    with open(out, "w", encoding="utf-8") as f:
        for s in read_conll(path)[:n]:
            f.write("".join(f"{w} {t}\n" for w, t in zip(s.words, s.tags)) + "\n")
    return out


def run_ours(args):
    from bert_keras.tasks.token_classification import load_token_classifier
    from bert_keras.training.finetune import FinetuneOptions, finetune

    conll = os.path.join(DATA, "CoNLL-2003")
    work = os.path.join(OUT, f"ner-{args.max_train_examples or 'all'}-{args.precision}")
    os.makedirs(OUT, exist_ok=True)
    dev = first_sentences(os.path.join(conll, "dev.txt"), args.max_eval_examples,
                          work + "-dev.txt")
    test = first_sentences(os.path.join(conll, "test.txt"), args.max_eval_examples,
                           work + "-test.txt")
    options = FinetuneOptions(
        epochs=args.epochs, learning_rate=args.lr, batch_size=args.batch_size,
        max_seq_length=args.max_seq_length, precision=args.precision, seed=args.seed,
        max_train_examples=args.max_train_examples, overwrite=True, tensorboard=False)
    started = time.time()
    result = finetune(args.model, "conll2003", os.path.join(conll, "train.txt"), dev, work,
                      options, log=lambda m: print(m, file=sys.stderr, flush=True))
    ner = load_token_classifier(work, batch_size=64)
    t0 = time.time()
    dev_scores = ner.evaluate(dev)
    test_scores = ner.evaluate(test)
    eval_seconds = time.time() - t0
    per_type = " ".join(f"test_{k}={v:.2f}" for k, v in test_scores["per_type"].items())
    print(f"RESULT ner ours precision={args.precision} dev_f1={dev_scores['f1']:.2f} "
          f"test_f1={test_scores['f1']:.2f} "
          f"train_examples_per_s={result.get('examples_per_second')} "
          f"train_examples={result['run']['train_examples']} steps={result['total_steps']} "
          f"best_step={result['best']['step']} {per_type} eval_seconds={eval_seconds:.1f} "
          f"seconds={time.time() - started:.0f}", flush=True)


def run_peer(args):
    if args.no_peer:
        return
    if not os.path.isfile(PEER):
        print(f"note: {PEER} not found: no Hugging Face peer run", file=sys.stderr)
        return
    if importlib.util.find_spec("torch") is None:
        print("note: torch is not installed: no Hugging Face peer run", file=sys.stderr)
        return
    cmd = [sys.executable, PEER, "--epochs", str(args.epochs), "--lr", str(args.lr),
           "--batch-size", str(args.batch_size), "--max-seq-length", str(args.max_seq_length),
           "--precision", args.precision, "--seed", str(args.seed)]
    if args.max_train_examples:
        cmd += ["--max-train-examples", str(args.max_train_examples)]
    if args.max_eval_examples:
        cmd += ["--max-eval-examples", str(args.max_eval_examples)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    for line in lines:
        print(line, flush=True)
    if proc.returncode != 0 or not lines:
        print(f"note: the peer failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}",
              file=sys.stderr)


def main(argv=None):
    args = parse_args(argv)
    # Our side in this process; the peer after it in its own (TensorFlow's and
    # PyTorch's thread pools slow each other).
    run_ours(args)
    run_peer(args)


if __name__ == "__main__":
    main()
