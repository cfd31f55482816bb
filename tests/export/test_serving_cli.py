"""`bert-keras export-serving` (alias `export-classifier`): one command for
every kind, picked by the model directory's stored task type; outputs
staged and renamed into place, nothing left behind on failure."""

import os
import subprocess
import sys

import pytest

from bert_keras.cli.main import main
from tests.conftest import TINY_VOCAB
from tests.export.task_model_dirs import CONLL_LABELS, QA_TASK, ner_task, task_model_dir


@pytest.fixture(scope="module")
def dirs(tmp_path_factory):
    root = tmp_path_factory.mktemp("serving_cli")
    return {"qa": task_model_dir(root / "qa", TINY_VOCAB, QA_TASK),
            "ner": task_model_dir(root / "ner", TINY_VOCAB, ner_task("ner", CONLL_LABELS, 32)),
            "root": root}


def leftovers(parent):
    return [n for n in os.listdir(parent) if n.startswith(".")]


def test_qa_export_verified_and_its_hint_runs(dirs, tmp_path, capsys):
    out = tmp_path / "qa-serving"
    assert main(["export-serving", dirs["qa"], str(out)]) == 0
    printed = capsys.readouterr().out
    assert "exported qa serving SavedModel" in printed
    assert os.path.isfile(out / "saved_model.pb")
    assert '"type": "qa"' in (out / "assets.extra" / "task.json").read_text()
    command = printed.split("try:", 1)[1].strip()
    done = subprocess.run(command.replace("python", sys.executable, 1), shell=True,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "'answer'" in done.stdout and "'start'" in done.stdout


def test_export_classifier_alias_exports_any_kind(dirs, tmp_path, capsys):
    out = tmp_path / "ner-serving"
    assert main(["export-classifier", dirs["ner"], str(out), "--no-verify"]) == 0
    assert "exported ner serving SavedModel" in capsys.readouterr().out
    assert os.path.isfile(out / "saved_model.pb")


def test_plain_model_directory_gives_embeddings(tiny_model_dirs, tmp_path, capsys):
    out = tmp_path / "embed"
    assert main(["export-serving", tiny_model_dirs["plain"], str(out)]) == 0
    assert "exported embedding serving SavedModel" in capsys.readouterr().out
    assert os.path.isfile(out / "assets.extra" / "embedder.json")


def test_failed_verification_leaves_nothing(dirs, tmp_path, capsys, monkeypatch):
    from bert_keras.errors import ExportCheckError
    from bert_keras.export import qa_export

    def disagree(*args):
        raise ExportCheckError("exported QA model disagrees (test)")

    monkeypatch.setattr(qa_export, "verify_qa", disagree)
    out = tmp_path / "qa-serving"
    assert main(["export-serving", dirs["qa"], str(out)]) == 2
    assert "error: exported QA model disagrees (test)" in capsys.readouterr().err
    assert not out.exists() and leftovers(tmp_path) == []


def test_refusals(dirs, tmp_path, capsys):
    import json

    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "file").write_text("x")
    assert main(["export-serving", dirs["qa"], str(taken)]) == 2
    assert "error:" in capsys.readouterr().err
    assert os.listdir(taken) == ["file"]
    # A task type without a serving export, before anything is loaded.
    meta = os.path.join(dirs["qa"], "bert_keras.json")
    odd = tmp_path / "odd"
    odd.mkdir()
    data = json.load(open(meta, encoding="utf-8"))
    data["task"]["type"] = "summarization"
    (odd / "bert_keras.json").write_text(json.dumps(data))
    assert main(["export-serving", str(odd), str(tmp_path / "out")]) == 2
    assert "no serving export for task type 'summarization'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
