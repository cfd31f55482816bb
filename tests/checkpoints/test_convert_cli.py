"""`bert-keras convert` end to end: a real subprocess for the built-in
MiniLM and for a bad path; overwrite rules and atomic writes in process."""

import os
import subprocess
import sys

import pytest

import bert_keras
from bert_keras.checkpoints import model_dir as model_dir_module
from bert_keras.checkpoints.convert import load_model_dir
from bert_keras.cli.main import main as cli_main
from tests.reference.tf1_checkpoint import GOOGLE_CONFIG, random_tf1_weights, write_tf1_checkpoint


def _run(*args):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    return subprocess.run([sys.executable, "-m", "bert_keras.cli.main", *args],
                          capture_output=True, text=True, env=env, timeout=300)


@pytest.fixture(scope="module")
def google_dir(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("google") / "tiny_uncased")
    return write_tf1_checkpoint(path, GOOGLE_CONFIG, random_tf1_weights(GOOGLE_CONFIG, heads=False),
                                optimizer_slots=False)


def test_builtin_minilm_subprocess(minilm_path, tmp_path):
    out = tmp_path / "minilm"
    result = _run("convert", "minilm-l6-h384-uncased", str(out))
    assert result.returncode == 0, result.stderr
    assert "layers=6 hidden=384 heads=12 vocab=30522 activation=gelu" in result.stdout
    assert "heads: none" in result.stdout
    assert sorted(os.listdir(out)) == ["bert_keras.json", "model.safetensors", "vocab.txt"]
    model = load_model_dir(str(out))
    assert model.config.hidden_act == "gelu" and model.tokenizer.lowercase is True
    assert len(model.vocab) == 30522


def test_bad_path_subprocess(tmp_path):
    result = _run("convert", str(tmp_path / "nope"), str(tmp_path / "out"))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("error: ") and "does not exist" in lines[-1]
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_unknown_directory_kind(tmp_path, capsys):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "readme.txt").write_text("hello")
    assert cli_main(["convert", str(tmp_path / "src"), str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "error: Cannot tell what kind of checkpoint" in err
    assert not (tmp_path / "out").exists()


def test_overwrite_rules(google_dir, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    assert cli_main(["convert", google_dir, str(out)]) == 0  # empty dir: fine
    (out / "stray.txt").write_text("x")
    assert cli_main(["convert", google_dir, str(out)]) == 2
    assert "not empty" in capsys.readouterr().err
    assert (out / "stray.txt").exists()
    assert cli_main(["convert", google_dir, str(out), "--overwrite"]) == 0
    assert sorted(os.listdir(out)) == ["bert_keras.json", "model.safetensors", "vocab.txt"]
    (tmp_path / "file").write_text("x")
    assert cli_main(["convert", google_dir, str(tmp_path / "file")]) == 2
    assert "is a file" in capsys.readouterr().err


def test_failed_write_leaves_nothing(google_dir, tmp_path, monkeypatch):
    def broken_save_vocab(tokens, path):
        with open(path, "w") as f:
            f.write("[PAD]\n")
        raise OSError("disk full")

    monkeypatch.setattr(model_dir_module, "save_vocab", broken_save_vocab)
    with pytest.raises(OSError, match="disk full"):
        bert_keras.convert(google_dir, str(tmp_path / "out"))
    assert os.listdir(tmp_path) == []
    # An existing model survives a failed --overwrite.
    monkeypatch.undo()
    bert_keras.convert(google_dir, str(tmp_path / "out"))
    monkeypatch.setattr(model_dir_module, "save_vocab", broken_save_vocab)
    with pytest.raises(OSError):
        bert_keras.convert(google_dir, str(tmp_path / "out"), overwrite=True)
    assert os.listdir(tmp_path) == ["out"]
    assert len(load_model_dir(str(tmp_path / "out")).vocab) == GOOGLE_CONFIG["vocab_size"]


def test_lowercase_flags(google_dir, tmp_path):
    assert cli_main(["convert", google_dir, str(tmp_path / "cased"), "--cased"]) == 0
    assert load_model_dir(str(tmp_path / "cased")).tokenizer.lowercase is False
