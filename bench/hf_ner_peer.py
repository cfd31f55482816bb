"""The Hugging Face PyTorch peer of the NER accuracy benchmark: fine-tunes
`BertForTokenClassification` from the embedded MiniLM on CoNLL-2003 and
scores dev and test by entity F1. `bench/accuracy_ner.py` runs it in its own
process (TensorFlow and PyTorch thread pools slow each other).

    python bench/hf_ner_peer.py                       # full recipe, bf16
    python bench/hf_ner_peer.py --max-train-examples 2000 --epochs 1

Both sides see the same sentences and tags: `bert_keras.data.conll` reads the
files (IOB1 converted to IOB2) and `bert_keras.training.ner_metrics` scores
(seqeval's default mode; checked against seqeval here when it is installed).
The label of a word is on its first sub-word (the others are -100); a word
cut off by --max-seq-length is predicted O. Prints

    RESULT ner hf precision=bf16 dev_f1=.. test_f1=.. train_examples_per_s=.. ...

Needs torch and transformers (not in requirements.txt).
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hf_peer_common as common  # noqa: E402


def main(argv=None):
    p = common.parser(__doc__.split("\n\n")[0], epochs=3, lr=5e-5, max_seq_length=128)
    p.add_argument("--train", default=os.path.join(common.DATA, "CoNLL-2003", "train.txt"))
    p.add_argument("--dev", default=os.path.join(common.DATA, "CoNLL-2003", "dev.txt"))
    p.add_argument("--test", default=os.path.join(common.DATA, "CoNLL-2003", "test.txt"))
    args = p.parse_args(argv)
    started = time.time()
    torch = common.setup(args)
    import numpy as np
    from transformers import AutoTokenizer, BertForTokenClassification

    from bert_keras.data.conll import read_conll
    from bert_keras.training.ner_metrics import entity_scores

    train = read_conll(args.train)[:args.max_train_examples]
    dev = read_conll(args.dev)[:args.max_eval_examples]
    test = read_conll(args.test)[:args.max_eval_examples]
    labels = sorted({t for s in train for t in s.tags} - {"O"}, key=lambda t: (t[2:], t))
    labels = ["O"] + labels
    label_id = {t: i for i, t in enumerate(labels)}

    path = args.model or common.minilm_dir()
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = BertForTokenClassification.from_pretrained(
        path, num_labels=len(labels), id2label=dict(enumerate(labels)), label2id=label_id)

    def encode(sentences, with_labels):
        return encode_sentences(tokenizer, sentences, label_id if with_labels else None,
                                args.max_seq_length)

    def batches(epoch):
        order = np.random.default_rng(args.seed * 1000 + epoch).permutation(len(train))
        for start in range(0, len(order), args.batch_size):
            yield encode([train[i] for i in order[start:start + args.batch_size]], True)[0]

    steps = common.steps_for(len(train), args)
    seconds = common.train(model, batches, args, steps)
    trained_rows = steps * args.batch_size if args.epochs % 1 else len(train) * args.epochs

    def predict(sentences):
        out = []
        for start in range(0, len(sentences), args.eval_batch_size):
            chunk = sentences[start:start + args.eval_batch_size]
            inputs, word_ids = encode(chunk, False)
            with torch.no_grad(), common.autocast(args):
                best = model(**inputs).logits.argmax(-1).tolist()
            out.extend(word_tags(ids, row, labels, len(s.words))
                       for s, ids, row in zip(chunk, word_ids, best))
        return out

    scores, seqeval_f1 = {}, {}
    eval_started = time.time()
    for name, sentences in (("dev", dev), ("test", test)):
        gold, pred = [s.tags for s in sentences], predict(sentences)
        scores[name] = entity_scores(gold, pred)
        seqeval_f1[name] = _seqeval_f1(gold, pred)
    eval_seconds = time.time() - eval_started
    for name, value in seqeval_f1.items():
        if value is not None and abs(value - scores[name]["f1"]) > 1e-6:
            print(f"warning: {name} F1 {scores[name]['f1']:.4f} but seqeval says {value:.4f}",
                  file=sys.stderr)
    print(f"RESULT ner hf precision={args.precision} dev_f1={scores['dev']['f1']:.2f} "
          f"test_f1={scores['test']['f1']:.2f} "
          f"train_examples_per_s={trained_rows / seconds:.1f} "
          f"eval_examples_per_s={(len(dev) + len(test)) / eval_seconds:.1f} "
          f"train_examples={len(train)} epochs={args.epochs:g} lr={args.lr:g} "
          f"batch_size={args.batch_size} max_seq_length={args.max_seq_length} "
          f"seqeval_dev_f1={_fmt(seqeval_f1['dev'])} seqeval_test_f1={_fmt(seqeval_f1['test'])} "
          f"threads={torch.get_num_threads()} seconds={time.time() - started:.0f}", flush=True)


def encode_sentences(tokenizer, sentences, label_id, max_seq_length):
    """Padded tensors of `sentences` (with `labels` on each word's first
    sub-word, -100 elsewhere, when `label_id` is given) and each row's word
    ids."""
    import torch

    enc = tokenizer([s.words for s in sentences], is_split_into_words=True, truncation=True,
                    max_length=max_seq_length, padding="longest", return_tensors="pt")
    word_ids = [enc.word_ids(i) for i in range(len(sentences))]
    if label_id is not None:  # special tokens and padding have word id None
        enc["labels"] = torch.tensor(
            [[-100 if w is None or (j and ids[j - 1] == w) else label_id.get(s.tags[w], 0)
              for j, w in enumerate(ids)] for s, ids in zip(sentences, word_ids)])
    return enc, word_ids


def word_tags(word_ids, token_label_ids, labels, num_words):
    """One tag a word: the label of its first sub-word; O for a word with no
    sub-word left (cut by the length limit, or nothing the tokenizer keeps)."""
    tags = ["O"] * num_words
    for j, w in enumerate(word_ids):
        if w is not None and (j == 0 or word_ids[j - 1] != w):
            tags[w] = labels[token_label_ids[j]]
    return tags


def _seqeval_f1(gold, pred):
    try:
        from seqeval.metrics import f1_score
    except ImportError:
        return None
    return 100.0 * f1_score(gold, pred)


def _fmt(value):
    return "na" if value is None else f"{value:.2f}"


if __name__ == "__main__":
    main()
