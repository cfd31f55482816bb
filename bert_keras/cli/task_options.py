"""Command-line flags that choose a task: a registered name (`--task sst2`)
or your own CSV/TSV/JSONL columns (`--text-column ... --label-column ...`)."""


def add_task_arguments(p, required=False):
    g = p.add_argument_group("task (a registered task, or your own columns)")
    g.add_argument("--task", required=False,
                   help="sst2, cola, mrpc, rte, stsb, qnli, mnli, tnews; squad, cmrc2018; "
                        "conll2003, cluener, ner (your own CoNLL file) "
                        "(evaluate: the model's own task, the default)")
    g.add_argument("--text-column", help="column of the first text (own data; a model "
                                         "remembers its columns for evaluate)")
    g.add_argument("--text-b-column", help="column of the second text, for pairs")
    g.add_argument("--label-column", default="label", help="label column (default: label)")
    g.add_argument("--labels", help="comma-separated label values, in class order "
                                    "(default: the sorted values in the training file)")
    g.add_argument("--regression", action="store_true", help="float labels (own data)")
    g.add_argument("--format", choices=["tsv", "csv", "jsonl", "conll"],
                   help="file format (default: from the extension); conll: your own "
                        "tagged CoNLL column file (the NER task `ner`)")
    g.add_argument("--no-header", action="store_true",
                   help="no header line: columns are 0-based indices")
    g.add_argument("--skip-bad-rows", action="store_true",
                   help="skip (and count) malformed rows instead of stopping")


def task_from_args(args, stored=None):
    """The `Task` the flags ask for. `stored` is the model's own `Task`
    (evaluate): no flags give it back; flags naming another task are refused,
    and custom columns default to the stored ones."""
    from bert_keras.cli.main import UserError
    from bert_keras.data.tasks import custom_task, get_task

    if args.task and args.text_column:
        raise UserError("give either --task or --text-column, not both")
    if stored is not None:
        return _stored_task(args, stored)
    if args.text_column:
        column = lambda c: int(c) if args.no_header and c is not None else c
        labels = args.labels.split(",") if args.labels else None
        return custom_task(column(args.text_column), column(args.text_b_column),
                           column(args.label_column), labels, args.regression,
                           args.format, header=not args.no_header)
    if args.format == "conll" and not args.task:
        return get_task("ner")
    if not args.task:
        raise UserError("say which task: --task NAME, or --text-column/--label-column")
    task = get_task(args.task)
    if args.format and (args.format == "conll") != (getattr(task, "reader", None) == "conll"):
        raise UserError(f"--format {args.format} does not fit task {task.name!r} ({task.type})")
    return task


def _stored_task(args, stored):
    from bert_keras.cli.main import UserError
    from bert_keras.data.tasks import custom_task, get_task

    if args.task:
        asked = get_task(args.task)
        if asked.name != stored.name:
            raise UserError(f"this model was fine-tuned for task {stored.name!r}, not "
                            f"{asked.name!r}: its classes mean {stored.name} labels "
                            "(leave out --task to use the model's own task)")
        return stored
    if not args.text_column:
        if not stored.readable:
            raise UserError("this model was trained on custom columns it did not record: "
                            "give --text-column (and --text-b-column / --label-column) again")
        return stored
    if stored.columns is None and stored.readable:
        raise UserError(f"this model was fine-tuned for task {stored.name!r}; its data is "
                        "read with --task, not --text-column")
    column = lambda c: int(c) if args.no_header and c is not None else c
    given = custom_task(column(args.text_column), column(args.text_b_column),
                        column(args.label_column), stored.labels, stored.regression,
                        args.format, header=not args.no_header, name=stored.name)
    if given.pair != stored.pair:
        kind = "sentence pairs" if stored.pair else "single sentences"
        fix = "give --text-b-column" if stored.pair else "leave out --text-b-column"
        raise UserError(f"this model takes {kind}: {fix}")
    return given.with_settings(sequence_length=stored.sequence_length, pooling=stored.pooling)
