"""`bert-keras predict DIR TEXT [TEXT_B]`, `predict DIR -`, `predict DIR --input FILE`.

Line input (stdin or `--input`) gives exactly one output per line, in
order: a line that cannot be classified (blank, or a pair line without a
TAB) gets an error record in its place, `{"line": N, "error": "..."}` with
`--json`, `error<TAB>line N: ...` otherwise, and the exit status is 1.
Texts are passed on as bytes, so invalid UTF-8 is tokenized as the Python
API and the SavedModels do (the tokenizer's text cleaning drops bytes that
are not UTF-8), not a failed batch.
"""

import os

from bert_keras.errors import InputError

BLANK = "blank line: nothing to classify"
NO_TAB = "a pair task needs 'TEXT<TAB>TEXT_B' on each line"


def add_parser(sub):
    p = sub.add_parser(
        "predict", help="classify a text (or a text pair) with a fine-tuned model",
        description="Predict the label of TEXT (or the pair TEXT, TEXT_B), of each line "
                    "of stdin (TEXT '-') or of each line of --input FILE (pairs: "
                    "'TEXT<TAB>TEXT_B'). Line input gives one output per line, in order; "
                    "a blank or malformed line gets an error record in its place and "
                    "the exit status is 1.")
    p.add_argument("model", help="fine-tuned model directory")
    p.add_argument("text", nargs="?",
                   help="the text ('-' reads one text a line from stdin); an existing "
                        "file name is refused: use --input FILE for that")
    p.add_argument("text_b", nargs="?", help="second text, for sentence-pair tasks")
    p.add_argument("--input", metavar="FILE",
                   help="classify each line of FILE (UTF-8; pairs separated by a TAB)")
    p.add_argument("--json", action="store_true", help="print JSON")
    from bert_keras.cli.qa_cli import add_predict_arguments

    add_predict_arguments(p)
    p.set_defaults(run=run)


def run(args):
    from bert_keras.cli.task_kind import run_for_task_kind

    return run_for_task_kind(args, PREDICT, "predict with")


# What `predict` runs for each task kind: "module:function(args)". A new kind
# (QA, NER) adds its line (and its flags in `add_parser`).
PREDICT = {"classification": "bert_keras.cli.predict_command:predict_classifier",
           "regression": "bert_keras.cli.predict_command:predict_classifier",
           "qa": "bert_keras.cli.qa_cli:predict_qa",
           "ner": "bert_keras.cli.ner_cli:predict_ner"}


def predict_classifier(args):
    import sys

    from bert_keras.cli.json_output import print_json
    from bert_keras.tasks.classifier import load_classifier, predict

    from bert_keras.cli.input_lines import read_input_lines

    lines = read_input_lines(args)
    model, preprocessor, task = load_classifier(args.model)
    if lines is None:
        a = [os.fsencode(args.text)]  # undoes the surrogateescape of argv
        b = None if args.text_b is None else [os.fsencode(args.text_b)]
        if task.pair and b is None:
            raise InputError(f"task {task.name!r} takes sentence pairs: "
                             "give TEXT_B too")
        result = predict(model, preprocessor, task, a, b)[0]
        if args.json:
            print_json(result)
        else:
            print(_format(result))
        return 0

    records = [_parse_line(number, line, task.pair)
               for number, line in enumerate(lines, start=1)]
    good = [r for r in records if "error" not in r]
    if good:
        results = iter(predict(model, preprocessor, task, [r["a"] for r in good],
                               [r["b"] for r in good] if task.pair else None))
    outputs = [r if "error" in r else next(results) for r in records]
    if args.json:
        print_json(outputs)
    else:
        for r in outputs:
            print(f"error\tline {r['line']}: {r['error']}" if "error" in r else _format(r))
    if len(good) < len(records):
        print(f"{len(records) - len(good)} of {len(records)} lines could not be classified "
              "(see the error records)", file=sys.stderr)
        return 1
    return 0


def _parse_line(number, line, pair):
    if not line.strip():
        return {"line": number, "error": BLANK}
    if not pair:
        return {"a": line}
    parts = line.split(b"\t", 1)
    if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
        return {"line": number, "error": NO_TAB}
    return {"a": parts[0], "b": parts[1]}


def _format(r):
    if "score" in r:
        return f"{r['score']:.4f}"
    return f"{r['label']}\t{max(r['probabilities']):.4f}"
