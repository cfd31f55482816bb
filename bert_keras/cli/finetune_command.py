"""`bert-keras finetune MODEL --task sst2 --train FILE --dev FILE --out DIR`."""

from bert_keras.cli.task_options import add_task_arguments, task_from_args


def add_parser(sub):
    p = sub.add_parser(
        "finetune", help="fine-tune a classifier / regressor (GLUE, CLUE or your CSV) or a "
                         "question answerer (SQuAD, CMRC 2018)",
        description="Fine-tune MODEL (a model directory, built-in name or checkpoint) on a "
                    "classification, regression or question answering task. OUT becomes a model directory "
                    "holding the best classifier by the dev metric; running the same "
                    "command again resumes an interrupted run.")
    p.add_argument("model", help="model directory, built-in name or checkpoint")
    p.add_argument("--train", required=True, help="training file")
    p.add_argument("--dev", help="dev file (picks the best checkpoint)")
    p.add_argument("--out", required=True, help="output model directory")
    add_task_arguments(p)
    from bert_keras.cli.qa_cli import add_finetune_arguments

    add_finetune_arguments(p)
    t = p.add_argument_group("training")
    t.add_argument("--epochs", type=float, default=3)
    t.add_argument("--batch-size", type=int, default=32, help="global batch size")
    t.add_argument("--lr", type=float, default=5e-5, help="peak learning rate (default 5e-5)")
    t.add_argument("--warmup", type=float, default=0.1, help="warmup fraction of steps")
    t.add_argument("--weight-decay", type=float, default=0.01)
    t.add_argument("--dropout", type=float,
                   help="dropout of the encoder (hidden and attention) and the classifier "
                        "(default: the model's config, 0.1 for BERT)")
    t.add_argument("--pooling", choices=["cls", "mean"], default="cls",
                   help="what the classifier reads: BERT's pooled [CLS] output, or the "
                        "mean of the token vectors (for sentence-transformers checkpoints)")
    t.add_argument("--max-seq-length", type=int,
                   help="tokens a sequence (default: 128; 384 for question answering)")
    t.add_argument("--precision", choices=["fp32", "bf16"], default="fp32",
                   help="bf16: Keras mixed_bfloat16 (fast on CPUs with AMX)")
    t.add_argument("--xla", action="store_true", help="compile train steps with XLA")
    t.add_argument("--strategy", default="default",
                   choices=["default", "mirrored", "multi_worker", "tpu"])
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--checkpoint-every", type=int, default=500, metavar="STEPS",
                   help="checkpoint (in OUT/training) every STEPS steps (default 500)")
    t.add_argument("--eval-every", type=int, metavar="STEPS",
                   help="evaluate on dev every STEPS too (default: each epoch)")
    t.add_argument("--max-train-examples", type=int, help="use only the first N rows")
    t.add_argument("--overwrite", action="store_true",
                   help="start afresh, replacing OUT and any checkpoint in it (without it, "
                        "the same command resumes and other settings are refused)")
    t.add_argument("--no-tensorboard", action="store_true")
    p.set_defaults(run=run)


def run(args):
    from bert_keras.training.finetune import FinetuneOptions, finetune

    from bert_keras.cli.qa_cli import task_with_flags

    task = task_with_flags(task_from_args(args), args)
    options = FinetuneOptions(
        epochs=args.epochs, batch_size=args.batch_size, learning_rate=args.lr,
        max_seq_length=args.max_seq_length, warmup_fraction=args.warmup,
        weight_decay=args.weight_decay, dropout=args.dropout, pooling=args.pooling,
        precision=args.precision,
        xla=args.xla, strategy=args.strategy, seed=args.seed,
        checkpoint_every=args.checkpoint_every, eval_every=args.eval_every,
        skip_bad_rows=args.skip_bad_rows, max_train_examples=args.max_train_examples,
        overwrite=args.overwrite, tensorboard=not args.no_tensorboard,
        verbose=not getattr(args, "quiet", False))
    from bert_keras.utils.progress import status as log  # stderr; silent with --quiet
    result = finetune(args.model, task, args.train, args.dev, args.out, options, log=log)
    best = result.get("best") or {}
    if best.get("metric"):
        print(f"best dev {best['metric']}: {best['value']:.2f} (step {best['step']})")
    print(f"model directory: {result.get('model_dir', args.out)}")
