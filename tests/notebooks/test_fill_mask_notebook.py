"""notebooks/fill_mask.ipynb runs end to end (nbclient, kernel `python3`,
fast mode: a few pretraining steps) and prints fill-mask candidates, the
endpoint JSON shape, and MiniLM's refusal."""

import json
import os
import re

import pytest

from tests.conftest import REPO, SHARED_DATA

NOTEBOOK = os.path.join(REPO, "notebooks", "fill_mask.ipynb")


def test_committed_without_outputs():
    nbformat = pytest.importorskip("nbformat")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert all(c.outputs == [] for c in nb.cells if c.cell_type == "code")


def test_fill_mask_notebook_runs(monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    from nbclient import NotebookClient

    monkeypatch.setenv("BERT_KERAS_NB_FAST", "1")
    monkeypatch.setenv("BERT_KERAS_SHARED_DATA", os.path.abspath(SHARED_DATA))
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "2")
    monkeypatch.delenv("BERT_KERAS_MLM_MODEL", raising=False)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, kernel_name="python3", timeout=600,
                   resources={"metadata": {"path": os.path.dirname(NOTEBOOK)}}).execute()
    text = "\n".join(o["text"] for c in nb.cells for o in c.get("outputs", [])
                     if o.get("output_type") == "stream" and o.get("name") == "stdout")
    assert re.search(r"pretrained 6 steps: MLM loss [0-9.]+ -> [0-9.]+", text), text
    assert len(re.findall(r"\[MASK\] -> \S+ \(0\.\d{3}\)", text)) == 3
    answer = json.loads(next(l for l in text.splitlines() if l.startswith("[[[")))
    assert [len(t) for t in answer] == [1, 1] and all(len(m) == 3 for t in answer for m in t)
    assert re.search(r"refused: .*(no masked-LM head|not found)", text)
