"""`evaluate` and `predict` for token classifiers (task type "ner"); the
commands dispatch here on the model's stored task type.

    bert-keras evaluate out/conll --data dev.txt --json
    {"task": "conll2003", "examples": 3250, "f1": 0.91, "precision": ..., "recall": ...,
     "per_type": {"LOC": 0.93, ...}}
    bert-keras predict out/conll "John Smith lives in New York."
    PER	John Smith	0	10	0.9981
    LOC	New York	20	28	0.9975

`predict` prints one line per entity: `TYPE<TAB>word<TAB>start<TAB>end<TAB>score`
(character offsets into the text). Line input (`-` or `--input FILE`) gives
one record per input line, in order, each ended by an empty line (a line
without entities is just the empty line); a blank input line gets
`error<TAB>line N: ...` in its place and the exit status is 1. With
`--json`: a list of entities for TEXT, a list of such lists (or
`{"line", "error"}` records) for line input.
"""

import os
import sys

from bert_keras.errors import InputError

BLANK = "blank line: nothing to tag"


def evaluate_ner(args):
    from bert_keras.data.tasks import get_task
    from bert_keras.tasks.token_classification import load_token_classifier

    ner = load_token_classifier(args.model, batch_size=args.batch_size)
    task = ner.task
    if getattr(args, "task", None) and get_task(args.task).name != task.name:
        raise InputError(f"this model was fine-tuned for task {task.name!r}, not "
                         f"{args.task!r} (leave out --task to use the model's own task)")
    if getattr(args, "text_column", None):
        raise InputError("a token classifier reads its own data format: leave out --text-column")
    if getattr(args, "format", None) not in (None, "conll") or (
            args.format == "conll" and task.reader != "conll"):
        raise InputError(f"task {task.name!r} reads {task.reader} files, not --format "
                         f"{args.format}")
    if args.max_seq_length:
        if args.max_seq_length > ner.config.max_position_embeddings:
            raise InputError(f"--max-seq-length {args.max_seq_length} exceeds the model's "
                             f"max_position_embeddings ({ner.config.max_position_embeddings})")
        ner.task = task = task.with_settings(sequence_length=args.max_seq_length)
    sentences = task.read(args.data, skip_bad_rows=args.skip_bad_rows)
    scores = ner.evaluate(sentences, source=args.data)
    if args.json:
        from bert_keras.cli.json_output import print_json

        fraction = lambda v: round(v / 100.0, 6)
        print_json({"task": task.name, "examples": len(sentences),
                    "f1": fraction(scores["f1"]), "precision": fraction(scores["precision"]),
                    "recall": fraction(scores["recall"]),
                    "per_type": {k: fraction(v) for k, v in scores["per_type"].items()}})
    else:
        print(f"{task.name} on {args.data} ({len(sentences)} sentences)")
        for k in ("f1", "precision", "recall"):
            print(f"  {k}: {scores[k]:.2f}")
        print("  f1 per type: " + ", ".join(f"{k} {v:.2f}"
                                            for k, v in scores["per_type"].items()))
    return 0


def predict_ner(args):
    from bert_keras.cli.json_output import print_json
    from bert_keras.cli.input_lines import read_input_lines
    from bert_keras.tasks.token_classification import load_token_classifier

    if getattr(args, "text_b", None) is not None:
        raise InputError("a token classifier tags single texts: give one TEXT")
    lines = read_input_lines(args)
    ner = load_token_classifier(args.model)
    if lines is None:
        found = _rounded(ner.predict([os.fsencode(args.text)])[0])
        if args.json:
            print_json(found)
        else:
            for e in found:
                print(_format(e))
        return 0

    records = [{"line": n, "error": BLANK} if not line.strip() else None
               for n, line in enumerate(lines, start=1)]
    good = [line for line, r in zip(lines, records) if r is None]
    found = iter(ner.predict(good)) if good else iter(())
    outputs = [r if r is not None else _rounded(next(found)) for r in records]
    if args.json:
        print_json(outputs)
    else:
        for r in outputs:
            if isinstance(r, dict):
                print(f"error\tline {r['line']}: {r['error']}")
            else:
                for e in r:
                    print(_format(e))
            print()
    if len(good) < len(records):
        print(f"{len(records) - len(good)} of {len(records)} lines could not be tagged "
              "(see the error records)", file=sys.stderr)
        return 1
    return 0


def _rounded(found):
    return [{**e, "score": round(e["score"], 6)} for e in found]


def _format(e):
    word = e["word"].replace("\t", " ").replace("\n", " ")
    return f"{e['entity']}\t{word}\t{e['start']}\t{e['end']}\t{e['score']:.4f}"
