"""`--strategy`: MirroredStrategy over two logical CPUs and
MultiWorkerMirroredStrategy with two worker processes on localhost train
the same model as one worker does (same data, same start, dropout 0)."""

import json
import os
import socket
import subprocess
import sys

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
WORKER = os.path.join(HERE, "distribute_worker.py")
STEPS = 4


def free_ports(n):
    sockets = [socket.socket() for _ in range(n)]
    for s in sockets:
        s.bind(("localhost", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    """Fixed masked examples (TFRecord; every example has exactly 3
    predictions, so per-replica means equal the global mean) and a saved
    starting model with dropout 0."""
    import keras

    from bert_keras import BertConfig, BertTokenizer
    from bert_keras.data.pretraining import read_tfrecords, write_tfrecords
    from bert_keras.tasks.pretrainer import BertPretrainer

    root = tmp_path_factory.mktemp("distribute")
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + [f"w{i}" for i in range(95)]
    docs = [[" ".join(f"w{(d * 31 + s * 7 + k) % 95}" for k in range(6)) for s in range(12)]
            for d in range(6)]
    shards = str(root / "shards")
    _, count = write_tfrecords(docs, BertTokenizer(vocab), shards, seq_length=24,
                               max_predictions_per_seq=3, masked_lm_prob=0.5,
                               short_seq_prob=0.0, seed=1)
    _, _, w = next(iter(read_tfrecords(shards, count, 24, 3, shuffle=False, repeat=False)))
    assert (w["mlm"].numpy() == 1).all()
    keras.utils.set_random_seed(0)
    config = BertConfig.preset("tiny", vocab_size=100, hidden_size=32, num_heads=2,
                               intermediate_size=64, max_position_embeddings=32,
                               hidden_dropout=0.0, attention_dropout=0.0)
    init = str(root / "init")
    BertPretrainer(config).save_model_dir(init, vocab)
    return root, shards, init


def command(shards, init, out, strategy):
    return ["pretrain", "--corpus", shards, "--out", out, "--init-from", init,
            "--steps", str(STEPS), "--batch-size", "8", "--checkpoint-every", str(STEPS),
            "--lr", "1e-3", "--warmup-steps", "0", "--strategy", strategy, "--quiet"]


def launch(devices, args, env_extra=None):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", CUDA_VISIBLE_DEVICES="",
               PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("TF_CONFIG", None)
    env.update(env_extra or {})
    return subprocess.Popen([sys.executable, WORKER, str(devices), *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def weights(out):
    from safetensors.numpy import load_file

    return load_file(os.path.join(out, "model.safetensors"))


def test_mirrored_and_multi_worker_match_single_worker(setup):
    root, shards, init = setup
    outs = {name: str(root / name) for name in ("single", "mirrored", "mw0", "mw1")}
    ports = free_ports(2)
    cluster = {"worker": [f"localhost:{p}" for p in ports]}
    procs = {
        "single": launch(1, command(shards, init, outs["single"], "default")),
        "mirrored": launch(2, command(shards, init, outs["mirrored"], "mirrored")),
    }
    for i in range(2):
        tf_config = json.dumps({"cluster": cluster, "task": {"type": "worker", "index": i}})
        procs[f"mw{i}"] = launch(1, command(shards, init, outs[f"mw{i}"], "multi_worker"),
                                 {"TF_CONFIG": tf_config})
    logs = {}
    try:
        for name, proc in procs.items():
            logs[name] = proc.communicate(timeout=400)[0]
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
    for name, proc in procs.items():
        assert proc.returncode == 0, f"{name} failed:\n{logs[name][-3000:]}"
    assert "final: mlm_loss=" in logs["mw0"]
    assert not os.path.exists(outs["mw1"])  # only the chief writes the model

    start, single = weights(init), weights(outs["single"])
    moved = max(np.abs(single[k] - start[k]).max() for k in start)
    assert moved > 5e-4  # training changed the weights
    for name in ("mirrored", "mw0"):
        other = weights(outs[name])
        assert set(other) == set(single)
        diff = max(np.abs(other[k] - single[k]).max() for k in single)
        assert diff < 2e-5 + 0.01 * moved, f"{name} differs from one worker by {diff}"


def test_mirrored_finetuning_matches_single_device(tmp_path):
    """`finetune --strategy mirrored` over two logical CPUs trains the same
    classifier as one device (every batch splits evenly, dropout 0)."""
    from tests.tiny_classifier import tiny_model_dir, write_toy_sst2

    base = tiny_model_dir(tmp_path / "base").path
    train = write_toy_sst2(tmp_path / "train.tsv", repeat=4)  # 48 rows: 12 batches of 4
    outs = {name: str(tmp_path / name) for name in ("single", "mirrored")}

    def args(out, strategy):
        return ["finetune", base, "--task", "sst2", "--train", train, "--out", out,
                "--epochs", "1", "--batch-size", "4", "--lr", "1e-3", "--max-seq-length", "16",
                "--dropout", "0", "--no-tensorboard", "--strategy", strategy]

    procs = {"single": launch(1, args(outs["single"], "default")),
             "mirrored": launch(2, args(outs["mirrored"], "mirrored"))}
    logs = {}
    try:
        for name, proc in procs.items():
            logs[name] = proc.communicate(timeout=400)[0]
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
    for name, proc in procs.items():
        assert proc.returncode == 0, f"{name} failed:\n{logs[name][-3000:]}"
    start, single, mirrored = weights(base), weights(outs["single"]), weights(outs["mirrored"])
    moved = max(np.abs(single[k] - start[k]).max() for k in start)
    assert moved > 1e-3  # training changed the weights
    assert set(mirrored) == set(single)
    diff = max(np.abs(mirrored[k] - single[k]).max() for k in single)
    assert diff < 2e-5 + 0.01 * moved, f"mirrored differs from one device by {diff}"
