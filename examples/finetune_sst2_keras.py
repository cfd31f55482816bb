"""Fine-tune BERT on SST-2 with plain Keras: a preprocessor mapped over a
`tf.data` pipeline, a classifier model, `model.fit`.

    python examples/finetune_sst2_keras.py \\
        --train ../shared/data/SST-2/train.tsv --dev ../shared/data/SST-2/dev.tsv \\
        --max-rows 2000 --epochs 1

Everything here is ordinary Keras: swap the optimizer, add callbacks, use a
`tf.distribute` strategy scope. (`bert-keras finetune` does the same with
length bucketing, resumable checkpoints and best-by-dev selection.)
"""

import argparse
import csv
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

import bert_keras  # noqa: E402
from bert_keras.tasks.classifier import build_classifier  # noqa: E402
from bert_keras.training.optimizer import create_optimizer  # noqa: E402


def read_sst2(path, max_rows=None):
    """SST-2 TSV: header `sentence<TAB>label`, no quoting."""
    with open(path, encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    rows = rows[:max_rows] if max_rows else rows
    return [r["sentence"] for r in rows], [int(r["label"]) for r in rows]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", default="minilm-l6-h384-uncased",
                   help="model directory, built-in name or checkpoint")
    p.add_argument("--train", required=True)
    p.add_argument("--dev", required=True)
    p.add_argument("--max-rows", type=int, help="use only the first N training rows")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=5e-5)
    p.add_argument("--sequence-length", type=int, default=128)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    keras.utils.set_random_seed(args.seed)  # head init, dropout, shuffle

    # Strings -> token ids, packed with [CLS]/[SEP]; padded per batch only.
    preprocessor = bert_keras.BertPreprocessor.from_pretrained(
        args.model, sequence_length=args.sequence_length, dynamic_length=True)
    encoder = bert_keras.BertEncoder.from_pretrained(args.model)
    model = build_classifier(encoder, num_classes=2, dropout=0.1)

    texts, labels = read_sst2(args.train, args.max_rows)
    dev_texts, dev_labels = read_sst2(args.dev)
    train_ds = (tf.data.Dataset.from_tensor_slices((texts, labels))
                .shuffle(len(texts), seed=0).batch(args.batch_size)
                .map(preprocessor, num_parallel_calls=tf.data.AUTOTUNE)
                .prefetch(tf.data.AUTOTUNE))
    dev_ds = (tf.data.Dataset.from_tensor_slices((dev_texts, dev_labels))
              .batch(64).map(preprocessor).prefetch(tf.data.AUTOTUNE))

    steps = args.epochs * -(-len(texts) // args.batch_size)
    model.compile(
        optimizer=create_optimizer(args.lr, total_steps=steps),  # AdamW, warmup + decay
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"])
    model.fit(train_ds, validation_data=dev_ds, epochs=args.epochs)
    loss, accuracy = model.evaluate(dev_ds, verbose=0)
    print(f"dev accuracy: {accuracy:.4f}")


if __name__ == "__main__":
    main()
