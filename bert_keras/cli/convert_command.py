"""`bert-keras convert SRC OUT`."""


def add_parser(sub):
    p = sub.add_parser(
        "convert", help="convert a checkpoint to a bert_keras model directory",
        description="Convert a Hugging Face, Google TF1 or keras-hub BERT "
                    "checkpoint, or a built-in model name, to a bert_keras model directory.")
    p.add_argument("src", help="checkpoint directory or built-in name (e.g. minilm-l6-h384-uncased)")
    p.add_argument("out", help="output model directory")
    p.add_argument("--overwrite", action="store_true", help="replace OUT if it exists")
    case = p.add_mutually_exclusive_group()
    case.add_argument("--lowercase", dest="lowercase", action="store_true", default=None,
                      help="uncased tokenization (Google checkpoints only; default: guessed)")
    case.add_argument("--cased", dest="lowercase", action="store_false",
                      help="cased tokenization (Google checkpoints only)")
    p.set_defaults(run=run)


def run(args):
    from bert_keras.checkpoints.convert import convert

    model = convert(args.src, args.out, overwrite=args.overwrite, lowercase=args.lowercase)
    c = model.config
    print(f"converted {model.source}")
    print(f"  -> {model.path}")
    print(f"  layers={c.num_layers} hidden={c.hidden_size} heads={c.num_heads} "
          f"vocab={c.vocab_size} activation={c.hidden_act} lowercase={model.tokenizer.lowercase}")
    missing = [h for h in ("mlm", "nsp") if h not in model.heads]
    print(f"  heads: {', '.join(model.heads) or 'none'}"
          + (f" (not in the source: {', '.join(missing)})" if missing else ""))
