"""QA accuracy benchmark: MiniLM fine-tuned on SQuAD v1.1, ours and Hugging
Face PyTorch's with the same recipe, each in its own process.

    python bench/accuracy_qa.py                      # full: 5,696 train / 4,874 eval questions
    python bench/accuracy_qa.py --max-train-examples 200 --max-eval-examples 100   # a quick look

Trains on `../shared/data/SQuAD/train-split-v1.1.json` and evaluates on
`eval-split-v1.1.json` (the SQuAD v1.1 dev set split by article; see
SOURCES.md: not comparable with published SQuAD dev numbers, only with
another run on the same split) with the official v1.1 exact match and F1.
Recipe (both sides, overridable): `--epochs 2 --lr 1e-4 --batch-size 32
--max-seq-length 384 --doc-stride 128 --precision bf16`, AdamW with 10%
warmup then linear decay, max answer length 30, n-best 20. Prints

    RESULT qa ours precision=bf16 exact_match=.. f1=.. train_examples_per_s=.. ...

then runs `bench/hf_qa_peer.py` (when that file exists and torch and
transformers import) with the same flags and prints its `RESULT qa hf ...`
line. `train_examples_per_s` counts training windows on both sides. Work
directories go under $BENCH_OUT (default /tmp/bert_keras_bench). Not a CI
test: the full run takes hours on a CPU.
"""

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.environ.get("BERT_KERAS_SHARED_DATA", os.path.join(REPO, "..", "shared", "data"))
OUT = os.environ.get("BENCH_OUT", "/tmp/bert_keras_bench")
MINILM = "minilm-l6-h384-uncased"
PEER = os.path.join(REPO, "bench", "hf_qa_peer.py")
RECIPE = ("epochs", "lr", "batch_size", "max_seq_length", "doc_stride", "precision",
          "max_train_examples", "max_eval_examples", "seed")


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--epochs", type=float, default=2)
    p.add_argument("--lr", type=float, default=1e-4)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--max-seq-length", type=int, default=384)
    p.add_argument("--doc-stride", type=int, default=128)
    p.add_argument("--precision", choices=["bf16", "fp32"], default="bf16")
    p.add_argument("--max-train-examples", type=int, help="first N training questions")
    p.add_argument("--max-eval-examples", type=int, help="first N eval questions")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--train", default=os.path.join(DATA, "SQuAD", "train-split-v1.1.json"))
    p.add_argument("--eval", default=os.path.join(DATA, "SQuAD", "eval-split-v1.1.json"))
    p.add_argument("--threads", type=int, help="passed to the peer (--threads)")
    p.add_argument("--peer", default=PEER, help="the peer script (default: %(default)s)")
    p.add_argument("--no-peer", action="store_true", help="run ours only")
    p.add_argument("--peer-only", action="store_true", help="run the Hugging Face peer only")
    p.add_argument("--overwrite", action="store_true", help="retrain (default: resume/report)")
    return p.parse_args(argv)


def ours(args):
    sys.path.insert(0, REPO)
    from bert_keras.data.squad import read_squad
    from bert_keras.data.tasks import get_task
    from bert_keras.training.finetune import FinetuneOptions, finetune

    name = (f"qa-minilm-{args.precision}-n{args.max_train_examples or 'all'}"
            f"-e{args.max_eval_examples or 'all'}")
    out = os.path.join(OUT, name)
    evaluate = read_squad(args.eval).examples[:args.max_eval_examples]
    task = get_task("squad").with_settings(doc_stride=args.doc_stride)
    options = FinetuneOptions(
        epochs=args.epochs, learning_rate=args.lr, batch_size=args.batch_size,
        max_seq_length=args.max_seq_length, precision=args.precision, seed=args.seed,
        max_train_examples=args.max_train_examples, overwrite=args.overwrite, verbose=2,
        checkpoint_every=200)
    started = time.time()
    result = finetune(MINILM, task, args.train, evaluate, out, options)
    best = result.get("best") or {}
    metrics = best.get("metrics", {})
    run = result.get("run", {})
    print(f"RESULT qa ours precision={args.precision} "
          f"exact_match={metrics.get('exact_match', float('nan')):.2f} "
          f"f1={metrics.get('f1', float('nan')):.2f} "
          f"train_examples_per_s={result.get('examples_per_second')} "
          f"train_questions={run.get('train_examples')} eval_questions={len(evaluate)} "
          f"steps={result.get('global_step')} seconds={time.time() - started:.0f}", flush=True)
    print("RESULT " + json.dumps({"run": name, "best": best, "recipe": {
        k: getattr(args, k) for k in RECIPE}}), flush=True)


def peer(args):
    if not os.path.isfile(args.peer):
        print(f"peer: {args.peer} not found; skipped", flush=True)
        return
    missing = [m for m in ("torch", "transformers") if importlib.util.find_spec(m) is None]
    if missing:
        print(f"peer: {', '.join(missing)} not installed; skipped", flush=True)
        return
    flags = []
    for key in RECIPE + ("threads",):
        value = getattr(args, key)
        if value is not None:
            flags += ["--" + key.replace("_", "-"), str(value)]
    flags += ["--train", args.train, "--eval", args.eval]
    done = subprocess.run([sys.executable, args.peer, *flags], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": REPO})
    results = [line for line in done.stdout.splitlines() if line.startswith("RESULT")]
    for line in results:
        print(line, flush=True)
    if done.returncode != 0 or not results:
        print(f"peer failed (exit {done.returncode}):\n{done.stderr[-3000:]}", flush=True)


def main(argv=None):
    args = parse_args(argv)
    if not args.peer_only:
        ours(args)
    if not args.no_peer:
        peer(args)


if __name__ == "__main__":
    main()
