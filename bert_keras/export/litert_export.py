"""LiteRT (`.tflite`): the ids-in graph (`runtime_graph.py`) converted with
`tf.lite.TFLiteConverter` from a SavedModel, builtin ops only (no Flex:
the pip interpreters no longer carry it), run with the LiteRT interpreter
(`ai_edge_litert`).

    >>> from bert_keras.export.runtime_export import export_runtime, load_runtime
    >>> export_runtime("minilm-l6-h384-uncased", "out/litert", "litert")   # doctest: +SKIP
"""

import os

MODEL_FILE = "model.tflite"
NEEDS_SAVED_MODEL = True


def write_model(graph, saved_model_dir, out_dir):
    """Converts the SavedModel of `graph` to `out_dir/model.tflite`."""
    import tensorflow as tf

    converter = tf.lite.TFLiteConverter.from_saved_model(saved_model_dir)
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
    path = os.path.join(out_dir, MODEL_FILE)
    with open(path, "wb") as f:
        f.write(converter.convert())
    return path


class LiteRtRunner:
    """numpy int32 inputs -> dict of numpy outputs, with the LiteRT
    interpreter (XNNPACK on CPU); the signature runner resizes the dynamic
    `[batch, seq]` inputs per call."""

    def __init__(self, out_dir, threads=None, precision="f32"):
        from ai_edge_litert import interpreter

        if precision != "f32":
            raise ValueError(f"LiteRT export runs in f32 only, not {precision}")
        self.interpreter = interpreter.Interpreter(
            model_path=os.path.join(out_dir, MODEL_FILE), num_threads=threads or None)
        self.runner = self.interpreter.get_signature_runner("serving_default")
        self.input_names = list(self.runner.get_input_details())

    def __call__(self, inputs):
        return self.runner(**{k: inputs[k] for k in self.input_names})


def load_runner(out_dir, **options):
    return LiteRtRunner(out_dir, **options)
