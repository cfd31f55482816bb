"""Serving throughput and latency, end to end (raw strings in, tokenization
included), on SST-2 dev, for every path bert_keras ships and the peers a
user would pick instead. EVERY configuration runs in its own process:
TensorFlow's and PyTorch's thread pools in one process slow each other
down several-fold.

Tasks (same weights everywhere):
  embed     strings -> sentence embedding (masked mean of the last layer,
            L2-normalized) of the embedded MiniLM (L6/H384)
  classify  strings -> SST-2 label with a fine-tuned classifier (--classifier
            DIR, made by `bert-keras finetune`); the peers run the same
            fine-tuned weights (written as a Hugging Face directory)

Ours:  keras-fp32, keras-bf16 (tokenizer + packer + model in one
       tf.function, padded to the longest of each batch), tfhub-savedmodel
       (embed: TF-Hub preprocess + encoder, fixed length 128),
       serving-savedmodel (classify: `export-classifier`), litert, onnx,
       onnx-int8 (dynamic int8 quantization of the ONNX export),
       openvino-f32, openvino-bf16 (the `export --format` outputs; tokenized
       with their tokenizer.json, run through `load_runtime`, which
       length-buckets a batch in groups of 8), openvino-int8 (NNCF post-training int8 of
       the OpenVINO export, calibrated on 512 SST-2 train sentences; needs
       `pip install nncf`).
Peers: hf-torch-fp32, hf-torch-bf16 (autocast), hf-openvino
       (`openvino.convert_model` of the PyTorch model, LATENCY hint and
       bf16 as ours, as optimum-intel runs it), hf-onnxruntime (`torch.onnx.export` +
       ONNX Runtime), keras-hub (BertBackbone + its preprocessor, length 128).

Batch 32: the 872 sentences in file order (as requests arrive), best of
--passes passes -> sentences/s; and again with batches of similar length
(sorted by character length, the same for every row) -> "sorted". Batch 1: the first --latency-limit
sentences one at a time -> p50/p99 ms (the pass with the best p50).
Outputs are compared with keras-fp32 (max|diff|) and, for classify, scored
(SST-2 dev accuracy), so int8's accuracy cost is measured, not assumed.

    python bench/bench_serving.py --classifier out/sst2
    python bench/bench_serving.py --tasks embed --configs onnx hf-torch-fp32
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_DATA = os.environ.get("BERT_KERAS_SHARED_DATA", os.path.join(REPO, "..", "shared", "data"))
MAX_LEN = 128
OURS = ["keras-fp32", "keras-bf16", "tfhub-savedmodel", "serving-savedmodel", "litert", "onnx",
        "onnx-int8", "openvino-f32", "openvino-bf16", "openvino-int8"]
PEERS = ["hf-torch-fp32", "hf-torch-bf16", "hf-openvino", "hf-onnxruntime", "keras-hub"]
ONLY = {"tfhub-savedmodel": "embed", "serving-savedmodel": "classify"}


def load_sst2_dev(data_dir, limit=None, split="dev"):
    path = os.path.join(data_dir, "SST-2", f"{split}.tsv")
    if not os.path.isfile(path):
        sys.exit(f"error: SST-2 dev not found at {path} (use --data DIR)")
    with open(path, encoding="utf-8") as f:
        rows = [r.split("\t") for r in f.read().splitlines()[1:] if r.strip()]
    rows = rows[:limit] if limit else rows
    return [r[0] for r in rows], np.array([int(r[1]) for r in rows])


# --------------------------------------------------------------------------
# Preparation (once, in the driver): exports and a Hugging Face copy of the
# fine-tuned classifier for the peers.
# --------------------------------------------------------------------------
def hf_state_dict(weights, num_layers):
    """Canonical weights -> Hugging Face BertModel tensor names (the inverse
    of bert_keras.checkpoints.hf.read_hf)."""
    sd = {"embeddings.word_embeddings.weight": weights["embeddings/word_embeddings"],
          "embeddings.position_embeddings.weight": weights["embeddings/position_embeddings"],
          "embeddings.token_type_embeddings.weight": weights["embeddings/token_type_embeddings"],
          "embeddings.LayerNorm.weight": weights["embeddings/LayerNorm/gamma"],
          "embeddings.LayerNorm.bias": weights["embeddings/LayerNorm/beta"],
          "pooler.dense.weight": weights["pooler/kernel"].T,
          "pooler.dense.bias": weights["pooler/bias"]}
    for i in range(num_layers):
        hf, ours = f"encoder.layer.{i}.", f"layer_{i}/"
        for hf_part, part in (("attention.self.query", "query"), ("attention.self.key", "key"),
                              ("attention.self.value", "value"),
                              ("attention.output.dense", "attention_output"),
                              ("intermediate.dense", "intermediate"), ("output.dense", "output")):
            sd[f"{hf}{hf_part}.weight"] = weights[f"{ours}{part}/kernel"].T
            sd[f"{hf}{hf_part}.bias"] = weights[f"{ours}{part}/bias"]
        for hf_part, part in (("attention.output.LayerNorm", "attention_LayerNorm"),
                              ("output.LayerNorm", "output_LayerNorm")):
            sd[f"{hf}{hf_part}.weight"] = weights[f"{ours}{part}/gamma"]
            sd[f"{hf}{hf_part}.bias"] = weights[f"{ours}{part}/beta"]
    return {k: np.ascontiguousarray(v, np.float32) for k, v in sd.items()}


def write_hf_copy(model_dir, template_hf_dir, out):
    """The fine-tuned classifier as an HF BertModel directory + head.npz."""
    from safetensors.numpy import save_file

    from bert_keras.checkpoints.model_dir import read_model_dir

    md = read_model_dir(model_dir)
    os.makedirs(out, exist_ok=True)
    for name in ("config.json", "vocab.txt", "tokenizer_config.json", "tokenizer.json",
                 "special_tokens_map.json"):
        if os.path.isfile(os.path.join(template_hf_dir, name)):
            shutil.copy(os.path.join(template_hf_dir, name), out)
    save_file(hf_state_dict(md.weights, md.config.num_layers),
              os.path.join(out, "model.safetensors"), metadata={"format": "pt"})
    np.savez(os.path.join(out, "head.npz"), kernel=md.weights["classifier/kernel"],
             bias=md.weights["classifier/bias"], pooling=md.task.get("pooling", "cls"))


def quantize_onnx(src_dir, out_dir):
    """Dynamic int8 (weights int8, activations quantized per batch) of an
    ONNX export; the tokenizer and metadata files are copied."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    os.makedirs(out_dir, exist_ok=True)
    for name in os.listdir(src_dir):
        if name != "model.onnx":
            shutil.copy(os.path.join(src_dir, name), out_dir)
    quantize_dynamic(os.path.join(src_dir, "model.onnx"), os.path.join(out_dir, "model.onnx"),
                     weight_type=QuantType.QInt8)


def prepare(work, tasks, classifier, configs, data_dir):
    from bert_keras.checkpoints.builtin import DEFAULT_MODEL, resolve_builtin
    from bert_keras.export import export_hub
    from bert_keras.export.classifier_export import export_classifier
    from bert_keras.export.runtime_export import export_runtime

    sources = {"embed": DEFAULT_MODEL, "classify": classifier}
    for task in tasks:
        base = os.path.join(work, task)
        src = sources[task]

        def need(name, path):
            return name in configs and not os.path.exists(path)

        for fmt, names in (("onnx", ("onnx", "onnx-int8")), ("litert", ("litert",)),
                           ("openvino", ("openvino-f32", "openvino-bf16"))):
            path = os.path.join(base, fmt)
            if any(n in configs for n in names) and not os.path.exists(path):
                export_runtime(src, path, fmt, seq_length=MAX_LEN)
        if need("onnx-int8", os.path.join(base, "onnx-int8")):
            quantize_onnx(os.path.join(base, "onnx"), os.path.join(base, "onnx-int8"))
        if need("openvino-int8", os.path.join(base, "openvino-int8")):
            from bert_keras.export.openvino_export import quantize_int8

            if not os.path.exists(os.path.join(base, "openvino")):
                export_runtime(src, os.path.join(base, "openvino"), "openvino", seq_length=MAX_LEN)
            # Calibrated on SST-2 *train* sentences; scored on dev.
            train, _ = load_sst2_dev(data_dir, None, split="train")
            quantize_int8(os.path.join(base, "openvino"), os.path.join(base, "openvino-int8"),
                          train[:512])
        if task == "embed" and need("tfhub-savedmodel", os.path.join(base, "tfhub")):
            export_hub(src, os.path.join(base, "tfhub"), seq_length=MAX_LEN, frozen=True)
        if task == "classify" and need("serving-savedmodel", os.path.join(base, "serving")):
            export_classifier(src, os.path.join(base, "serving"))
        if task == "classify" and not os.path.exists(os.path.join(base, "hf")):
            write_hf_copy(src, resolve_builtin(DEFAULT_MODEL), os.path.join(base, "hf"))


# --------------------------------------------------------------------------
# Pipelines: each `fn(list of strings) -> np.ndarray` ([n, H] embeddings or
# [n, classes] probabilities), built inside the worker process.
# --------------------------------------------------------------------------
def keras_pipeline(task, classifier, dtype):
    import tensorflow as tf

    from bert_keras.checkpoints.convert import load_model_dir
    from bert_keras.models.factory import build_encoder
    from bert_keras.tokenization.factory import build_tokenizer
    from bert_keras.export.runtime_graph import mean_embedding
    from bert_keras.tasks.classifier import load_classifier
    from bert_keras.tokenization.preprocessor import BertPreprocessor

    if task == "embed":
        md = load_model_dir("minilm-l6-h384-uncased")
        encoder = build_encoder(md, dtype=dtype)
        pre = BertPreprocessor(build_tokenizer(md), MAX_LEN, dynamic_length=True)

        def graph(s):
            x = pre(s)
            seq = tf.cast(encoder(x, training=False)["sequence_output"], tf.float32)
            return mean_embedding(seq, x["padding_mask"])
    else:
        model, pre, _ = load_classifier(classifier, dtype=dtype, sequence_length=MAX_LEN)

        def graph(s):
            return tf.nn.softmax(tf.cast(model(pre(s), training=False), tf.float32), -1)
    fn = tf.function(graph, input_signature=[tf.TensorSpec([None], tf.string)])
    return lambda texts: fn(tf.constant(texts)).numpy()


def tfhub_pipeline(work):
    import tensorflow as tf
    import tensorflow_text  # noqa: F401

    from bert_keras.export.runtime_graph import mean_embedding

    pre = tf.saved_model.load(os.path.join(work, "embed", "tfhub", "preprocess"))
    enc = tf.saved_model.load(os.path.join(work, "embed", "tfhub", "encoder"))

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string)])
    def fn(s):
        x = pre(s)
        return mean_embedding(enc(x)["sequence_output"], x["input_mask"])
    return lambda texts: fn(tf.constant(texts)).numpy()


def serving_pipeline(work):
    import tensorflow as tf
    import tensorflow_text  # noqa: F401

    sig = tf.saved_model.load(os.path.join(work, "classify", "serving")).signatures["serving_default"]
    return lambda texts: sig(text=tf.constant(texts))["probabilities"].numpy()


def runtime_pipeline(work, task, config):
    from bert_keras.export.runtime_export import load_runtime

    fmt = {"onnx": "onnx", "onnx-int8": "onnx-int8", "litert": "litert",
           "openvino-f32": "openvino", "openvino-bf16": "openvino",
           "openvino-int8": "openvino-int8"}[config]
    options = {}
    if config.startswith("openvino"):
        # int8: the quantized layers run in int8 (AMX), the rest in bf16.
        options["precision"] = "f32" if config == "openvino-f32" else "bf16"
    model = load_runtime(os.path.join(work, task, fmt), **options)
    key = "embedding" if task == "embed" else "probabilities"
    return lambda texts: model(texts)[key]


class _TorchWrapper:
    """HF BertModel + what the task needs after it, as a torch module."""

    @staticmethod
    def build(hf_dir, task):
        import torch
        from transformers import BertModel

        bert = BertModel.from_pretrained(hf_dir).eval()
        head = None
        if task == "classify":
            h = np.load(os.path.join(hf_dir, "head.npz"))
            head = (torch.tensor(h["kernel"]), torch.tensor(h["bias"]), str(h["pooling"]))

        class Wrapped(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.bert = bert

            def forward(self, input_ids, attention_mask, token_type_ids):
                out = self.bert(input_ids=input_ids, attention_mask=attention_mask,
                                token_type_ids=token_type_ids)
                mask = attention_mask.unsqueeze(-1).to(out.last_hidden_state.dtype)
                mean = (out.last_hidden_state * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                if head is None:
                    return torch.nn.functional.normalize(mean.float(), dim=-1)
                pooled = out.pooler_output if head[2] == "cls" else mean
                return torch.softmax(pooled.float() @ head[0] + head[1], dim=-1)
        return Wrapped().eval()


def hf_pipeline(work, task, config):
    import torch
    from transformers import BertTokenizerFast

    from bert_keras.checkpoints.builtin import DEFAULT_MODEL, resolve_builtin

    hf_dir = resolve_builtin(DEFAULT_MODEL) if task == "embed" else os.path.join(work, task, "hf")
    tok = BertTokenizerFast.from_pretrained(hf_dir)
    model = _TorchWrapper.build(hf_dir, task)
    names = ["input_ids", "attention_mask", "token_type_ids"]

    def encode(texts):
        return tok(texts, padding=True, truncation=True, max_length=MAX_LEN, return_tensors="pt")

    if config in ("hf-torch-fp32", "hf-torch-bf16"):
        bf16 = config.endswith("bf16")

        def fn(texts):
            x = encode(texts)
            with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                return model(*[x[k] for k in names]).float().numpy()
        return fn
    example = tuple(encode(["a b c", "d"])[k] for k in names)
    if config == "hf-openvino":
        import openvino as ov

        ov_model = ov.convert_model(model, example_input=example)
        # The hints ours get: optimum-intel's default LATENCY mode (one
        # stream, every core, for synchronous calls) and bf16 (the CPU
        # plugin's default on AMX anyway).
        compiled = ov.Core().compile_model(ov_model, "CPU", {
            "PERFORMANCE_HINT": "LATENCY", "INFERENCE_PRECISION_HINT": "bf16"})
        request = compiled.create_infer_request()
        return lambda texts: request.infer(
            {i: encode(texts)[k].numpy() for i, k in enumerate(names)})[0].copy()
    import onnxruntime as ort

    path = os.path.join(work, task, "hf-onnx", "model.onnx")
    if not os.path.exists(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        torch.onnx.export(model, example, path, input_names=names, output_names=["out"],
                          dynamic_axes={k: {0: "batch", 1: "seq"} for k in names},
                          opset_version=17, dynamo=False)
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    return lambda texts: session.run(None, {k: v.numpy() for k, v in encode(texts).items()
                                            if k in names})[0]


def keras_hub_pipeline(work, task):
    import keras_hub
    import tensorflow as tf

    from bert_keras.checkpoints.builtin import DEFAULT_MODEL, resolve_builtin
    from bert_keras.export.runtime_graph import mean_embedding

    hf_dir = resolve_builtin(DEFAULT_MODEL) if task == "embed" else os.path.join(work, task, "hf")
    backbone = keras_hub.models.BertBackbone.from_preset(hf_dir)
    pre = keras_hub.models.BertTextClassifierPreprocessor(
        keras_hub.tokenizers.BertTokenizer.from_preset(hf_dir), sequence_length=MAX_LEN)
    head = np.load(os.path.join(hf_dir, "head.npz")) if task == "classify" else None

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string)])
    def fn(s):
        x = pre(s)
        out = backbone(x, training=False)
        mean = mean_embedding(out["sequence_output"], x["padding_mask"])
        if head is None:
            return mean
        if str(head["pooling"]) == "cls":
            pooled = out["pooled_output"]
        else:
            mask = tf.expand_dims(tf.cast(x["padding_mask"], tf.float32), -1)
            pooled = tf.reduce_sum(out["sequence_output"] * mask, 1) / tf.reduce_sum(mask, 1)
        return tf.nn.softmax(pooled @ head["kernel"] + head["bias"], -1)
    return lambda texts: fn(tf.constant(texts)).numpy()


def build_pipeline(config, task, work, classifier):
    if config == "keras-fp32":
        return keras_pipeline(task, classifier, None)
    if config == "keras-bf16":
        return keras_pipeline(task, classifier, "mixed_bfloat16")
    if config == "tfhub-savedmodel":
        return tfhub_pipeline(work)
    if config == "serving-savedmodel":
        return serving_pipeline(work)
    if config == "keras-hub":
        return keras_hub_pipeline(work, task)
    if config.startswith("hf-"):
        return hf_pipeline(work, task, config)
    return runtime_pipeline(work, task, config)


def worker(args):
    """One configuration, one task: prints a RESULT json line."""
    texts, labels = load_sst2_dev(args.data, args.limit)
    start = time.perf_counter()
    fn = build_pipeline(args.worker, args.task, args.work, args.classifier)
    bs = args.batch_size
    batches = [texts[i:i + bs] for i in range(0, len(texts), bs)]
    for b in batches[:8]:  # warm-up: tracing, compilation, first shapes
        fn(b)
    for t in texts[:16]:
        fn([t])
    setup = time.perf_counter() - start
    done = {}

    def passes(name):
        """Pass numbers for one measurement: --passes of them, fewer when
        --budget seconds are used up (at least one; the count is reported)."""
        t0 = time.perf_counter()
        for i in range(args.passes):
            if i and args.budget and time.perf_counter() - t0 > args.budget:
                break
            done[name] = i + 1
            yield i

    best, outputs = float("inf"), None
    for _ in passes("batch"):
        t0 = time.perf_counter()
        outs = [np.asarray(fn(b), np.float32) for b in batches]
        dt = time.perf_counter() - t0
        if dt < best:
            best, outputs = dt, np.concatenate(outs)
    # Length-bucketed: a server that groups queued requests of similar
    # length (character length, known before tokenizing) pads far less.
    order = np.argsort([len(t) for t in texts], kind="stable")
    sorted_batches = [[texts[i] for i in order[j:j + bs]] for j in range(0, len(texts), bs)]
    best_sorted = float("inf")
    for _ in passes("sorted"):
        t0 = time.perf_counter()
        outs = [np.asarray(fn(b), np.float32) for b in sorted_batches]
        best_sorted = min(best_sorted, time.perf_counter() - t0)
    lat = None
    for _ in passes("latency"):
        times = []
        for t in texts[:args.latency_limit]:
            t0 = time.perf_counter()
            fn([t])
            times.append(time.perf_counter() - t0)
        times = np.array(times) * 1e3
        if lat is None or np.percentile(times, 50) < lat[0]:
            lat = (float(np.percentile(times, 50)), float(np.percentile(times, 99)))
    os.makedirs(os.path.join(args.work, "outputs"), exist_ok=True)
    np.save(os.path.join(args.work, "outputs", f"{args.task}-{args.worker}.npy"), outputs)
    result = {"task": args.task, "config": args.worker, "sent_per_s": len(texts) / best,
              "sorted_sent_per_s": len(texts) / best_sorted,
              "p50_ms": lat[0], "p99_ms": lat[1], "setup_s": setup, "passes": done,
              "load": round(os.getloadavg()[0], 1)}
    if args.task == "classify":
        result["accuracy"] = float((outputs.argmax(1) == labels).mean() * 100)
    print("RESULT " + json.dumps(result), flush=True)


def driver(args):
    configs = args.configs or OURS + PEERS
    if "classify" in args.tasks and not args.classifier:
        sys.exit("error: the classify task needs --classifier DIR (a `bert-keras finetune` "
                 "output); or run --tasks embed")
    os.makedirs(args.work, exist_ok=True)
    print(f"preparing exports in {args.work} ...", flush=True)
    prepare(args.work, args.tasks, args.classifier, configs, args.data)
    load = os.getloadavg()
    print(f"load average before the runs: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} "
          f"({os.cpu_count()} CPUs)", flush=True)
    results = []
    for task in args.tasks:
        for config in configs:
            if ONLY.get(config, task) != task:
                continue
            cmd = [sys.executable, os.path.abspath(__file__), "--worker", config, "--task", task,
                   "--work", args.work, "--data", args.data, "--limit", str(args.limit),
                   "--latency-limit", str(args.latency_limit), "--passes", str(args.passes),
                   "--batch-size", str(args.batch_size), "--budget", str(args.budget)]
            if args.classifier:
                cmd += ["--classifier", args.classifier]
            done = subprocess.run(cmd, capture_output=True, text=True)
            lines = [l for l in done.stdout.splitlines() if l.startswith("RESULT ")]
            if done.returncode != 0 or not lines:
                print(f"  {task:8s} {config:18s} FAILED: {done.stderr.strip()[-400:]}", flush=True)
                continue
            r = json.loads(lines[-1][len("RESULT "):])
            results.append(r)
            print(f"  {lines[-1]}", flush=True)
    report(args, results)


def report(args, results):
    load = os.getloadavg()
    print(f"\nSST-2 dev, {args.limit} sentences; batch {args.batch_size} throughput (best of "
          f"{args.passes}); batch-1 latency over {args.latency_limit} sentences; each row its "
          f"own process; load average after: {load[0]:.1f} ({os.cpu_count()} CPUs, shared)")
    for task in args.tasks:
        rows = [r for r in results if r["task"] == task]
        # The f32 reference: the Keras graph, else our OpenVINO f32 export
        # (within 1e-4 of it by the export check).
        ref = None
        for name in ("keras-fp32", "openvino-f32"):
            ref_path = os.path.join(args.work, "outputs", f"{task}-{name}.npy")
            if ref is None and any(r["config"] == name for r in rows):
                ref = np.load(ref_path)
                print(f"max|diff| against {name}")
        peers = [r for r in rows if r["config"] in PEERS]
        print(f"\n{task}: " + ("strings -> sentence embedding" if task == "embed"
                                else "strings -> SST-2 label"))
        header = (f"{'path':20s} {'sent/s':>8s} {'sorted':>8s} {'p50 ms':>7s} {'p99 ms':>7s} "
                  f"{'max|diff|':>9s}")
        header += f" {'acc':>5s}" if task == "classify" else ""
        header += "".join(f" {'vs ' + p['config']:>18s}" for p in peers)
        print(header)
        for r in rows:
            out = os.path.join(args.work, "outputs", f"{task}-{r['config']}.npy")
            diff = float(np.abs(np.load(out) - ref).max()) if ref is not None else float("nan")
            line = (f"{r['config']:20s} {r['sent_per_s']:8.1f} {r['sorted_sent_per_s']:8.1f} "
                    f"{r['p50_ms']:7.2f} {r['p99_ms']:7.2f} {diff:9.1e}")
            line += f" {r['accuracy']:5.1f}" if task == "classify" else ""
            line += "".join(f" {r['sent_per_s'] / p['sent_per_s']:17.2f}x" for p in peers)
            print(line)
        ours = [r for r in rows if r["config"] in OURS]
        if ours and peers:
            best, best_peer = (max(g, key=lambda r: r["sent_per_s"]) for g in (ours, peers))
            fast, fast_peer = (min(g, key=lambda r: r["p50_ms"]) for g in (ours, peers))
            sbest, sbest_peer = (max(g, key=lambda r: r["sorted_sent_per_s"]) for g in (ours, peers))
            print(f"length-sorted batches: best ours {sbest['config']} "
                  f"{sbest['sorted_sent_per_s']:.1f}/s vs best peer {sbest_peer['config']} "
                  f"{sbest_peer['sorted_sent_per_s']:.1f}/s: "
                  f"{sbest['sorted_sent_per_s'] / sbest_peer['sorted_sent_per_s']:.2f}x")
            for p in sorted(peers, key=lambda r: -r["sent_per_s"]):
                print(f"ratio {task} best ours {best['config']} vs {p['config']}: "
                      f"{best['sent_per_s'] / p['sent_per_s']:.2f}x sent/s, "
                      f"{sbest['sorted_sent_per_s'] / p['sorted_sent_per_s']:.2f}x sorted, "
                      f"batch-1 p50 {fast['p50_ms']:.2f} vs {p['p50_ms']:.2f} ms")
            print(f"best ours {best['config']} {best['sent_per_s']:.1f}/s vs best peer "
                  f"{best_peer['config']} {best_peer['sent_per_s']:.1f}/s: "
                  f"{best['sent_per_s'] / best_peer['sent_per_s']:.2f}x (target 1.5x); batch-1 "
                  f"p50 {fast['config']} {fast['p50_ms']:.2f} ms vs {fast_peer['config']} "
                  f"{fast_peer['p50_ms']:.2f} ms")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--tasks", nargs="+", default=["embed", "classify"],
                   choices=["embed", "classify"])
    p.add_argument("--configs", nargs="+", choices=OURS + PEERS, help="default: all")
    p.add_argument("--classifier", help="fine-tuned SST-2 classifier directory (classify task)")
    p.add_argument("--work", default=os.path.join(REPO, "out", "bench_serving"),
                   help="exports and outputs (reused between runs)")
    p.add_argument("--data", default=DEFAULT_DATA, help="the shared data folder")
    p.add_argument("--limit", type=int, default=872)
    p.add_argument("--latency-limit", type=int, default=200)
    p.add_argument("--passes", type=int, default=3)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--budget", type=float, default=0,
                   help="seconds: stop a measurement's passes once it has run this long "
                        "(at least one pass; 0 = always --passes)")
    p.add_argument("--worker", help=argparse.SUPPRESS)
    p.add_argument("--task", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.classifier:
        args.classifier = os.path.abspath(args.classifier)
    args.work = os.path.abspath(args.work)
    if args.worker:
        worker(args)
    else:
        driver(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
