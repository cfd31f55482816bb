"""The Hugging Face PyTorch peer of the QA accuracy benchmark: fine-tunes
`BertForQuestionAnswering` from the embedded MiniLM on the SQuAD v1.1 train
split and scores the eval split by the official v1.1 exact match and F1.
`bench/accuracy_qa.py` runs it in its own process (TensorFlow and PyTorch
thread pools slow each other).

    python bench/hf_qa_peer.py                        # full recipe, bf16
    python bench/hf_qa_peer.py --max-train-examples 500 --max-eval-examples 300

The recipe is transformers' examples/pytorch/question-answering/run_qa.py,
written compactly: question then context, `truncation="only_second"`, long
contexts split into windows (`--doc-stride` tokens of overlap) with offset
mappings; a training window without the whole answer points at [CLS]; the
answer of a question is the best start+end logit sum over its windows'
top-20 starts and ends (context tokens only, end >= start, at most 30
tokens long). Both sides read with `bert_keras.data.squad` and score with
`bert_keras.training.qa_metrics`. Prints

    RESULT qa hf precision=bf16 exact_match=.. f1=.. train_examples_per_s=..
        eval_examples_per_s=.. train_features=.. seconds=..

(train_examples_per_s counts training windows, the rows the model sees, as
bert_keras' runner does; eval_examples_per_s counts questions, windows and
post-processing included.) Needs torch and transformers.
"""

import collections
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hf_peer_common as common  # noqa: E402

N_BEST = 20


def main(argv=None):
    p = common.parser(__doc__.split("\n\n")[0], epochs=2, lr=1e-4, max_seq_length=384)
    p.add_argument("--train", default=os.path.join(common.DATA, "SQuAD", "train-split-v1.1.json"))
    p.add_argument("--eval", default=os.path.join(common.DATA, "SQuAD", "eval-split-v1.1.json"))
    p.add_argument("--doc-stride", type=int, default=128)
    p.add_argument("--max-answer-length", type=int, default=30)
    args = p.parse_args(argv)
    started = time.time()
    torch = common.setup(args)
    import numpy as np
    from transformers import AutoTokenizer, BertForQuestionAnswering

    from bert_keras.data.squad import read_squad
    from bert_keras.training.qa_metrics import squad_v11_scores

    train = [e for e in read_squad(args.train).examples
             if e.answers and e.answers[0].start is not None][:args.max_train_examples]
    evaluate = read_squad(args.eval).examples[:args.max_eval_examples]
    path = args.model or common.minilm_dir()
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = BertForQuestionAnswering.from_pretrained(path)

    def windows(examples):
        return tokenizer([e.question.lstrip() for e in examples], [e.context for e in examples],
                         truncation="only_second", max_length=args.max_seq_length,
                         stride=args.doc_stride, return_overflowing_tokens=True,
                         return_offsets_mapping=True)

    features = train_features(windows(train), train)
    print(f"{len(train)} training questions, {len(features)} windows", file=sys.stderr)

    def batches(epoch):
        order = np.random.default_rng(args.seed * 1000 + epoch).permutation(len(features))
        for start in range(0, len(order), args.batch_size):
            rows = [features[i] for i in order[start:start + args.batch_size]]
            yield pad(tokenizer, rows, ("start_positions", "end_positions"))

    steps = common.steps_for(len(features), args)
    seconds = common.train(model, batches, args, steps)
    trained_rows = steps * args.batch_size if args.epochs % 1 else len(features) * args.epochs

    eval_started = time.time()
    enc = windows(evaluate)
    starts, ends = [], []
    for first in range(0, len(enc["input_ids"]), args.eval_batch_size):
        rows = [{"input_ids": enc["input_ids"][i], "token_type_ids": enc["token_type_ids"][i],
                 "attention_mask": enc["attention_mask"][i]}
                for i in range(first, min(first + args.eval_batch_size, len(enc["input_ids"])))]
        with torch.no_grad(), common.autocast(args):
            out = model(**pad(tokenizer, rows, ()))
        starts.extend(out.start_logits.float().numpy())
        ends.extend(out.end_logits.float().numpy())
    predictions = best_answers(evaluate, enc, starts, ends, args.max_answer_length)
    scores = squad_v11_scores(predictions, {e.id: [a.text for a in e.answers] for e in evaluate})
    eval_seconds = time.time() - eval_started
    print(f"RESULT qa hf precision={args.precision} exact_match={scores['exact_match']:.2f} "
          f"f1={scores['f1']:.2f} train_examples_per_s={trained_rows / seconds:.1f} "
          f"eval_examples_per_s={len(evaluate) / eval_seconds:.1f} "
          f"train_features={len(features)} train_questions={len(train)} "
          f"eval_questions={len(evaluate)} epochs={args.epochs:g} lr={args.lr:g} "
          f"batch_size={args.batch_size} max_seq_length={args.max_seq_length} "
          f"doc_stride={args.doc_stride} threads={torch.get_num_threads()} "
          f"seconds={time.time() - started:.0f}", flush=True)


def train_features(enc, examples):
    """One dict a window, with the token positions of the first answer
    (or of [CLS] when the window does not hold all of it), as run_qa.py."""
    features = []
    for i, offsets in enumerate(enc["offset_mapping"]):
        example = examples[enc["overflow_to_sample_mapping"][i]]
        answer = example.answers[0]
        sequence_ids = enc.sequence_ids(i)
        first = sequence_ids.index(1)
        last = len(sequence_ids) - 1 - sequence_ids[::-1].index(1)
        start = end = 0  # [CLS]
        if offsets[first][0] <= answer.start and offsets[last][1] >= answer.end:
            start = first
            while start <= last and offsets[start][0] <= answer.start:
                start += 1
            start -= 1
            end = last
            while end >= first and offsets[end][1] >= answer.end:
                end -= 1
            end += 1
        features.append({"input_ids": enc["input_ids"][i],
                         "token_type_ids": enc["token_type_ids"][i],
                         "attention_mask": enc["attention_mask"][i],
                         "start_positions": start, "end_positions": end})
    return features


def pad(tokenizer, rows, label_keys):
    """A batch padded to its longest row, as tensors."""
    import torch

    labels = {k: torch.tensor([r[k] for r in rows]) for k in label_keys}
    inputs = [{k: v for k, v in r.items() if k not in label_keys} for r in rows]
    return {**tokenizer.pad(inputs, return_tensors="pt"), **labels}


def best_answers(examples, enc, all_starts, all_ends, max_answer_length):
    """Question id -> answer text: run_qa.py's post-processing (SQuAD v1.1,
    no null answer)."""
    windows_of = collections.defaultdict(list)
    for i, e in enumerate(enc["overflow_to_sample_mapping"]):
        windows_of[e].append(i)
    predictions = {}
    for index, example in enumerate(examples):
        best, best_score = None, None
        for i in windows_of[index]:
            starts, ends = all_starts[i], all_ends[i]
            offsets = [o if s == 1 else None
                       for o, s in zip(enc["offset_mapping"][i], enc.sequence_ids(i))]
            for s in starts.argsort()[::-1][:N_BEST]:
                for e in ends.argsort()[::-1][:N_BEST]:
                    if (s >= len(offsets) or e >= len(offsets) or offsets[s] is None
                            or offsets[e] is None or e < s or e - s + 1 > max_answer_length):
                        continue
                    score = starts[s] + ends[e]
                    if best_score is None or score > best_score:
                        best_score = score
                        best = example.context[offsets[s][0]:offsets[e][1]]
        predictions[example.id] = "empty" if best is None else best
    return predictions


if __name__ == "__main__":
    main()
