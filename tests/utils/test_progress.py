"""`utils.progress`: the one progress display (commands and the training
runner): plain lines on stderr when it is not a terminal, nothing when quiet."""

import doctest

import pytest

from bert_keras.utils import progress


def test_docstring_examples():
    assert doctest.testmod(progress).failed == 0


@pytest.fixture
def loud(monkeypatch):
    monkeypatch.delenv(progress.QUIET_ENV, raising=False)


def test_plain_lines_count_from_a_resumed_step_and_show_values(loud, capsys):
    bar = progress.Progress("training", total=9, unit="step", interval=3600, initial=3)
    bar.update(loss=0.5)
    bar.write("dev @ step 4: accuracy 50.00")
    bar.update(5, loss=0.25)  # reaching the total prints a line even before the interval
    bar.close()
    out, err = capsys.readouterr()
    assert out == ""  # stdout stays for results
    lines = err.splitlines()
    assert lines[0] == "dev @ step 4: accuracy 50.00"
    assert lines[1].startswith("training: 9/9 step loss 0.25 (")
    assert len(lines) == 2  # close() does not repeat the final count
    assert bar.count == 9


def test_quiet_prints_nothing(monkeypatch, capsys):
    monkeypatch.setenv(progress.QUIET_ENV, "1")
    bar = progress.Progress("training", total=2, interval=0)
    bar.update(2, loss=1.0)
    bar.write("a notice")
    bar.close()
    assert capsys.readouterr().err == ""
