"""`bert-keras export MODEL OUT`: TF-Hub SavedModels (preprocess + encoder)."""


def add_parser(sub):
    p = sub.add_parser(
        "export", help="export a model to TF-Hub SavedModels (preprocess + encoder)",
        description="Export a model to the TF Hub BERT format: OUT/preprocess (strings "
                    "to encoder inputs), OUT/encoder (Reusable SavedModel, loadable with "
                    "hub.load / hub.KerasLayer) and OUT/README.md (model card).")
    p.add_argument("model", help="model directory, built-in name, or any checkpoint convert accepts")
    p.add_argument("out", help="output directory")
    p.add_argument("--seq-length", type=int, default=128,
                   help="sequence length of the preprocess model's outputs (default 128)")
    p.add_argument("--dynamic-length", action="store_true",
                   help="the preprocess model pads each batch to its longest input (at most "
                        "--seq-length) instead of always to --seq-length")
    p.add_argument("--frozen", action="store_true",
                   help="frozen encoder: no trainable variables, no dropout, variables as constants")
    p.add_argument("--with-mlm", action="store_true",
                   help="add encoder.mlm with mlm_logits (the model needs a masked-LM head)")
    p.add_argument("--overwrite", action="store_true", help="replace OUT if it exists")
    p.add_argument("--format", default="tfhub",
                   choices=("tfhub", "onnx", "openvino", "litert", "tfjs"),
                   help="tfhub (default): the SavedModels above; onnx, openvino, litert: "
                        "one model file (token ids in) + tokenizer.json for that runtime, "
                        "checked through it (a classifier directory exports its classifier); "
                        "litert also writes model_strings.tflite, strings in with the "
                        "tokenizer in the graph")
    p.add_argument("--ids-only", action="store_true",
                   help="litert: write only model.tflite (token ids in) + tokenizer.json, "
                        "not the strings-in model_strings.tflite")
    p.set_defaults(run=run)


def run(args):
    from bert_keras.cli.main import UserError
    from bert_keras.export import export_hub

    if args.ids_only and args.format != "litert":
        raise UserError("--ids-only applies to --format litert only")
    if args.seq_length < 3:
        raise UserError(f"--seq-length must be at least 3, got {args.seq_length}")
    if args.format != "tfhub":
        return _run_runtime_format(args, UserError)
    paths = export_hub(args.model, args.out, seq_length=args.seq_length, frozen=args.frozen,
                       with_mlm=args.with_mlm, overwrite=args.overwrite,
                       dynamic_length=args.dynamic_length)
    print(f"  preprocess: {paths['preprocess']}")
    print(f"  encoder:    {paths['encoder']}")
    print(f"  model card: {paths['model_card']}")


def _run_runtime_format(args, UserError):
    if args.format == "tfjs":
        raise UserError("--format tfjs is not available: the tensorflowjs converter pins "
                        "TensorFlow 2.19 (through tensorflow-decision-forests) and cannot "
                        "be installed beside TensorFlow 2.21; in Node.js use the onnx "
                        "export with onnxruntime-node (examples/node)")
    if args.frozen or args.with_mlm:
        raise UserError("--frozen and --with-mlm apply to --format tfhub only")
    from bert_keras.export.runtime_export import export_runtime

    paths = export_runtime(args.model, args.out, args.format, seq_length=args.seq_length,
                           overwrite=args.overwrite, strings_model=not args.ids_only)
    print(f"  model:      {paths['model']}")
    if "strings_model" in paths:
        print(f"  strings in: {paths['strings_model']}")
    print(f"  tokenizer:  {paths['tokenizer']}")
    print(f"  model card: {paths['model_card']}")
