"""`bert-keras export-serving MODEL OUT` (alias `export-classifier`)."""

EXAMPLE_INPUTS = {
    "classification": "text=tf.constant(['a fine film'])",
    "regression": "text=tf.constant(['a fine film'])",
    "qa": "question=tf.constant(['Who met Bob?']), context=tf.constant(['Ann met Bob.'])",
    "ner": "text=tf.constant(['John lives in New York'])",
    "embedding": "text=tf.constant(['a fine film'])",
}


def add_parser(sub):
    p = sub.add_parser(
        "export-serving", aliases=["export-classifier"],
        help="a model as one serving SavedModel: raw strings in, the task's answer out",
        description="Export MODEL to a SavedModel whose serving_default signature takes raw "
                    "strings and returns the task's answer, by the model's stored task: "
                    "classifiers (text[, text_b] -> label, label_id, probabilities; "
                    "regression: score), QA (question, context -> answer, score, start, "
                    "end), NER (text -> entity_type, entity_text, entity_start, entity_end, "
                    "entity_score, num_entities); a model that was not fine-tuned (or a "
                    "built-in name) -> sentence embeddings (text -> embedding; options: "
                    "export-embedder). Layouts: export/FORMAT.md.")
    p.add_argument("model", help="model directory (fine-tuned or not) or built-in name")
    p.add_argument("out", help="output SavedModel directory")
    p.add_argument("--overwrite", action="store_true")
    p.add_argument("--no-verify", action="store_true",
                   help="skip reloading the export and comparing with the Python pipeline")
    p.set_defaults(run=run)


def run(args):
    from bert_keras.export.serving_export import export_serving

    out, kind = export_serving(args.model, args.out, overwrite=args.overwrite,
                               verify=not args.no_verify)
    print(f"exported {kind} serving SavedModel -> {out}")
    print(f"  try: {try_command(out, kind, _stored_task(args.model).get('pair'))}")


def try_command(out, kind="classification", pair=False):
    """A shell command that runs the export. Not `saved_model_cli`: it cannot
    load graphs with tf-text ops (`Op type not registered 'NormalizeUTF8'`),
    so the command imports `tensorflow_text` first, as every loader must."""
    import os
    import shlex

    inputs = EXAMPLE_INPUTS[kind]
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
