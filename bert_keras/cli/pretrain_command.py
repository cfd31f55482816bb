"""`bert-keras pretrain --corpus FILE... --out DIR`."""


def add_parser(sub):
    p = sub.add_parser(
        "pretrain", help="pretrain BERT, ALBERT or RoBERTa on plain text",
        description="Pretrain a BERT (masked LM + next sentence), ALBERT (masked LM + "
                    "sentence order) or RoBERTa (masked LM, full sentences) model, as "
                    "--config names, from plain text (one sentence a line, blank "
                    "line between documents; one document per file; or WikiText) or from "
                    "TFRecord shards made by `create-pretraining-data`, and write a model "
                    "directory that every other command accepts. Checkpoints are kept "
                    "in OUT/training every --checkpoint-every steps; running the same "
                    "command again after an interruption resumes from the last one, and "
                    "other settings are refused (unless --overwrite).")
    p.add_argument("--corpus", nargs="+", required=True, metavar="FILE",
                   help="text files, globs, directories, or a TFRecord shard directory")
    p.add_argument("--out", required=True, help="output model directory")
    p.add_argument("--config", default="tiny",
                   help="size preset (tiny, mini, small, medium, base, large: BERT), zoo "
                        "name (albert_base, roberta_base, ...; `bert-keras models`) or a "
                        "config JSON (ours or a Hugging Face config.json) (default tiny)")
    p.add_argument("--init-from", metavar="MODEL",
                   help="continue pretraining this model (its vocabulary and config)")
    vocab = p.add_mutually_exclusive_group()
    vocab.add_argument("--vocab", help="vocab.txt (default: train one on the corpus), a "
                       "SentencePiece .model (ALBERT), a BPE vocab.json with merges.txt "
                       "beside it (RoBERTa), or a directory holding them")
    vocab.add_argument("--vocab-size", type=int, default=8000,
                       help="size of the WordPiece vocabulary trained on the corpus (default 8000)")
    case = p.add_mutually_exclusive_group()
    case.add_argument("--lowercase", dest="lowercase", action="store_true", default=True,
                      help="uncased model (default)")
    case.add_argument("--cased", dest="lowercase", action="store_false")
    p.add_argument("--format", default="auto", choices=["auto", "bert", "file", "wikitext"])
    p.add_argument("--steps", type=int, default=1000)
    p.add_argument("--batch-size", type=int, default=32, help="global batch size")
    p.add_argument("--seq-length", type=int, default=128)
    p.add_argument("--max-predictions-per-seq", type=int, default=20)
    p.add_argument("--whole-word-masking", action="store_true")
    p.add_argument("--lr", type=float, default=5e-4, help="peak learning rate (default 5e-4)")
    p.add_argument("--warmup-steps", type=int, help="default: 10%% of the steps")
    p.add_argument("--weight-decay", type=float, default=0.01)
    p.add_argument("--dropout", type=float, help="override the preset's dropout")
    p.add_argument("--strategy", default="default",
                   choices=["default", "mirrored", "multi_worker", "tpu"],
                   help="tf.distribute strategy (multi_worker reads TF_CONFIG)")
    p.add_argument("--precision", default="fp32", choices=["fp32", "bf16"])
    p.add_argument("--checkpoint-every", type=int, default=200, metavar="STEPS")
    p.add_argument("--seed", type=int, default=12345)
    p.add_argument("--overwrite", action="store_true",
                   help="start afresh even if OUT holds a run (of other settings)")
    p.add_argument("--quiet", action="store_true", help="no progress output (as bert-keras --quiet)")
    p.set_defaults(run=run)


def run(args):
    import contextlib
    import sys

    from bert_keras.cli.main import UserError
    from bert_keras.training.pretrain import pretrain
    from bert_keras.utils.progress import is_quiet, set_quiet, status, stderr_is_terminal

    if args.steps < 1 or args.batch_size < 1 or args.checkpoint_every < 1:
        raise UserError("--steps, --batch-size and --checkpoint-every must be positive")
    if args.vocab_size is not None and args.vocab_size < 10:
        raise UserError("--vocab-size is too small")
    if args.quiet:
        set_quiet(True)
    status(f"reading the corpus: {' '.join(args.corpus)}")
    overrides = {}
    if args.dropout is not None:
        overrides.update(hidden_dropout=args.dropout, attention_dropout=args.dropout)
    # Keras prints its progress to stdout; stdout is for results.
    with contextlib.redirect_stdout(sys.stderr):
        result = pretrain(
            args.corpus, args.out, config=args.config, vocab=args.vocab,
            vocab_size=args.vocab_size, lowercase=args.lowercase, steps=args.steps,
            batch_size=args.batch_size, seq_length=args.seq_length,
            max_predictions_per_seq=args.max_predictions_per_seq, learning_rate=args.lr,
            warmup_steps=args.warmup_steps, weight_decay=args.weight_decay,
            strategy=args.strategy, precision=args.precision,
            checkpoint_every=args.checkpoint_every, whole_word_masking=args.whole_word_masking,
            doc_format=args.format, init_from=args.init_from, config_overrides=overrides,
            seed=args.seed, overwrite=args.overwrite, log=status,
            # Keras' bar redraws in place on a terminal; one line an epoch otherwise.
            verbose=0 if is_quiet() else (1 if stderr_is_terminal() else 2))
    history = result["history"]
    if history.get("mlm_loss"):
        # mlm, then the family's sentence task (nsp for BERT, sop for ALBERT).
        names = [f"{task}_{m}" for task in ("mlm", "nsp", "sop") for m in ("loss", "accuracy")]
        print("final: " + " ".join(f"{n}={history[n][-1]:.4f}" for n in names
                                   if history.get(n)))
    if result["out"]:
        print(f"model directory: {result['out']}")
    else:
        print("this worker is not the chief: the chief writes the model directory")
    return 0
