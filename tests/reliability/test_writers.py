"""Issue 11, points 1, 4, 5: writers never delete what they did not write,
killed runs leave nothing that survives the next run, files are readable
by others (umask permissions)."""

import os
import stat

import pytest

from bert_keras.cli.main import main
from bert_keras.errors import OutputExistsError
from bert_keras.utils.atomic_dir import atomic_output_dir
from tests.reliability.conftest import leftovers, one_error_line, run_cli


def _write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


# -- 1. never replace what appeared or changed during the run -------------
@pytest.mark.data_loss
@pytest.mark.parametrize("renameat2", [True, False], ids=["renameat2", "mkdir-claim"])
def test_output_that_appears_mid_run_is_left_untouched(tmp_path, monkeypatch, renameat2):
    if not renameat2:  # the portable path must give the same guarantee
        from bert_keras.utils import atomic_rename

        monkeypatch.setattr(atomic_rename, "_renameat2", lambda: None)
    out = tmp_path / "out"
    with pytest.raises(OutputExistsError, match="appeared or changed"):
        with atomic_output_dir(str(out)) as tmp:
            _write(os.path.join(tmp, "new.txt"), "new")
            out.mkdir()  # another program (or export) finished first
            _write(out / "theirs.txt", "theirs")
    assert os.listdir(out) == ["theirs.txt"]
    assert (out / "theirs.txt").read_text() == "theirs"
    assert leftovers(tmp_path) == []


@pytest.mark.data_loss
def test_file_put_into_empty_output_mid_run_is_kept(tmp_path):
    out = tmp_path / "out"
    out.mkdir()  # empty at the start: fine
    with pytest.raises(OutputExistsError):
        with atomic_output_dir(str(out)) as tmp:
            _write(os.path.join(tmp, "model.txt"), "ours")
            _write(out / "notes.txt", "a user's notes")
    assert os.listdir(out) == ["notes.txt"]
    # and an OUT that stays empty is simply filled
    out2 = tmp_path / "out2"
    out2.mkdir()
    with atomic_output_dir(str(out2)) as tmp:
        _write(os.path.join(tmp, "model.txt"), "ours")
    assert os.listdir(out2) == ["model.txt"]


@pytest.mark.data_loss
def test_cli_convert_refuses_an_output_that_appeared_mid_run(tiny_model, tmp_path, capsys,
                                                            monkeypatch):
    """The whole `convert` command: a file that shows up in OUT while the
    model is written survives, one error line, nothing staged left."""
    from bert_keras.checkpoints import model_dir

    out = tmp_path / "model"
    real_save_vocab = model_dir.save_vocab

    def save_vocab_and_a_competitor(*args, **kwargs):
        out.mkdir(exist_ok=True)
        _write(out / "precious.txt", "precious")
        return real_save_vocab(*args, **kwargs)

    monkeypatch.setattr(model_dir, "save_vocab", save_vocab_and_a_competitor)
    assert main(["convert", tiny_model, str(out)]) == 2
    assert "appeared or changed" in one_error_line(capsys.readouterr().err)
    assert os.listdir(out) == ["precious.txt"]
    assert leftovers(tmp_path) == []


@pytest.mark.data_loss
def test_overwrite_swaps_atomically_and_a_failed_overwrite_keeps_the_old(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    _write(out / "old.txt", "old")
    with pytest.raises(RuntimeError):
        with atomic_output_dir(str(out), overwrite=True) as tmp:
            _write(os.path.join(tmp, "new.txt"), "new")
            raise RuntimeError("disk trouble")
    assert os.listdir(out) == ["old.txt"]
    with atomic_output_dir(str(out), overwrite=True) as tmp:
        _write(os.path.join(tmp, "new.txt"), "new")
        assert os.listdir(out) == ["old.txt"]  # old content stays until the new is complete
    assert os.listdir(out) == ["new.txt"]
    assert leftovers(tmp_path) == []


@pytest.mark.data_loss
def test_a_second_writer_of_the_same_output_fails_with_one_line(tiny_model, tmp_path, capsys):
    from bert_keras.utils.output_lock import output_lock

    out = tmp_path / "model"
    with output_lock(str(out)):  # as another bert-keras process would hold it
        assert main(["convert", tiny_model, str(out), "--overwrite"]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert "another bert_keras process" in line and str(out) in line
    assert not out.exists()
    assert main(["convert", tiny_model, str(out)]) == 0  # the lock went with its holder
    assert leftovers(tmp_path) == []


@pytest.mark.data_loss
def test_two_concurrent_writers_exactly_one_succeeds(tmp_path):
    """Both writers are inside their write at the same time (no timing luck):
    one publishes, the other is refused at once; neither result is lost
    silently."""
    import threading

    out = tmp_path / "out"
    first_inside, release = threading.Event(), threading.Event()
    outcomes = {}

    def writer(name, wait):
        try:
            with atomic_output_dir(str(out)) as tmp:
                _write(os.path.join(tmp, "who.txt"), name)
                if wait:
                    first_inside.set()
                    release.wait(30)
            outcomes[name] = "published"
        except OutputExistsError as e:
            outcomes[name] = str(e)

    a = threading.Thread(target=writer, args=("a", True))
    a.start()
    assert first_inside.wait(30)
    writer("b", False)  # while "a" is still writing
    release.set()
    a.join(30)
    assert outcomes["a"] == "published"
    assert "another bert_keras process" in outcomes["b"]
    assert (out / "who.txt").read_text() == "a"
    assert leftovers(tmp_path) == []


# -- 4. debris of killed runs ----------------------------------------------
@pytest.mark.data_loss
def test_killed_convert_leaves_debris_that_the_next_run_removes(tiny_model, tmp_path):
    out = tmp_path / "model"
    killed = run_cli("convert", tiny_model, out,
                     env={"BERT_KERAS_TEST_CRASH_AT": "before_publish"})
    assert killed.returncode == -9, killed.stderr
    assert not out.exists()
    assert any(n.startswith(".model.tmp-") for n in leftovers(tmp_path))
    assert main(["convert", tiny_model, str(out)]) == 0
    assert leftovers(tmp_path) == []


@pytest.mark.data_loss
def test_killed_export_leaves_nothing_in_tmp_and_is_cleaned(tiny_model, tmp_path, monkeypatch):
    from bert_keras.export import exporter

    out, scratch = tmp_path / "hub", tmp_path / "TMPDIR"
    scratch.mkdir()
    killed = run_cli("export", tiny_model, out, "--seq-length", "8",
                     env={"BERT_KERAS_TEST_CRASH_AT": "export_saved", "TMPDIR": str(scratch)})
    assert killed.returncode == -9, killed.stderr
    assert [p for p in scratch.rglob("*") if p.name == "vocab.txt"] == []  # no stray vocab
    assert any(n.startswith(".hub.tmp-") for n in leftovers(tmp_path))
    monkeypatch.setattr(exporter, "_max_difference", lambda *a: 0.0)  # not what is tested here
    assert main(["export", tiny_model, str(out), "--seq-length", "8"]) == 0
    assert leftovers(tmp_path) == []
    assert sorted(os.listdir(out)) == ["README.md", "encoder", "preprocess"]


@pytest.mark.data_loss
def test_save_stages_beside_the_model_dir_and_removes_old_save_debris(tiny_model, tmp_path):
    """`finetune` saves the best classifier into a directory that also holds
    its training state; a killed save used to leave `.save-*` inside it."""
    import shutil

    from bert_keras.checkpoints.convert import load_model_dir
    from bert_keras.models.factory import build_encoder
    from bert_keras.data.tasks import get_task
    from bert_keras.tasks.classifier import build_classifier, save_classifier

    out = tmp_path / "run"
    (out / "training").mkdir(parents=True)
    (out / ".save-abc123" / "model").mkdir(parents=True)  # an older release's debris
    (tmp_path / ".run.save-999999-k1ll3d_x").mkdir()  # a killed save of ours
    base = load_model_dir(tiny_model)
    model = build_classifier(build_encoder(base), 2)
    seen = []
    real_replace = os.replace

    def spy(src, dst):
        seen.append(src)
        return real_replace(src, dst)

    try:
        os.replace = spy
        save_classifier(model, out, base, get_task("sst2").to_dict(32))
    finally:
        os.replace = real_replace
    assert sorted(os.listdir(out)) == ["bert_keras.json", "model.safetensors", "training",
                                       "vocab.txt"]
    assert leftovers(tmp_path) == []
    assert seen and all(not s.startswith(str(out) + os.sep) for s in seen)  # staged outside
    shutil.rmtree(out)


# -- 5. permissions ----------------------------------------------------------
@pytest.mark.data_loss
def test_outputs_get_umask_permissions(tiny_model, tmp_path, capsys):
    """safetensors (>= 0.8) writes through a 0600 temporary file renamed into
    place, and mkdtemp makes 0700 directories: other users of a shared model
    could not read it."""
    from bert_keras.export import export_hub

    old = os.umask(0o022)
    try:
        assert main(["convert", tiny_model, str(tmp_path / "model")]) == 0
        export_hub(tiny_model, str(tmp_path / "hub"), seq_length=8, verify=False, verbose=False)
    finally:
        os.umask(old)
    for root in (tmp_path / "model", tmp_path / "hub"):
        assert stat.S_IMODE(os.stat(root).st_mode) == 0o755
        for d, dirs, files in os.walk(root):
            for name in files:
                mode = stat.S_IMODE(os.stat(os.path.join(d, name)).st_mode)
                assert mode == 0o644, (os.path.join(d, name), oct(mode))
            for name in dirs:
                assert stat.S_IMODE(os.stat(os.path.join(d, name)).st_mode) == 0o755
