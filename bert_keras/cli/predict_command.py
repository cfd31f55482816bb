"""`bert-keras predict DIR TEXT [TEXT_B]`."""

from bert_keras.errors import InputError


def add_parser(sub):
    p = sub.add_parser(
        "predict", help="classify a text (or a text pair) with a fine-tuned model",
        description="Predict the label of TEXT (or the pair TEXT, TEXT_B).")
    p.add_argument("model", help="fine-tuned model directory")
    p.add_argument("text", help="the text ('-' reads one text a line from stdin)")
    p.add_argument("text_b", nargs="?", help="second text, for sentence-pair tasks")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(run=run)


def run(args):
    import json
    import sys

    from bert_keras.tasks.classifier import load_classifier, predict

    model, preprocessor, task = load_classifier(args.model)
    if args.text == "-":
        texts = [line.rstrip("\n") for line in sys.stdin if line.strip()]
        if task.get("pair"):
            pairs = [t.split("\t", 1) for t in texts]
            if any(len(p) != 2 for p in pairs):
                raise InputError("pair task: give one 'TEXT<TAB>TEXT_B' a line on stdin")
            a, b = [p[0] for p in pairs], [p[1] for p in pairs]
        else:
            a, b = texts, None
    else:
        a, b = [args.text], None if args.text_b is None else [args.text_b]
    results = predict(model, preprocessor, task, a, b)
    if args.json:
        print(json.dumps(results if len(results) > 1 or args.text == "-" else results[0]))
        return
    for r in results:
        if "score" in r:
            print(f"{r['score']:.4f}")
        else:
            print(f"{r['label']}\t{max(r['probabilities']):.4f}")
