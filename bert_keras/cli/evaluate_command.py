"""`bert-keras evaluate DIR --task sst2 --data FILE [--json]`."""

from bert_keras.cli.task_options import add_task_arguments, task_from_args
from bert_keras.cli.task_kind import run_for_task_kind


def add_parser(sub):
    p = sub.add_parser(
        "evaluate", help="task metrics of a fine-tuned model on a labelled file",
        description="Evaluate a fine-tuned classifier directory on labelled data.")
    p.add_argument("model", help="fine-tuned model directory")
    p.add_argument("--data", required=True, help="labelled data file")
    add_task_arguments(p)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--max-seq-length", type=int, help="default: the model's")
    p.add_argument("--json", action="store_true",
                   help="print one JSON object of metrics, as fractions (0.49), as metric "
                        "libraries report them (the text output is x100, as GLUE)")
    p.set_defaults(run=run)


def run(args):
    return run_for_task_kind(args, EVALUATE, "evaluate")


# What `evaluate` runs for each task kind: "module:function(args)". A new
# kind (QA, NER) adds its line.
EVALUATE = {"classification": "bert_keras.cli.evaluate_command:evaluate_classifier",
            "regression": "bert_keras.cli.evaluate_command:evaluate_classifier",
            "qa": "bert_keras.cli.qa_cli:evaluate_qa",
            "ner": "bert_keras.cli.ner_cli:evaluate_ner"}


def evaluate_classifier(args):
    import sys

    from bert_keras.cli.main import UserError
    from bert_keras.tasks.classifier import classifier_parts, load_classifier
    from bert_keras.training.batching import encode
    from bert_keras.training.finetune import evaluate

    model, preprocessor, stored = load_classifier(args.model)
    task = task_from_args(args, stored)
    examples = task.read(args.data, skip_bad_rows=args.skip_bad_rows)
    if examples.labels is None:
        raise UserError(f"{args.data}: no labels to evaluate against")
    seq = args.max_seq_length or task.sequence_length
    encoder, _ = classifier_parts(model)
    if seq > encoder.config.max_position_embeddings:
        raise UserError(f"--max-seq-length {seq} exceeds the model's max_position_embeddings "
                        f"({encoder.config.max_position_embeddings})")
    encoded = encode(examples, preprocessor.tokenizer, seq, task.regression)
    metrics = evaluate(model, encoded, task, args.batch_size, max_seq_length=seq)
    fractions = {k: round(v / 100.0, 6) for k, v in metrics.items()}
    result = {"task": task.name, "examples": len(examples), **fractions}
    if examples.skipped:
        result["skipped_rows"] = examples.skipped
    if args.json:
        from bert_keras.cli.json_output import print_json  # NaN -> null, never bare NaN

        print_json(result)
    else:
        print(f"{task.name} on {args.data} ({len(examples)} examples)")
        for k, v in metrics.items():
            print(f"  {k}: {v:.2f}")
        if examples.skipped:
            print(f"  skipped rows: {examples.skipped}", file=sys.stderr)
