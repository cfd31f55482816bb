"""`bert-keras embed`: text / JSONL / stdin in, .npy / JSONL out, one vector
per input line, atomic output, clear errors."""

import io
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from bert_keras.cli.main import main
from bert_keras.tasks import text_embedder
from bert_keras.tasks.text_embedder import TextEmbedder
from tests.conftest import REPO
from tests.tiny_classifier import tiny_model_dir

LINES = ["the movie was good .", "", "a very great film !", "bad plot ."]


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    root = tmp_path_factory.mktemp("embed_cli")
    base = tiny_model_dir(root / "tiny")
    want = TextEmbedder.from_pretrained(base.path, sequence_length=16).embed(LINES)
    return root, base.path, want


def test_text_file_to_npy_keeps_blank_lines(setup, tmp_path, capsys):
    _, model, want = setup
    src = tmp_path / "in.txt"
    src.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    out = tmp_path / "out.npy"
    assert main(["embed", model, "--input", str(src), "--output", str(out),
                 "--max-seq-length", "16", "--batch-size", "2"]) == 0
    err = capsys.readouterr().err
    assert f"1 blank line(s) embedded as empty text (first: {src}:2)" in err
    got = np.load(out)
    assert got.shape == (4, 32) and np.abs(got - want).max() <= 1e-5
    assert sorted(os.listdir(tmp_path)) == ["in.txt", "out.npy"]  # no temp file left


def test_jsonl_to_jsonl_keeps_fields(setup, tmp_path):
    _, model, want = setup
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(LINES)))
    out = tmp_path / "out.jsonl"
    assert main(["embed", model, "--input", str(src), "--output", str(out),
                 "--max-seq-length", "16", "--no-normalize"]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == [0, 1, 2, 3] and rows[1]["text"] == ""
    got = np.array([r["embedding"] for r in rows], "float32")
    norms = np.linalg.norm(got, axis=1)
    assert not np.allclose(norms, 1.0)  # --no-normalize
    np.testing.assert_allclose(got / norms[:, None], want, atol=1e-5)


def test_stdin_to_stdout(setup, monkeypatch, capsys):
    _, model, want = setup
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(LINES)))  # no final newline
    assert main(["embed", model, "--max-seq-length", "16"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["text"] for r in rows] == LINES
    assert np.abs(np.array([r["embedding"] for r in rows]) - want).max() <= 1e-5


def test_errors_are_one_line_and_write_nothing(setup, tmp_path, capsys):
    _, model, _ = setup
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "good"}\n{"sentence": "bad"}\n')
    out = tmp_path / "out.npy"
    assert main(["embed", model, "--input", str(bad), "--output", str(out)]) == 2
    assert f"{bad}:2: no 'text' field (fields: sentence; see --text-key)" in capsys.readouterr().err
    bad.write_text('{"text": "good"}\n\n{"text": "bad"}\n')
    assert main(["embed", model, "--input", str(bad), "--output", str(out)]) == 2
    assert f"{bad}:2: blank line" in capsys.readouterr().err
    bad.write_text('{"text": 3}\n')
    assert main(["embed", model, "--input", str(bad), "--output", str(out)]) == 2
    assert f"{bad}:1: 'text' is a int, not a string" in capsys.readouterr().err
    assert main(["embed", model, "--input", str(tmp_path / "nope.txt")]) == 2
    assert main(["embed", model, "--input", str(bad), "--output", str(tmp_path / "x.csv")]) == 2
    assert "use a .npy or .jsonl file name" in capsys.readouterr().err
    assert not out.exists()
    out.write_bytes(b"keep")
    assert main(["embed", model, "--input", str(bad), "--output", str(out)]) == 2
    assert "exists (use --overwrite)" in capsys.readouterr().err
    assert out.read_bytes() == b"keep"


def test_failure_midway_leaves_no_output(setup, tmp_path, monkeypatch):
    _, model, _ = setup
    src = tmp_path / "in.txt"
    src.write_text("\n".join(LINES * 3))
    real = TextEmbedder._embed_chunk
    calls = []

    def fail_second_chunk(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(self, *args, **kwargs)

    monkeypatch.setattr(text_embedder, "CHUNK_BATCHES", 1)
    monkeypatch.setattr(TextEmbedder, "_embed_chunk", fail_second_chunk)
    for name in ("out.npy", "out.jsonl"):
        calls.clear()
        assert main(["embed", model, "--input", str(src), "--output", str(tmp_path / name),
                     "--batch-size", "4", "--max-seq-length", "16"]) == 130
    assert sorted(os.listdir(tmp_path)) == ["in.txt"]


def test_help_does_not_import_tensorflow():
    code = ("import sys; import bert_keras.errors; "
            "print('tensorflow' in sys.modules)")
    env = dict(os.environ, PYTHONPATH=REPO)
    eager = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env=env, timeout=300).stdout.strip()
    if eager == "True":
        pytest.skip("bert_keras/__init__.py still imports TensorFlow eagerly")
    code = ("import sys; from bert_keras.cli import embed_command, export_embedder_command; "
            "import argparse; sub = argparse.ArgumentParser().add_subparsers(); "
            "embed_command.add_parser(sub); export_embedder_command.add_parser(sub); "
            "print('tensorflow' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=env, timeout=300)
    assert result.stdout.strip() == "False", result.stderr[-2000:]


def test_progress_only_on_a_terminal(setup, tmp_path, monkeypatch):
    _, model, _ = setup
    src = tmp_path / "in.txt"
    src.write_text("\n".join(LINES))

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    for tty, out in ((True, "a.npy"), (False, "b.npy")):
        err = Terminal() if tty else io.StringIO()
        monkeypatch.setattr(sys, "stderr", err)
        assert main(["embed", model, "--input", str(src), "--output", str(tmp_path / out),
                     "--max-seq-length", "16"]) == 0
        assert ("\rembedding 4/4 (100%)" in err.getvalue()) == tty
