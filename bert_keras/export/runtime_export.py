"""`export_runtime(src, out, format)`: one model for a runtime other than
TensorFlow (ONNX Runtime, OpenVINO, LiteRT), with its tokenizer beside it,
written atomically and checked through that runtime before it is kept.

    OUT/model.onnx | model.xml + model.bin | model.tflite
                         int32 input_word_ids, input_mask, input_type_ids
                         [batch, seq] -> see runtime_graph.py
    OUT/model_strings.tflite  (LiteRT) strings in, the tokenizer in the
                         graph (litert_export.py)
    OUT/tokenizer.json   Hugging Face tokenizers format (+ tokenizer_config.json)
    OUT/vocab.txt        the WordPiece vocabulary
    OUT/export.json      format, kind (encoder|classifier), outputs, labels,
                         seq_length, the parity measured at export
    OUT/README.md        model card

`load_runtime(OUT)` gives strings-in Python access through the same files:

    >>> from bert_keras.export.runtime_export import export_runtime, load_runtime
    >>> export_runtime("minilm-l6-h384-uncased", "out/onnx", "onnx")   # doctest: +SKIP
    >>> model = load_runtime("out/onnx")                                # doctest: +SKIP
    >>> model.embed(["a gripping film"]).shape                          # doctest: +SKIP
    (1, 384)
"""

import importlib
import json
import os
import tempfile
import time

import numpy as np

from bert_keras.errors import ExportCheckError, InputError, MissingFileError
from bert_keras.utils.atomic_dir import atomic_output_dir, check_output_dir

FORMATS = ("onnx", "openvino", "litert")
METADATA_FILE = "export.json"
VERIFY_ATOL = 1e-4
# Real sentences with punctuation, casing, an accent and unequal lengths
# (so padding is exercised).
CHECK_SENTENCES = [
    "it 's a charming and often affecting journey .",
    "The film is strictly routine, and its 95 minutes feel like an eternity!",
    "Café owners rarely get a movie this good.",
    "bad",
]


def _format_module(fmt):
    if fmt not in FORMATS:
        raise InputError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return importlib.import_module(f"bert_keras.export.{fmt}_export")


def export_runtime(src, out, fmt, seq_length=128, overwrite=False, verify=True,
                   verbose=True, strings_model=True):
    """Exports `src` (model directory, built-in name, checkpoint, or a
    fine-tuned classifier directory) for the runtime `fmt`.

    `strings_model` (LiteRT): also write `model_strings.tflite`, strings in
    with the tokenizer in the graph, where the tokenizer allows it.

    Returns a dict of paths: `out`, `model`, `tokenizer`, `model_card`.
    """
    from bert_keras.export.runtime_graph import RuntimeGraph, load_export_source
    from bert_keras.export.tokenizer_json import write_tokenizer_json

    module = _format_module(fmt)
    out = os.path.abspath(out)
    check_output_dir(out, overwrite)  # fail before the slow work
    log = (lambda m: print(m, flush=True)) if verbose else (lambda m: None)
    start = time.time()
    source = load_export_source(src)
    md = source.model_dir
    seq_length = int(seq_length)
    if not 3 <= seq_length <= md.config.max_position_embeddings:
        raise InputError(f"seq_length must be between 3 and the model's "
                         f"max_position_embeddings ({md.config.max_position_embeddings}), "
                         f"got {seq_length}")
    if source.task:
        seq_length = min(seq_length, int(source.task.sequence_length))
    graph = RuntimeGraph(source)
    log(f"exporting the {source.kind} of {source.name} to {fmt}")
    strings_file, no_strings = None, None
    if strings_model and hasattr(module, "write_strings_model"):
        no_strings = module.strings_model_unavailable(source.tokenizer)
        if no_strings:
            log(f"  no strings-in model: {no_strings}")
    with atomic_output_dir(out, overwrite) as tmp:
        with tempfile.TemporaryDirectory() as work:
            saved = graph.save(os.path.join(work, "saved_model")) if module.NEEDS_SAVED_MODEL else None
            extra = {"source": source} if getattr(module, "BUILDS_FROM_WEIGHTS", False) else {}
            model_path = module.write_model(graph, saved, tmp, **extra)
            if strings_model and hasattr(module, "write_strings_model") and not no_strings:
                strings_file = os.path.basename(module.write_strings_model(
                    graph, source.tokenizer, seq_length, bool(source.task and source.task.pair),
                    tmp, work))
        settings = md.tokenizer
        tokenizer_path = write_tokenizer_json(
            md.vocab, settings.lowercase, tmp, settings.strip_accents,
            settings.tokenize_chinese_chars, seq_length)
        with open(os.path.join(tmp, "vocab.txt"), "w", encoding="utf-8") as f:
            f.writelines(t + "\n" for t in md.vocab)
        meta = {
            "format": fmt, "kind": source.kind, "model_file": os.path.basename(model_path),
            "source": source.name, "seq_length": seq_length,
            "inputs": ["input_word_ids", "input_mask", "input_type_ids"],
            "outputs": sorted(graph(_dummy_inputs()).keys()),
            "hidden_size": md.config.hidden_size, "num_layers": md.config.num_layers,
        }
        if strings_file:
            meta["strings_model_file"] = strings_file
            meta["strings_inputs"] = ["text", "text_b"] if source.task and source.task.pair \
                else ["text"]
        elif no_strings:
            meta["strings_model_unavailable"] = no_strings
        if source.task:
            task = source.task.to_dict()
            meta["task"] = {k: task[k] for k in
                            ("type", "num_classes", "labels", "pair", "task_name")
                            if k in task}
        if verify:
            meta["max_abs_diff"] = verify_export(tmp, source, graph, fmt, meta)
            log(f"  max |{fmt} - keras| on the check sentences: "
                + ", ".join(f"{k} {v:.1e}" for k, v in meta["max_abs_diff"].items()))
            if strings_file:
                meta["strings_max_abs_diff"] = verify_strings_model(tmp, source, graph, meta)
                log(f"  max |{fmt} strings model - keras|: " + ", ".join(
                    f"{k} {v:.1e}" for k, v in meta["strings_max_abs_diff"].items()))
        with open(os.path.join(tmp, METADATA_FILE), "w", encoding="utf-8") as f:
            json.dump(meta, f, indent=2)
        with open(os.path.join(tmp, "README.md"), "w", encoding="utf-8") as f:
            f.write(runtime_model_card(meta, md))
    log(f"exported to {out} in {time.time() - start:.1f}s")
    paths = {"out": out, "model": os.path.join(out, meta["model_file"]),
             "tokenizer": os.path.join(out, "tokenizer.json"),
             "model_card": os.path.join(out, "README.md")}
    if strings_file:
        paths["strings_model"] = os.path.join(out, strings_file)
    return paths


def _dummy_inputs():
    return {"input_word_ids": np.array([[2, 3]], np.int32),
            "input_mask": np.ones((1, 2), np.int32),
            "input_type_ids": np.zeros((1, 2), np.int32)}


def verify_export(path, source, graph, fmt, meta):
    """Tokenizes the check sentences with `tokenizer.json` (ids must equal
    ours), runs them through the runtime, and compares with the Keras
    graph. Raises `ExportCheckError` (nothing is kept) on a difference."""
    from bert_keras.export.runtime_graph import max_differences
    from bert_keras.export.tokenizer_json import encode_batch
    from bert_keras.tokenization.preprocessor import BertPreprocessor

    pair = bool(source.task and source.task.pair)
    a = CHECK_SENTENCES
    b = CHECK_SENTENCES[::-1] if pair else None
    got_ids = encode_batch(os.path.join(path, "tokenizer.json"), a, b)
    ours = BertPreprocessor(source.tokenizer, meta["seq_length"], dynamic_length=True)(
        tuple(x for x in (a, b) if x is not None) if pair else a)
    want_ids = np.asarray(ours["token_ids"])
    if got_ids["input_word_ids"].shape != want_ids.shape or \
            (got_ids["input_word_ids"] != want_ids).any():
        raise ExportCheckError("tokenizer.json tokenizes the check sentences differently "
                               "from the model's tokenizer; nothing was written")
    runner = load_runtime(path, metadata=meta, inputs="ids").runner
    diffs = max_differences(runner(got_ids), graph(got_ids))
    worst = max(diffs.values())
    if not worst <= VERIFY_ATOL:
        raise ExportCheckError(f"the {fmt} export differs from the Keras model by "
                               f"{worst:.3g} (tolerance {VERIFY_ATOL}: {diffs}); "
                               "nothing was written")
    return diffs


def _check_pair(source):
    pair = bool(source.task and source.task.pair)
    return CHECK_SENTENCES, (CHECK_SENTENCES[::-1] if pair else None)


def verify_strings_model(path, source, graph, meta):
    """The strings-in model on the check sentences: its packed ids must
    equal our tokenizer's and its outputs the Keras graph's on those ids.
    Raises `ExportCheckError` (nothing is kept) otherwise."""
    from bert_keras.export.runtime_graph import max_differences
    from bert_keras.tokenization.preprocessor import BertPreprocessor

    a, b = _check_pair(source)
    ours = BertPreprocessor(source.tokenizer, meta["seq_length"], dynamic_length=True)(
        (a, b) if b is not None else a)
    want_ids = {"input_word_ids": np.asarray(ours["token_ids"]),
                "input_mask": np.asarray(ours["padding_mask"]),
                "input_type_ids": np.asarray(ours["segment_ids"])}
    got = _format_module(meta["format"]).load_strings_runner(path)(a, b)
    for k, want in want_ids.items():
        if got[k].shape != want.shape or (got[k] != want).any():
            raise ExportCheckError(f"the strings-in model packs the check sentences differently "
                                   f"from the model's tokenizer ({k}); nothing was written")
    diffs = max_differences(got, graph(want_ids))
    worst = max(diffs.values())
    if not worst <= VERIFY_ATOL:
        raise ExportCheckError(f"the strings-in model differs from the Keras model by "
                               f"{worst:.3g} (tolerance {VERIFY_ATOL}: {diffs}); "
                               "nothing was written")
    return diffs


# Sentences per run when a call brings more than this: see RuntimeModel.
BUCKET_SIZE = 8


class RuntimeModel:
    """An export loaded in its runtime, strings in: through the strings-in
    model where the export has one (LiteRT) unless `inputs="ids"`, else
    tokenized with the exported `tokenizer.json`, then the model file.

    Length bucketing (`bucket_size`, default 8; None turns it off; the
    tokenizer.json path): a call with more texts than that is sorted by
    token count and run in groups of `bucket_size` similar lengths, each
    padded only to its own longest, and the outputs are put back in the
    caller's order. On SST-2 dev in batches of 32 that cuts the tokens
    computed from 42,000 to 26,400 (21,900 are real). `sequence_output` is
    then zero at padding positions (unbucketed, they hold whatever the model
    computes there, which nothing should read).
    """

    def __init__(self, path, metadata=None, inputs="strings", bucket_size=BUCKET_SIZE,
                 **options):
        from tokenizers import Tokenizer

        if metadata is None:
            meta_file = os.path.join(path, METADATA_FILE)
            if not os.path.isfile(meta_file):
                raise MissingFileError(f"{meta_file} not found: not a bert-keras runtime export")
            with open(meta_file, encoding="utf-8") as f:
                metadata = json.load(f)
        self.metadata = metadata
        if inputs not in ("strings", "ids"):
            raise InputError(f"inputs must be 'strings' or 'ids', got {inputs!r}")
        module = _format_module(metadata["format"])
        self.runner = module.load_runner(path, **options)
        self.strings_runner = None
        if inputs == "strings" and metadata.get("strings_model_file"):
            self.strings_runner = module.load_strings_runner(path, **options)
        self.tokenizer = Tokenizer.from_file(os.path.join(path, "tokenizer.json"))
        self.bucket_size = int(bucket_size) if bucket_size else None

    def encode(self, texts, texts_b=None):
        from bert_keras.export.tokenizer_json import encode_batch

        return encode_batch(self.tokenizer, texts, texts_b)

    def __call__(self, texts, texts_b=None):
        if self.strings_runner is not None:
            out = self.strings_runner(texts, texts_b)
            if "sequence_output" in out:  # zero at padding, as on the bucketed path
                mask = np.asarray(out["input_mask"])[..., None].astype(np.float32)
                out["sequence_output"] = out["sequence_output"] * mask
            return out
        return self.run(self.encode(texts, texts_b))

    def run(self, inputs):
        """Token-id inputs (as `encode` gives) -> outputs, length-bucketed."""
        lengths = inputs["input_mask"].sum(axis=1)
        n = len(lengths)
        if not self.bucket_size or n <= self.bucket_size:
            return self.runner(inputs)
        order = np.argsort(lengths, kind="stable")
        parts = []
        for start in range(0, n, self.bucket_size):
            rows = order[start:start + self.bucket_size]
            longest = max(int(lengths[rows].max()), 1)
            parts.append(self.runner({k: np.ascontiguousarray(v[rows, :longest])
                                      for k, v in inputs.items()}))
        restore = np.empty(n, np.int64)
        restore[order] = np.arange(n)
        seq = inputs["input_mask"].shape[1]
        out = {}
        for name in parts[0]:
            pieces = [p[name] for p in parts]
            if name == "sequence_output":
                pieces = [np.pad(x, ((0, 0), (0, seq - x.shape[1]), (0, 0))) for x in pieces]
            out[name] = np.concatenate(pieces)[restore]
        if "sequence_output" in out:
            out["sequence_output"] *= inputs["input_mask"][..., None].astype(np.float32)
        return out

    def embed(self, texts):
        """L2-normalized mean-pooled sentence embeddings `[batch, H]`."""
        return self(texts)["embedding"]

    def predict_labels(self, texts, texts_b=None):
        """Label names (or ids) of a classifier export."""
        probs = self(texts, texts_b)["probabilities"]
        labels = self.metadata.get("task", {}).get("labels")
        ids = probs.argmax(-1)
        return [labels[i] if labels else int(i) for i in ids]


def load_runtime(path, metadata=None, **options):
    """A `RuntimeModel` for an export directory (options: `bucket_size`,
    `threads`, `precision` "f32"/"bf16"/"int8"... where the runtime has it,
    `inputs` "strings" (default: the strings-in model where there is one) or
    "ids")."""
    return RuntimeModel(path, metadata, **options)


_RUNTIME = {
    "onnx": ("ONNX (opset {opset})", "onnxruntime", "model.onnx",
             "import onnxruntime as ort; s = ort.InferenceSession('model.onnx'); "
             "s.run(None, inputs)"),
    "openvino": ("OpenVINO IR (f32 weights)", "openvino", "model.xml + model.bin",
                 "import openvino as ov; m = ov.Core().compile_model('model.xml', 'CPU', "
                 "{'INFERENCE_PRECISION_HINT': 'f32'}); m(inputs)"),
    "litert": ("LiteRT flatbuffer (builtin ops only)", "ai-edge-litert", "model.tflite",
               "from ai_edge_litert.interpreter import Interpreter; "
               "Interpreter('model.tflite').get_signature_runner()(**inputs)"),
}


def runtime_model_card(meta, md):
    """The README.md of a runtime export."""
    fmt = meta["format"]
    title, package, files, snippet = _RUNTIME[fmt]
    title = title.format(opset=getattr(_format_module(fmt), "OPSET", ""))
    c = md.config
    outputs = ", ".join(meta["outputs"])
    lines = [
        f"# {meta['source']}: {meta['kind']} for {title}", "",
        f"- Format: {title}, file {files}; runtime: `{package}`.",
        f"- Model: BERT {meta['kind']}, L={c.num_layers} H={c.hidden_size} "
        f"heads={c.num_heads} vocab={c.vocab_size}, float32.",
        "- Inputs: int32 `input_word_ids`, `input_mask`, `input_type_ids` `[batch, seq]` "
        f"(dynamic; seq up to {c.max_position_embeddings}).",
        f"- Outputs: {outputs}.",
    ]
    if "embedding" in meta["outputs"]:
        lines.append("- `embedding`: mean of `sequence_output` over `input_mask`, "
                     "L2-normalized (sentence-transformers' `normalize_embeddings=True`).")
    if "task" in meta:
        t = meta["task"]
        lines.append(f"- Task: {t.get('task_name')} ({t.get('type')}), labels "
                     f"{t.get('labels') or list(range(t.get('num_classes', 0)))}"
                     f"{', sentence pairs' if t.get('pair') else ''}.")
    lines += [
        f"- Tokenizer: `tokenizer.json` (Hugging Face `tokenizers`, transformers.js), "
        f"lowercase={md.tokenizer.lowercase}, truncation at {meta['seq_length']} tokens, "
        "padding to the longest text; same ids as the model's own tokenizer.",
    ]
    if "max_abs_diff" in meta:
        diffs = ", ".join(f"{k} {v:.1e}" for k, v in meta["max_abs_diff"].items())
        lines.append(f"- Checked at export against the Keras model: max |diff| {diffs}.")
    if meta.get("strings_model_file"):
        inputs = " and ".join(f"`{k}`" for k in meta["strings_inputs"])
        lines.append(
            f"- Strings in: `{meta['strings_model_file']}` takes string {inputs} `[batch]`, "
            "tokenizes in the graph (tensorflow_text FastBertNormalizer + FastWordpieceTokenizer "
            "custom ops, same ids as the model's tokenizer; register "
            "`tensorflow_text.tflite_registrar.SELECT_TFTEXT_OPS`) and also outputs the "
            "`input_word_ids`, `input_mask`, `input_type_ids` it packed"
            + (", max |diff| " + ", ".join(f"{k} {v:.1e}" for k, v in
                                          meta["strings_max_abs_diff"].items())
               if "strings_max_abs_diff" in meta else "") + ".")
    elif meta.get("strings_model_unavailable"):
        lines.append(f"- No strings-in model: {meta['strings_model_unavailable']}.")
    lines += ["", "```python", "from tokenizers import Tokenizer",
              "enc = Tokenizer.from_file('tokenizer.json').encode_batch(['a gripping film'])",
              "import numpy as np",
              "inputs = {'input_word_ids': np.array([e.ids for e in enc], np.int32),",
              "          'input_mask': np.array([e.attention_mask for e in enc], np.int32),",
              "          'input_type_ids': np.array([e.type_ids for e in enc], np.int32)}",
              snippet, "```", ""]
    if meta.get("strings_model_file"):
        inputs = ", ".join(f"{k}=np.array(['a gripping film'])" for k in meta["strings_inputs"])
        lines[-1:-1] = [
            "```python", "import numpy as np, tensorflow_text as tf_text",
            "from ai_edge_litert.interpreter import InterpreterWithCustomOps",
            f"m = InterpreterWithCustomOps(model_path='{meta['strings_model_file']}',",
            "    custom_op_registerers=tf_text.tflite_registrar.SELECT_TFTEXT_OPS)",
            f"m.get_signature_runner()({inputs})", "```"]
    return "\n".join(lines)
