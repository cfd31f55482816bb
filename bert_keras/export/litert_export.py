"""LiteRT (`.tflite`): two models, both converted with
`tf.lite.TFLiteConverter` from a SavedModel with builtin ops only (no Flex:
the pip interpreters no longer carry it), run with the LiteRT interpreter
(`ai_edge_litert`).

- `model.tflite`: the ids-in graph (`runtime_graph.py`), tokenized outside
  with `tokenizer.json`, as for ONNX and OpenVINO.
- `model_strings.tflite`: strings in. The tokenizer runs in the graph
  (`litert_tokenizer.py`: tensorflow_text `FastBertNormalize` and
  `FastWordpieceTokenizeWithOffsets` custom ops), so the interpreter needs
  tensorflow_text's LiteRT kernels registered, as tensorflow_text documents:
  `InterpreterWithCustomOps(custom_op_registerers=
  tf_text.tflite_registrar.SELECT_TFTEXT_OPS)`. Besides the model's outputs
  it gives the `input_word_ids`, `input_mask`, `input_type_ids` it packed.
  Not written for tokenizers LiteRT cannot run (`unsupported_reason`) or
  with `strings_model=False` (`bert-keras export --ids-only`).

    >>> from bert_keras.export.runtime_export import export_runtime, load_runtime
    >>> export_runtime("minilm-l6-h384-uncased", "out/litert", "litert")   # doctest: +SKIP
    >>> load_runtime("out/litert").embed(["a gripping film"]).shape        # doctest: +SKIP
    (1, 384)
"""

import os

import numpy as np

MODEL_FILE = "model.tflite"
STRINGS_MODEL_FILE = "model_strings.tflite"
NEEDS_SAVED_MODEL = True


def _convert(saved_model_dir, path, custom_ops=False):
    import tensorflow as tf

    converter = tf.lite.TFLiteConverter.from_saved_model(saved_model_dir)
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
    # The tensorflow_text ops have LiteRT kernels of their own (custom ops).
    converter.allow_custom_ops = custom_ops
    with open(path, "wb") as f:
        f.write(converter.convert())
    return path


def write_model(graph, saved_model_dir, out_dir):
    """Converts the SavedModel of `graph` to `out_dir/model.tflite`."""
    return _convert(saved_model_dir, os.path.join(out_dir, MODEL_FILE))


def write_strings_model(graph, tokenizer, seq_length, pair, out_dir, work_dir):
    """`out_dir/model_strings.tflite`: tokenizer + `graph` (a
    `RuntimeGraph`), strings in."""
    module = StringsGraph(graph, tokenizer, seq_length, pair)
    saved = module.save(os.path.join(work_dir, "strings_saved_model"))
    return _convert(saved, os.path.join(out_dir, STRINGS_MODEL_FILE), custom_ops=True)


def strings_model_unavailable(tokenizer):
    """None, or why the tokenizer cannot go inside a LiteRT model."""
    from bert_keras.export.litert_tokenizer import unsupported_reason

    return unsupported_reason(tokenizer)


class StringsGraph:
    """`serving_default(text[, text_b])`: the packed ids and the outputs of
    the `RuntimeGraph`."""

    def __init__(self, graph, tokenizer, seq_length, pair=False):
        import tensorflow as tf

        from bert_keras.export.litert_tokenizer import LiteRtTokenizer

        self.module = tf.Module(name="bert_strings")
        self.module.graph = graph
        self.module.tokenizer = LiteRtTokenizer(tokenizer, seq_length)
        spec = [tf.TensorSpec([None], tf.string, name="text")]
        if pair:
            spec.append(tf.TensorSpec([None], tf.string, name="text_b"))
        self.module.serve = tf.function(self._outputs, input_signature=spec, autograph=False)

    def _outputs(self, text, text_b=None):
        inputs = self.module.tokenizer(text, text_b)
        out = dict(self.module.graph._outputs(**inputs))
        out.update(inputs)
        return out

    def save(self, path):
        import tensorflow as tf

        fn = self.module.serve.get_concrete_function()
        tf.saved_model.save(self.module, path, signatures={"serving_default": fn})
        return path


def _interpreter(path, threads=None, custom_ops=False):
    from ai_edge_litert import interpreter

    if not custom_ops:
        return interpreter.Interpreter(model_path=path, num_threads=threads or None)
    import tensorflow_text as tf_text

    return interpreter.InterpreterWithCustomOps(
        model_path=path, num_threads=threads or None,
        custom_op_registerers=tf_text.tflite_registrar.SELECT_TFTEXT_OPS)


class LiteRtRunner:
    """numpy int32 inputs -> dict of numpy outputs, with the LiteRT
    interpreter (XNNPACK on CPU); the signature runner resizes the dynamic
    `[batch, seq]` inputs per call."""

    def __init__(self, out_dir, threads=None, precision="f32"):
        if precision != "f32":
            raise ValueError(f"LiteRT export runs in f32 only, not {precision}")
        self.interpreter = _interpreter(os.path.join(out_dir, MODEL_FILE), threads)
        self.runner = self.interpreter.get_signature_runner("serving_default")
        self.input_names = list(self.runner.get_input_details())

    def __call__(self, inputs):
        return self.runner(**{k: inputs[k] for k in self.input_names})


class LiteRtStringsRunner:
    """Strings in (`texts`, and `texts_b` for a pair model) -> dict of numpy
    outputs, through `model_strings.tflite` with tensorflow_text's kernels."""

    def __init__(self, out_dir, threads=None, precision="f32"):
        if precision != "f32":
            raise ValueError(f"LiteRT export runs in f32 only, not {precision}")
        self.interpreter = _interpreter(os.path.join(out_dir, STRINGS_MODEL_FILE), threads,
                                        custom_ops=True)
        self.runner = self.interpreter.get_signature_runner("serving_default")
        self.pair = "text_b" in self.runner.get_input_details()

    def __call__(self, texts, texts_b=None):
        if self.pair != (texts_b is not None):
            raise ValueError("this model takes " + ("two texts (text, text_b)" if self.pair
                                                    else "one text"))
        inputs = {"text": np.asarray(list(texts), dtype=object)}
        if self.pair:
            inputs["text_b"] = np.asarray(list(texts_b), dtype=object)
        return self.runner(**inputs)


def load_runner(out_dir, **options):
    return LiteRtRunner(out_dir, **options)


def load_strings_runner(out_dir, **options):
    return LiteRtStringsRunner(out_dir, **options)
