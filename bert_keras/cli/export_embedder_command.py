"""`bert-keras export-embedder MODEL OUT`."""


def add_parser(sub):
    p = sub.add_parser(
        "export-embedder", help="a sentence embedder as one serving SavedModel (strings in)",
        description="Export MODEL's sentence embedder to a SavedModel whose serving_default "
                    "signature takes raw strings (text) and returns embedding "
                    "float32 [batch, H], tokenizer included.")
    p.add_argument("model", help="model directory, built-in name or checkpoint")
    p.add_argument("out", help="output SavedModel directory")
    p.add_argument("--max-seq-length", type=int,
                   help="truncate texts to this many tokens (default: the model's "
                        "sentence-transformers max_seq_length, else 512)")
    p.add_argument("--no-normalize", action="store_true", help="skip the L2 normalization")
    p.add_argument("--overwrite", action="store_true")
    p.add_argument("--no-verify", action="store_true",
                   help="skip reloading the export and comparing with the Keras model")
    p.set_defaults(run=run)


def run(args):
    from bert_keras.export.embedding_export import export_embedder

    out = export_embedder(args.model, args.out, overwrite=args.overwrite,
                          verify=not args.no_verify, sequence_length=args.max_seq_length,
                          normalize=False if args.no_normalize else None)
    print(f"exported embedding SavedModel -> {out}")
    print(f"""  try: python -c "import tensorflow as tf, tensorflow_text; """
          f"""m = tf.saved_model.load('{out}'); """
          f"""print(m.signatures['serving_default'](text=tf.constant(['a fine film'])))\"""")
