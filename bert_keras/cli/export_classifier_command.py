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
    pair = bool(_stored_task(args.model).get("pair"))
    print(f"exported serving SavedModel -> {out}")
    print(f"  try: {try_command(out, pair)}")


def try_command(out, pair=False):
    """A shell command that runs the export. Not `saved_model_cli`: it cannot
    load graphs with tf-text ops (`Op type not registered 'NormalizeUTF8'`),
    so the command imports `tensorflow_text` first, as every loader must."""
    import os
    import shlex

    inputs = "text=tf.constant(['a fine film'])"
    if pair:
        inputs += ", text_b=tf.constant(['a good movie'])"
    code = ("import tensorflow as tf, tensorflow_text; "
            f"f = tf.saved_model.load({os.path.abspath(out)!r}).signatures['serving_default']; "
            f"print(f({inputs}))")
    return f"python -c {shlex.quote(code)}"


def _stored_task(model):
    import json
    import os

    from bert_keras.checkpoints.model_dir import META_FILE

    try:
        with open(os.path.join(model, META_FILE), encoding="utf-8") as f:
            return json.load(f).get("task") or {}
    except (OSError, ValueError):
        return {}
