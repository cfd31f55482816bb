"""`bert-keras convert SRC OUT`, or `convert NAME OUT --from DIR`."""


def add_parser(sub):
    p = sub.add_parser(
        "convert", help="convert a checkpoint to a bert_keras model directory",
        description="Convert a Hugging Face (BERT, ALBERT, ELECTRA, RoBERTa), Google "
                    "TF1 or keras-hub checkpoint, or a built-in model name, to a "
                    "bert_keras model directory. With --from DIR, SRC is a zoo name "
                    "(bert-keras models) and DIR must hold a checkpoint of that shape.")
    p.add_argument("src", help="checkpoint directory, built-in name (e.g. "
                               "minilm-l6-h384-uncased), or with --from/--download a zoo name")
    p.add_argument("out", help="output model directory")
    p.add_argument("--from", dest="from_dir", metavar="DIR",
                   help="checkpoint directory of the zoo configuration named by SRC")
    p.add_argument("--download", action="store_true",
                   help="download the zoo configuration's Hugging Face checkpoint "
                        "(needs network access)")
    p.add_argument("--overwrite", action="store_true", help="replace OUT if it exists")
    case = p.add_mutually_exclusive_group()
    case.add_argument("--lowercase", dest="lowercase", action="store_true", default=None,
                      help="uncased tokenization (Google checkpoints only; default: guessed)")
    case.add_argument("--cased", dest="lowercase", action="store_false",
                      help="cased tokenization (Google checkpoints only)")
    p.set_defaults(run=run)


def run(args):
    from bert_keras.checkpoints.convert import convert

    if args.from_dir or args.download:
        src, name = args.from_dir, args.src
    else:
        src, name = args.src, None
    model = convert(src, args.out, overwrite=args.overwrite, lowercase=args.lowercase,
                    name=name, allow_download=args.download)
    c = model.config
    print(f"converted {model.source}")
    print(f"  -> {model.path}")
    print(f"  model_type={c.model_type} layers={c.num_layers} hidden={c.hidden_size} "
          f"heads={c.num_heads} vocab={c.vocab_size} activation={c.hidden_act} "
          f"tokenizer={model.tokenizer.type} lowercase={model.tokenizer.lowercase}")
    missing = [h for h in ("mlm", "nsp") if h not in model.heads]
    print(f"  heads: {', '.join(model.heads) or 'none'}"
          + (f" (not in the source: {', '.join(missing)})" if missing else ""))
