"""The notebooks run end to end (nbclient, kernel `python3`) in fast mode
(`BERT_KERAS_NB_FAST=1`: a few dozen sentences, a few training steps) and
print what they promise: the hub.load shapes, accuracy before and after
training, and whether the encoder changed."""

import os
import re

import pytest

from tests.conftest import REPO, SHARED_DATA

NOTEBOOKS = os.path.join(REPO, "notebooks")
ACCURACY = re.compile(r"accuracy (before|after) training: ([0-9.]+)")


def _read(name):
    nbformat = pytest.importorskip("nbformat")
    return nbformat.read(os.path.join(NOTEBOOKS, name), as_version=4)


def _run(name, monkeypatch, tmp_path):
    """Executes the notebook from its own folder; returns its text output.
    The notebook's export goes to a temporary directory: under `tmp_path`,
    which pytest prunes, not the system /tmp."""
    pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    from nbclient import NotebookClient

    from bert_keras.checkpoints.builtin import DEFAULT_MODEL, resolve_builtin

    try:
        resolve_builtin(DEFAULT_MODEL)
    except FileNotFoundError as e:
        pytest.skip(str(e))
    monkeypatch.setenv("BERT_KERAS_NB_FAST", "1")
    monkeypatch.setenv("BERT_KERAS_SHARED_DATA", os.path.abspath(SHARED_DATA))
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "2")
    monkeypatch.delenv("BERT_KERAS_EXPORT_DIR", raising=False)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    nb = _read(name)
    NotebookClient(nb, kernel_name="python3", timeout=600,
                   resources={"metadata": {"path": NOTEBOOKS}}).execute()
    text = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stdout":
                text.append(output["text"])
            elif "data" in output and "text/plain" in output["data"]:
                text.append(output["data"]["text/plain"])
    return "\n".join(text)


def _accuracies(text):
    found = dict(ACCURACY.findall(text))
    assert set(found) == {"before", "after"}, text
    values = {k: float(v) for k, v in found.items()}
    assert all(0.0 <= v <= 1.0 for v in values.values())
    return values


def _check_common(text):
    assert "pooled_output   (2, 384)" in text
    assert "input_word_ids  int32 (2, 64)" in text
    assert "encoder_outputs: 6 layers" in text
    data_line = "data: SST-2 from" if os.path.isdir(os.path.join(SHARED_DATA, "SST-2")) \
        else "data: SST-2 not found"
    assert data_line in text
    assert re.search(r"train: 32 sentences .* eval: 32 sentences", text)
    assert re.search(r"0\.\d\d positive  a moving", text)


@pytest.mark.parametrize("name", ["text_classification.ipynb",
                                  "text_classification_frozen.ipynb",
                                  "question_answering.ipynb"])
def test_notebooks_are_committed_without_outputs(name):
    nb = _read(name)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


def test_text_classification_fine_tunes_the_encoder(monkeypatch, tmp_path):
    text = _run("text_classification.ipynb", monkeypatch, tmp_path)
    _check_common(text)
    assert int(re.search(r"trainable variables in the SavedModel: (\d+)", text)[1]) > 100
    assert "encoder weights changed: True" in text
    _accuracies(text)


def test_text_classification_frozen_trains_the_head_only(monkeypatch, tmp_path):
    text = _run("text_classification_frozen.ipynb", monkeypatch, tmp_path)
    _check_common(text)
    assert "trainable variables in the SavedModel: 0" in text
    assert "trainable weights: ['classifier/kernel', 'classifier/bias']" in text
    assert "encoder outputs unchanged: True" in text
    _accuracies(text)


def test_question_answering_fine_tunes_and_answers(monkeypatch, tmp_path):
    text = _run("question_answering.ipynb", monkeypatch, tmp_path)
    data_line = "data: SQuAD from" if os.path.isdir(os.path.join(SHARED_DATA, "SQuAD")) \
        else "data: SQuAD not found"
    assert data_line in text
    assert re.search(r"train: \d+ questions, eval: \d+ questions", text)
    scores = re.findall(r"exact match / F1 (before|after) training: ([0-9.]+) / ([0-9.]+)", text)
    assert [s[0] for s in scores] == ["before", "after"], text
    assert all(0 <= float(em) <= float(f1) <= 100 for _, em, f1 in scores)
    answers = re.findall(r"context\[start:end\] == answer: (True|False)", text)
    assert answers == ["True"] * 3, text
