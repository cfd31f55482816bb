"""`bert-keras pretrain`, `create-pretraining-data` and `fill-mask` end to
end on Google's BERT sample text, and clear errors for bad corpora."""

import json
import os

import pytest

from bert_keras.cli.main import main
from tests.conftest import shared_path

FAST = ["--steps", "6", "--batch-size", "4", "--seq-length", "32",
        "--checkpoint-every", "3", "--quiet"]


@pytest.fixture(scope="module")
def sample_text():
    return shared_path("corpus", "sample_text.txt")


@pytest.fixture(scope="module")
def pretrained(tmp_path_factory, sample_text):
    """Vocabulary trained on the corpus (no --vocab), tiny preset."""
    out = str(tmp_path_factory.mktemp("cli") / "model")
    assert main(["pretrain", "--corpus", sample_text, "--out", out, "--config", "tiny",
                 "--vocab-size", "400", *FAST]) == 0
    return out


def test_pretrain_writes_a_model_dir(pretrained, capsys):
    meta = json.load(open(os.path.join(pretrained, "bert_keras.json")))
    assert meta["heads"] == ["mlm", "nsp"]
    assert meta["config"]["num_layers"] == 2 and meta["config"]["hidden_size"] == 128
    vocab = open(os.path.join(pretrained, "vocab.txt")).read().split("\n")
    assert vocab[:5] == ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    assert meta["config"]["vocab_size"] == len([t for t in vocab if t])
    # Another command accepts it: fill-mask, JSON in and out.
    assert main(["fill-mask", pretrained, json.dumps({"input_data": ["the [MASK] was here ."]}),
                 "--json", "--top-k", "2"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert len(result) == 1 and len(result[0]) == 1 and len(result[0][0]) == 2


def test_tfrecord_shards_then_pretrain(tmp_path, pretrained, sample_text, capsys):
    shards = str(tmp_path / "shards")
    assert main(["create-pretraining-data", "--corpus", sample_text, "--out", shards,
                 "--vocab", pretrained, "--seq-length", "32", "--num-shards", "2",
                 "--dupe-factor", "2", "--whole-word-masking"]) == 0
    assert "examples in 2 shard(s)" in capsys.readouterr().out
    files = sorted(os.listdir(shards))
    assert files == ["pretrain-00000-of-00002.tfrecord", "pretrain-00001-of-00002.tfrecord",
                     "pretraining_data.json", "vocab.txt"]
    out = str(tmp_path / "from_shards")
    assert main(["pretrain", "--corpus", shards, "--out", out, *FAST,
                 "--seq-length", "64"]) == 0  # shards carry their own length (32)
    assert open(os.path.join(out, "vocab.txt")).read() == \
        open(os.path.join(pretrained, "vocab.txt")).read()


def test_bad_corpora_are_clear_errors(tmp_path, capsys):
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n")
    out = str(tmp_path / "out")
    assert main(["pretrain", "--corpus", str(empty), "--out", out, *FAST]) == 2
    assert "empty.txt: the corpus file is empty" in capsys.readouterr().err
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"fine line\n\nsecond doc\n\xff\xfe broken\n")
    assert main(["create-pretraining-data", "--corpus", str(bad), "--out", out,
                 "--vocab-size", "50"]) == 2
    assert "bad.txt, line 4: not valid UTF-8" in capsys.readouterr().err
    assert not os.path.exists(out)  # nothing half-written
    assert main(["pretrain", "--corpus", str(tmp_path / "missing.txt"), "--out", out]) == 2
    assert "missing.txt" in capsys.readouterr().err


def test_multi_worker_needs_tf_config(tmp_path, sample_text, capsys, monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    assert main(["pretrain", "--corpus", sample_text, "--out", str(tmp_path / "m"),
                 "--strategy", "multi_worker", *FAST]) == 2
    assert "TF_CONFIG" in capsys.readouterr().err


def test_existing_output_is_refused(pretrained, sample_text, capsys, tmp_path):
    # A finished run with other settings (here the vocabulary) is not reused.
    assert main(["pretrain", "--corpus", sample_text, "--out", pretrained, *FAST]) == 2
    assert "other settings (vocab.trained: 400 in the stored run, 8000 now)" in capsys.readouterr().err
    # A directory that is not a run of ours is left alone.
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    assert main(["pretrain", "--corpus", sample_text, "--out", str(foreign), *FAST]) == 2
    assert "not a training run of ours" in capsys.readouterr().err
    assert os.listdir(foreign) == ["notes.txt"]
