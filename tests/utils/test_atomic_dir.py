"""`atomic_output_dir`: complete output or none at all."""

import doctest
import os

import pytest

from bert_keras.utils import atomic_dir
from bert_keras.utils.atomic_dir import atomic_output_dir


def test_docstring_example():
    assert doctest.testmod(atomic_dir).failed == 0


def test_failure_leaves_previous_output_and_no_temp(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.txt").write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_output_dir(str(out), overwrite=True) as tmp:
            open(os.path.join(tmp, "new.txt"), "w").close()
            raise RuntimeError("boom")
    assert os.listdir(out) == ["old.txt"]
    assert sorted(os.listdir(tmp_path)) == ["out"]


def test_refuses_non_empty_without_overwrite_and_files(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "x").write_text("x")
    with pytest.raises(FileExistsError, match="not empty"):
        with atomic_output_dir(str(out)):
            pass
    with pytest.raises(FileExistsError, match="is a file"):
        with atomic_output_dir(str(out / "x"), overwrite=True):
            pass


def test_overwrite_replaces_and_permissions_are_ordinary(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.txt").write_text("old")
    with atomic_output_dir(str(out), overwrite=True) as tmp:
        open(os.path.join(tmp, "new.txt"), "w").close()
    assert os.listdir(out) == ["new.txt"]
    umask = os.umask(0)
    os.umask(umask)
    assert os.stat(out).st_mode & 0o777 == 0o777 & ~umask


def test_debris_of_this_output_only_is_removed(tmp_path):
    """Staged directories of OUT left by killed runs go; look-alikes of other
    outputs and the user's own files stay."""
    from bert_keras.utils.atomic_dir import remove_debris

    names = [".out.tmp-123-abcd_123", ".out.old-9-zzzzzzzz", ".tmp-out-q1w2e3r4",
             ".out.tmp-notes", ".outer.tmp-1-abcdefgh", "out.tmp-1-abcdefgh", ".out.checkpoints"]
    for name in names:
        (tmp_path / name).mkdir()
    remove_debris(str(tmp_path / "out"))
    assert sorted(os.listdir(tmp_path)) == sorted(names[3:])
