"""Runs a serving SavedModel in a fresh Python process that imports only
tensorflow and tensorflow_text (what a consumer has), and returns its
outputs as lists (strings decoded)."""

import json
import os
import subprocess
import sys

SCRIPT = r"""
import json, sys
import tensorflow as tf, tensorflow_text
path, inputs_file, out_file = sys.argv[1:]
with open(inputs_file, encoding="utf-8") as f:
    batches = json.load(f)
serving = tf.saved_model.load(path).signatures["serving_default"]
results = []
for inputs in batches:
    out = serving(**{k: tf.constant(v, tf.string) for k, v in inputs.items()})
    results.append({k: v.numpy().tolist() for k, v in out.items()})
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("bert_keras", "keras_hub"))
def text(x):
    if isinstance(x, bytes):
        return x.decode("utf-8")
    if isinstance(x, list):
        return [text(v) for v in x]
    if isinstance(x, dict):
        return {k: text(v) for k, v in x.items()}
    return x
with open(out_file, "w", encoding="utf-8") as f:
    json.dump({"results": text(results), "modules": loaded}, f)
"""


def serve_in_fresh_process(path, batches, tmp_path):
    """`batches`: list of {input name: list of str}; returns a list of
    {output name: nested lists} and checks no bert_keras module was loaded."""
    inputs_file, out_file = tmp_path / "inputs.json", tmp_path / "outputs.json"
    inputs_file.write_text(json.dumps(batches), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(path), str(inputs_file),
                             str(out_file)], capture_output=True, text=True, env=env,
                            cwd=str(tmp_path), timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    data = json.loads(out_file.read_text(encoding="utf-8"))
    assert data["modules"] == [], f"the SavedModel needed {data['modules']}"
    return data["results"]


# saved_model_cli, with the tf-text ops registered first (the stock script
# does not import tensorflow_text, so it cannot run any text SavedModel).
SAVED_MODEL_CLI = ("import sys, tensorflow_text; "
                   "from tensorflow.python.tools.saved_model_cli import main; "
                   "sys.argv[0] = 'saved_model_cli'; sys.exit(main())")


def saved_model_cli_run(path, input_exprs, outdir):
    """`saved_model_cli run` on serving_default; returns its stdout (the
    outputs are also saved as .npy files in `outdir`)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    result = subprocess.run(
        [sys.executable, "-c", SAVED_MODEL_CLI, "run", "--dir", str(path), "--tag_set", "serve",
         "--signature_def", "serving_default", "--input_exprs", input_exprs,
         "--outdir", str(outdir)],
        capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout
