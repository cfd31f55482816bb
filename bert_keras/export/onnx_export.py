"""ONNX: the ids-in graph (`runtime_graph.py`) converted with tf2onnx, run
with ONNX Runtime (Python, Node.js, C++, C#, Java ...).

Strings do not go in: tf2onnx maps none of the ops of our tokenizer
(FastWordpiece, NormalizeUTF8/CaseFold) to ONNX or onnxruntime-extensions,
and onnxruntime-extensions' BertTokenizer takes one text per run and does
not load in onnxruntime-node. So `tokenizer.json` travels beside
`model.onnx` (see `runtime_export.py`).

    >>> from bert_keras.export.runtime_export import export_runtime, load_runtime
    >>> export_runtime("minilm-l6-h384-uncased", "out/onnx", "onnx")   # doctest: +SKIP
    >>> run = load_runtime("out/onnx")                                  # doctest: +SKIP
    >>> run.embed(["hello world"]).shape                                 # doctest: +SKIP
    (1, 384)
"""

import os

MODEL_FILE = "model.onnx"
OPSET = 17
NEEDS_SAVED_MODEL = False


def write_model(graph, saved_model_dir, out_dir):
    """Converts `graph` (a `RuntimeGraph`) to `out_dir/model.onnx`."""
    import tf2onnx

    path = os.path.join(out_dir, MODEL_FILE)
    tf2onnx.convert.from_function(graph.serve, input_signature=graph.serve.input_signature,
                                  opset=OPSET, output_path=path)
    return path


class OnnxRunner:
    """numpy int32 inputs -> dict of numpy outputs, with ONNX Runtime."""

    def __init__(self, out_dir, threads=None, precision="f32"):
        import onnxruntime as ort

        if precision != "f32":
            raise ValueError(f"ONNX Runtime runs this model in f32 only, not {precision}")
        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = int(threads)
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(os.path.join(out_dir, MODEL_FILE), options,
                                            providers=["CPUExecutionProvider"])
        self.output_names = [o.name for o in self.session.get_outputs()]
        self.input_names = [i.name for i in self.session.get_inputs()]

    def __call__(self, inputs):
        feed = {k: inputs[k] for k in self.input_names}
        return dict(zip(self.output_names, self.session.run(None, feed)))


def load_runner(out_dir, **options):
    return OnnxRunner(out_dir, **options)
