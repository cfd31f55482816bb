"""`bert-keras export-classifier DIR OUT`."""


def add_parser(sub):
    p = sub.add_parser(
        "export-classifier", help="a fine-tuned classifier as one serving SavedModel",
        description="Export a fine-tuned classifier directory to a SavedModel whose "
                    "serving_default signature takes raw strings (text, and text_b for "
                    "pair tasks) and returns probabilities, label_id and label.")
    p.add_argument("model", help="fine-tuned model directory")
    p.add_argument("out", help="output SavedModel directory")
    p.add_argument("--overwrite", action="store_true")
    p.add_argument("--no-verify", action="store_true",
                   help="skip reloading the export and comparing with the Keras model")
    p.set_defaults(run=run)


def run(args):
    from bert_keras.export.classifier_export import export_classifier

    out = export_classifier(args.model, args.out, overwrite=args.overwrite,
                            verify=not args.no_verify)
    print(f"exported serving SavedModel -> {out}")
    print(f"  try: saved_model_cli run --dir {out} --tag_set serve "
          "--signature_def serving_default --input_exprs 'text=[\"a fine film\"]'")
