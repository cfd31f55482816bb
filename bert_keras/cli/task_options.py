"""Command-line flags that choose a task: a registered name (`--task sst2`)
or your own CSV/TSV/JSONL columns (`--text-column ... --label-column ...`)."""


def add_task_arguments(p, required=False):
    g = p.add_argument_group("task (a registered task, or your own columns)")
    g.add_argument("--task", required=False,
                   help="sst2, cola, mrpc, rte, stsb, qnli, mnli, tnews "
                        "(default for evaluate: the model's own task)")
    g.add_argument("--text-column", help="column of the first text (own data)")
    g.add_argument("--text-b-column", help="column of the second text, for pairs")
    g.add_argument("--label-column", default="label", help="label column (default: label)")
    g.add_argument("--labels", help="comma-separated label values, in class order "
                                    "(default: the sorted values in the training file)")
    g.add_argument("--regression", action="store_true", help="float labels (own data)")
    g.add_argument("--format", choices=["tsv", "csv", "jsonl"],
                   help="file format (default: from the extension)")
    g.add_argument("--no-header", action="store_true",
                   help="no header line: columns are 0-based indices")
    g.add_argument("--skip-bad-rows", action="store_true",
                   help="skip (and count) malformed rows instead of stopping")


def task_from_args(args, stored=None):
    """The `Task` the flags ask for; `stored` is a model's task dict, used
    when no flags are given (and for the label set of custom tasks)."""
    from bert_keras.cli.main import UserError
    from bert_keras.data.tasks import custom_task, get_task

    if args.task and args.text_column:
        raise UserError("give either --task or --text-column, not both")
    if args.text_column:
        column = lambda c: int(c) if args.no_header and c is not None else c
        labels = args.labels.split(",") if args.labels else None
        if labels is None and stored and stored.get("task_name") == "custom":
            labels = stored.get("labels")
        return custom_task(column(args.text_column), column(args.text_b_column),
                           column(args.label_column), labels, args.regression,
                           args.format, header=not args.no_header)
    name = args.task or (stored or {}).get("task_name")
    if not name:
        raise UserError("say which task: --task NAME, or --text-column/--label-column")
    if name == "custom":
        raise UserError("this model was trained on custom columns: give --text-column "
                        "(and --text-b-column / --label-column) again")
    return get_task(name)
