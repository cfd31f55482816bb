"""notebooks/token_classification.ipynb runs end to end (nbclient, kernel
`python3`, fast mode: a few sentences, a few steps) and prints what it
promises: the data, first-sub-word labels, F1 before and after training,
entities whose spans slice the text, and the same entities after loading."""

import re

from tests.notebooks.test_notebooks import _read, _run

NAME = "token_classification.ipynb"


def test_committed_without_outputs():
    nb = _read(NAME)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


def test_token_classification_notebook_runs(monkeypatch, tmp_path):
    text = _run(NAME, monkeypatch, tmp_path)
    assert re.search(r"data: CoNLL-2003 (from|not found)", text), text
    assert re.search(r"train: \d+ sentences, \d+ entities; dev: \d+ sentences", text)
    assert "labels: ['O', 'B-PER', 'I-PER'" in text
    assert "tokens: ['[CLS]'" in text and "labels: ['-'" in text
    f1 = {k: float(v) for k, v in re.findall(r"entity F1 (before|after) training: ([0-9.]+)",
                                             text)}
    assert set(f1) == {"before", "after"} and all(0 <= v <= 100 for v in f1.values())
    assert "trained 3 steps of 8" in text
    assert "Angela Merkel met Emmanuel Macron in Paris on Tuesday." in text
    assert "same entities after loading: True" in text
