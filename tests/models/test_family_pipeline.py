"""A converted ALBERT and ELECTRA go through what BERT goes through:
fine-tuning a few steps, export to the TF-Hub preprocess + encoder interface
(trainable for ALBERT, frozen for ELECTRA), and `hub.load` in a fresh process that imports only
tensorflow, tensorflow_text and tensorflow_hub."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

import bert_keras
from bert_keras.cli.main import main as cli_main
from tests.models.family_fixtures import load_golden, write_hf_dir

FAMILIES = ("albert", "electra")
# tiny_vocab: tok{i} has id 5 + i.
POSITIVE, NEGATIVE = ["tok5 tok6", "tok6 tok7 tok5"], ["tok20 tok21", "tok21 tok22 tok20"]

CONSUMER = r"""
import json, sys
import tensorflow as tf
import tensorflow_hub as hub
import tensorflow_text  # noqa: F401
out = {}
for name, (pre, enc) in json.loads(sys.argv[1]).items():
    outputs = hub.load(enc)(hub.load(pre)(tf.constant(["tok5 tok6"])))
    out[name] = [outputs["pooled_output"].numpy().tolist(),
                 list(outputs["sequence_output"].shape)]
out["modules"] = sorted(m for m in sys.modules if m.split(".")[0] in ("bert_keras", "keras_hub"))
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    root = tmp_path_factory.mktemp("families")
    out = {}
    for family in FAMILIES:
        src = write_hf_dir(root / f"hf_{family}", load_golden(family))
        bert_keras.convert(src, str(root / family))
        out[family] = str(root / family)
    return root, out


def test_finetune_a_few_steps(models):
    root, dirs = models
    train = root / "train.tsv"
    train.write_text("sentence\tlabel\n" + "".join(
        f"{s}\t{y}\n" for _ in range(3) for y, group in ((1, POSITIVE), (0, NEGATIVE))
        for s in group))
    for family, path in dirs.items():
        out = root / f"{family}_sst2"
        assert cli_main(["finetune", path, "--task", "sst2", "--train", str(train),
                         "--dev", str(train), "--out", str(out), "--epochs", "1",
                         "--batch-size", "4", "--max-seq-length", "16",
                         "--no-tensorboard"]) == 0
        meta = json.loads((out / "bert_keras.json").read_text())
        assert meta["config"]["model_type"] == family and "classifier" in meta["heads"]


def test_export_both_forms_and_hub_load_in_a_fresh_process(models, tmp_path):
    from bert_keras.export import export_hub

    _, dirs = models
    paths, want = {}, {}
    for family, path in dirs.items():
        encoder = bert_keras.BertEncoder.from_pretrained(path)
        ids = np.array([[2, 10, 11, 3]], "int32")
        want[family] = np.asarray(encoder({"token_ids": ids, "segment_ids": np.zeros_like(ids),
                                           "padding_mask": np.ones_like(ids)})["pooled_output"])
        # One form each keeps the test short; both forms share the code path.
        frozen = family == "electra"
        p = export_hub(path, str(tmp_path / f"{family}_{frozen}"), seq_length=16,
                       frozen=frozen, verbose=False)
        paths[f"{family}_{frozen}"] = (p["preprocess"], p["encoder"])
        card = open(p["model_card"], encoding="utf-8").read()
        assert f"| Model type | {family} |" in card
        assert ("ELECTRA has no pooler" in card) == (family == "electra")
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH="")
    result = subprocess.run([sys.executable, "-c", CONSUMER, json.dumps(paths)],
                            capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    got = json.loads(result.stdout.strip().splitlines()[-1])
    assert got["modules"] == []
    for name in paths:
        family = name.split("_")[0]
        pooled, seq_shape = got[name]
        assert seq_shape == [1, 16, 32]
        np.testing.assert_allclose(np.array(pooled), want[family], atol=1e-4)
