"""OpenVINO IR: the ids-in graph built op by op from the model's weights
(`openvino_graph.py`: fused attention and LayerNorm; `ov.convert_model` of
the TensorFlow graph, `runtime_graph.py`, remains as `write_model` without a
source), run with the OpenVINO runtime in f32 (parity) or bf16 (speed, on
CPUs with AMX / AVX512-BF16), LATENCY hint (one stream, every core: right
for synchronous calls, whatever the batch).

Weights are stored in f32 (`compress_to_fp16=False`): `save_model`'s default
f16 compression moves outputs by ~1e-3, beyond the 1e-4 parity budget.
Strings do not go in: openvino-tokenizers has no translator for
FastWordpiece, so `tokenizer.json` travels beside `model.xml`.

    >>> from bert_keras.export.runtime_export import export_runtime, load_runtime
    >>> export_runtime("minilm-l6-h384-uncased", "out/ov", "openvino")   # doctest: +SKIP
    >>> run = load_runtime("out/ov", precision="bf16")                   # doctest: +SKIP
"""

import os

MODEL_FILE = "model.xml"
NEEDS_SAVED_MODEL = False
BUILDS_FROM_WEIGHTS = True  # write_model takes the ExportSource
PRECISIONS = ("f32", "bf16")
INT8_DIR_NOTE = "int8 activations and weights (NNCF post-training quantization)"


def write_model(graph, saved_model_dir, out_dir, source=None):
    """Writes `out_dir/model.xml` + `.bin`: built op by op from the weights
    (`openvino_graph.py`, fused attention and LayerNorm) when `source` (an
    `ExportSource`) is given, else converted from `graph` (a `RuntimeGraph`)
    by OpenVINO's TensorFlow frontend."""
    import openvino as ov

    if source is not None:
        from bert_keras.export.openvino_graph import build_openvino_model

        model = build_openvino_model(source)
    else:
        model = ov.convert_model(graph.concrete_function())
    path = os.path.join(out_dir, MODEL_FILE)
    ov.save_model(model, path, compress_to_fp16=False)
    return path


class OpenVinoRunner:
    """numpy int32 inputs -> dict of numpy outputs, with the OpenVINO CPU
    plugin at an explicit inference precision (its default on AMX CPUs is
    bf16, which is not f32 parity)."""

    def __init__(self, out_dir, threads=None, precision="f32", latency=True):
        import openvino as ov
        import openvino.properties as props
        import openvino.properties.hint as hints

        if precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {PRECISIONS}, got {precision!r}")
        config = {hints.inference_precision: ov.Type.f32 if precision == "f32" else ov.Type.bf16,
                  hints.performance_mode: hints.PerformanceMode.LATENCY if latency
                  else hints.PerformanceMode.THROUGHPUT}
        if threads:
            config[props.inference_num_threads] = int(threads)
        core = ov.Core()
        self.compiled = core.compile_model(os.path.join(out_dir, MODEL_FILE), "CPU", config)
        self.request = self.compiled.create_infer_request()
        self.outputs = [(o, o.get_any_name()) for o in self.compiled.outputs]
        self.input_names = [i.get_any_name() for i in self.compiled.inputs]

    def __call__(self, inputs):
        result = self.request.infer({k: inputs[k] for k in self.input_names}, share_inputs=True)
        return {name: result[o].copy() for o, name in self.outputs}


def load_runner(out_dir, **options):
    return OpenVinoRunner(out_dir, **options)


# The feed-forward output projections read GELU outputs with large
# outliers; in int8 they cost most of the accuracy (SST-2 dev: -0.9 points
# with them, see README), so they stay in bf16/f32.
INT8_IGNORED = r"layer_\d+/output/matmul"


def quantize_int8(export_dir, out_dir, calibration_texts, batch_size=8, ignored=INT8_IGNORED):
    """Post-training int8 quantization (NNCF, transformer preset with
    SmoothQuant) of an OpenVINO export, calibrated on `calibration_texts`
    tokenized with its tokenizer.json; the other files are copied. Needs
    `pip install nncf`. Measure the accuracy cost before serving it
    (bench/bench_serving.py reports it on SST-2 dev).
    """
    import shutil

    import nncf
    import openvino as ov

    from bert_keras.export.tokenizer_json import encode_batch

    texts = list(calibration_texts)
    tokenizer = os.path.join(export_dir, "tokenizer.json")
    batches = [encode_batch(tokenizer, texts[i:i + batch_size])
               for i in range(0, len(texts), batch_size)]
    model = ov.Core().read_model(os.path.join(export_dir, MODEL_FILE))
    scope = nncf.IgnoredScope(patterns=[ignored], validate=False) if ignored else None
    quantized = nncf.quantize(model, nncf.Dataset(batches), model_type=nncf.ModelType.TRANSFORMER,
                              subset_size=len(batches), ignored_scope=scope)
    os.makedirs(out_dir, exist_ok=True)
    for name in os.listdir(export_dir):
        if not name.startswith("model."):
            shutil.copy(os.path.join(export_dir, name), out_dir)
    ov.save_model(quantized, os.path.join(out_dir, MODEL_FILE), compress_to_fp16=False)
    return out_dir
