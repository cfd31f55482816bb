"""Pretrain a tiny BERT on WikiText-2 (valid + test, ~2.4 MB) and show that
it learns: masked-LM loss falls, masked-LM accuracy beats always guessing
the most frequent token, next-sentence accuracy is well above 50%.

    python bench/pretrain_wikitext.py [--steps 2000] [--batch-size 32]

Articles (` = Title = ` lines) are documents; the last 10% of them are held
out and scored before and after training with fixed masks.
"""

import argparse
import collections
import json
import os
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)
DATA = os.environ.get("BERT_KERAS_SHARED_DATA", os.path.join(REPO, "..", "shared", "data"))


def evaluate(model, dataset):
    logs = model.evaluate(dataset, verbose=0, return_dict=True)
    return {k: round(float(v), 4) for k, v in logs.items()}


def most_frequent_token_accuracy(dataset):
    """Accuracy of always predicting the most frequent masked token of the
    evaluation set itself (an upper bound for any constant guess)."""
    counts = collections.Counter()
    total = 0
    for _, y, w in dataset:
        ids = y["mlm"].numpy()[w["mlm"].numpy() > 0]
        counts.update(ids.tolist())
        total += len(ids)
    token, count = counts.most_common(1)[0]
    return token, count / total


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seq-length", type=int, default=128)
    parser.add_argument("--vocab-size", type=int, default=8000)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--config", default="tiny")
    parser.add_argument("--precision", default="fp32")
    parser.add_argument("--checkpoint-every", type=int, default=250)
    args = parser.parse_args()

    import keras

    from bert_keras.data.pretraining import (
        pretraining_dataset, read_documents, write_documents)
    from bert_keras.training.pretrain import build_optimizer, pretrain

    files = [os.path.join(DATA, "corpus", "wikitext-2", n) for n in ("valid.txt", "test.txt")]
    documents = read_documents(files, "wikitext")
    n_eval = max(2, len(documents) // 10)
    train_docs, eval_docs = documents[:-n_eval], documents[-n_eval:]
    work = tempfile.mkdtemp(prefix="pretrain-wikitext-")
    train_file = os.path.join(work, "train.txt")
    write_documents(train_docs, train_file)
    print(f"WikiText-2 valid+test: {len(documents)} articles, "
          f"{sum(map(len, documents))} sentences; train {len(train_docs)} / held out {n_eval}")

    class Curve(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            step = int(self.model.optimizer.iterations.numpy())  # one fit per checkpoint
            print(f"  step {step:5d}: " + " ".join(
                f"{k}={logs[k]:.4f}" for k in ("mlm_loss", "mlm_accuracy", "nsp_loss",
                                              "nsp_accuracy")), flush=True)

    start = time.time()
    result = pretrain(
        [train_file], os.path.join(work, "model"), config=args.config,
        vocab_size=args.vocab_size, steps=args.steps, batch_size=args.batch_size,
        seq_length=args.seq_length, learning_rate=args.lr, precision=args.precision,
        checkpoint_every=args.checkpoint_every, doc_format="bert", verbose=0,
        callbacks=[Curve()])
    seconds = time.time() - start
    model, tokenizer = result["model"], result["tokenizer"]

    eval_ds = pretraining_dataset(eval_docs, tokenizer, batch_size=args.batch_size,
                                  seq_length=args.seq_length, seed=7, repeat=False,
                                  drop_remainder=False).cache()
    list(eval_ds)  # fix the masks once (cache), so both evaluations see the same
    token, baseline = most_frequent_token_accuracy(eval_ds)
    trained = evaluate(model, eval_ds)

    keras.utils.set_random_seed(0)
    from bert_keras.tasks.pretrainer import BertPretrainer

    untrained = BertPretrainer(result["config"])
    untrained.compile(build_optimizer(1e-4, 10, 1))
    initial = evaluate(untrained, eval_ds)

    history = result["history"]
    summary = {
        "config": args.config, "vocab_size": result["vocab_size"], "steps": result["steps"],
        "batch_size": args.batch_size, "seq_length": args.seq_length,
        "train_seconds": round(seconds, 1),
        "examples_per_second": round(result["steps"] * args.batch_size / seconds, 1),
        "train_mlm_loss_first_interval": round(history["mlm_loss"][0], 4),
        "train_mlm_loss_last_interval": round(history["mlm_loss"][-1], 4),
        "heldout_untrained": initial, "heldout_trained": trained,
        "heldout_most_frequent_token": tokenizer.id_to_token(int(token)),
        "heldout_most_frequent_token_accuracy": round(baseline, 4),
    }
    print(json.dumps(summary, indent=1))
    ok = (trained["mlm_loss"] < initial["mlm_loss"] - 1.0
          and trained["mlm_accuracy"] > baseline
          and trained["nsp_accuracy"] > 0.6)
    print(f"held-out MLM loss {initial['mlm_loss']:.3f} -> {trained['mlm_loss']:.3f}; "
          f"MLM accuracy {trained['mlm_accuracy']:.3f} vs most-frequent-token "
          f"{baseline:.3f}; NSP accuracy {trained['nsp_accuracy']:.3f} (chance 0.5): "
          + ("PASS" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
