"""Issue 11, points 15-17: bad files, full and read-only disks and failed
self-checks are one `error:` line with exit 2 and nothing half-written;
parse errors name the file; real bugs keep their traceback with a hint."""

import errno
import io
import json
import os

import pytest

from bert_keras.cli.main import main
from tests.reliability.conftest import leftovers, one_error_line


# -- 15. one line, exit 2, nothing half-written -----------------------------
@pytest.mark.traceback
@pytest.mark.parametrize("command", ["convert", "export", "fill-mask"])
def test_truncated_weights_file(tiny_model, tmp_path, capsys, command):
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(tiny_model, broken)
    weights = broken / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:1000])  # a copy cut short
    argv = {"convert": ["convert", str(broken), str(tmp_path / "out")],
            "export": ["export", str(broken), str(tmp_path / "out")],
            "fill-mask": ["fill-mask", str(broken), "the [MASK] ."]}[command]
    assert main(argv) == 2
    line = one_error_line(capsys.readouterr().err)
    assert "model.safetensors" in line and "truncated or corrupt" in line
    assert not (tmp_path / "out").exists()


def _full_disk_tf_error(*args, **kwargs):
    import tensorflow as tf

    raise tf.errors.ResourceExhaustedError(
        None, None, "/x/encoder/variables/variables.data-00000-of-00001.tempstate; "
                    "No space left on device")


def _full_disk_safetensors(tensors, path, *args, **kwargs):
    import safetensors

    with open(path, "wb") as f:  # a partial file, as a real full disk leaves
        f.write(b"\0" * 100)
    raise safetensors.SafetensorError(
        "Error while serializing: I/O error: No space left on device (os error 28)")


@pytest.mark.traceback
def test_full_disk_during_convert(tiny_model, tmp_path, capsys, monkeypatch):
    from bert_keras.checkpoints import model_dir

    monkeypatch.setattr(model_dir, "save_file", _full_disk_safetensors)
    out = tmp_path / "model"
    assert main(["convert", tiny_model, str(out)]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert "No space left on device" in line and str(out) in line
    assert not out.exists() and leftovers(tmp_path) == []


@pytest.mark.traceback
def test_full_disk_during_export(tiny_model, tmp_path, capsys, monkeypatch):
    from bert_keras.export import exporter

    monkeypatch.setattr(exporter.tf.saved_model, "save", _full_disk_tf_error)
    out = tmp_path / "hub"
    assert main(["export", tiny_model, str(out), "--seq-length", "8"]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert "No space left on device" in line and str(out) in line
    assert not out.exists() and leftovers(tmp_path) == []


@pytest.mark.traceback
def test_full_disk_during_export_classifier(tiny_classifier, tmp_path, capsys, monkeypatch):
    from bert_keras.export import classifier_export

    monkeypatch.setattr(classifier_export.tf.saved_model, "save", _full_disk_tf_error)
    out = tmp_path / "serving"
    assert main(["export-classifier", tiny_classifier, str(out)]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert "No space left on device" in line
    assert not out.exists() and leftovers(tmp_path) == []


@pytest.mark.traceback
def test_read_only_output_directory(tiny_model, tmp_path, capsys, monkeypatch):
    """As root, chmod does not stop writes; a read-only file system answers
    EROFS at the first write, here the staging directory."""
    import tempfile

    from bert_keras.utils import atomic_dir

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), kwargs.get("dir"))

    monkeypatch.setattr(atomic_dir.tempfile, "mkdtemp", read_only)
    try:
        assert main(["convert", tiny_model, str(tmp_path / "model")]) == 2
    finally:
        monkeypatch.setattr(atomic_dir.tempfile, "mkdtemp", tempfile.mkdtemp)
    assert "Read-only file system" in one_error_line(capsys.readouterr().err)
    assert not (tmp_path / "model").exists()


@pytest.mark.traceback
def test_export_self_check_failure(tiny_model, tmp_path, capsys, monkeypatch):
    from bert_keras.export import exporter

    monkeypatch.setattr(exporter, "VERIFY_ATOL", -1.0)  # no export can pass
    out = tmp_path / "hub"
    assert main(["export", tiny_model, str(out), "--seq-length", "8"]) == 2
    assert "differs from the Keras model" in one_error_line(capsys.readouterr().err)
    assert not out.exists() and leftovers(tmp_path) == []


# -- 16. parse errors name the file; empty stdin says so ----------------------
@pytest.mark.traceback
def test_broken_model_json_names_file_and_line(tiny_model, tmp_path, capsys):
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(tiny_model, broken)
    meta = broken / "bert_keras.json"
    text = meta.read_text()
    meta.write_text(text.replace('"config"', '"config" "oops"', 1))
    assert main(["convert", str(broken), str(tmp_path / "out")]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert "bert_keras.json: line " in line and "not valid JSON" in line

    meta.write_text(json.dumps({k: v for k, v in json.loads(text).items() if k != "config"}))
    assert main(["convert", str(broken), str(tmp_path / "out")]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert "bert_keras.json" in line and "'config'" in line and line != "error: 'config'"


@pytest.mark.traceback
def test_broken_hf_config_names_file(tiny_model, tmp_path, capsys):
    hf = tmp_path / "hf"
    hf.mkdir()
    (hf / "config.json").write_text('{"hidden_size": 32,\n "num_hidden_layers": }\n')
    (hf / "model.safetensors").write_bytes(b"")
    assert main(["convert", str(hf), str(tmp_path / "out")]) == 2
    assert "config.json: line 2" in one_error_line(capsys.readouterr().err)


@pytest.mark.traceback
def test_fill_mask_empty_stdin(tiny_model, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["fill-mask", tiny_model, "--json"]) == 2
    assert "empty input on stdin" in one_error_line(capsys.readouterr().err)
    monkeypatch.setattr("sys.stdin", io.StringIO('{"input_data": ["a [MASK]"'))
    assert main(["fill-mask", tiny_model, "--json"]) == 2
    assert "stdin: line 1" in one_error_line(capsys.readouterr().err)


# -- 17. bugs are bugs ----------------------------------------------------------
@pytest.mark.traceback
@pytest.mark.parametrize("bug", [KeyError("hidden"), ValueError("shapes (2,) and (3,)"),
                                 TypeError("'NoneType' object is not subscriptable"),
                                 OSError(errno.EBADF, "Bad file descriptor")])
def test_internal_errors_keep_their_traceback(tiny_model, tmp_path, capsys, monkeypatch, bug):
    import importlib

    convert_module = importlib.import_module("bert_keras.checkpoints.convert")

    def buggy(*args, **kwargs):
        raise bug

    monkeypatch.setattr(convert_module, "convert", buggy)
    assert main(["convert", tiny_model, str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err and "this is a bug in bert_keras, please report it" in err


@pytest.mark.traceback
def test_user_fixable_os_errors_are_one_line(tmp_path, capsys):
    missing = tmp_path / "nope"
    assert main(["convert", str(missing), str(tmp_path / "out")]) == 2
    assert str(missing) in one_error_line(capsys.readouterr().err)
