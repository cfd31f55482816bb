"""The directory of a training run, `out`, and the rules for reusing it.

    out/bert_keras.json, model.safetensors, vocab.txt   the model (best so far)
    out/training/run.json       settings of the run (compared on every rerun)
    out/training/checkpoint.npz last checkpoint (see `checkpoint.py`)
    out/training/state.json     progress, dev history, speed (human-readable)
    out/logs/                   TensorBoard

A rerun with the same settings resumes (or reports the finished run); other
settings are refused, naming each difference; a run killed before its
first checkpoint starts over; a directory that is not a run of ours is
left alone unless `--overwrite`.

    >>> settings_difference({"options": {"lr": 3e-5, "epochs": 3}},
    ...                     {"options": {"lr": 5e-5, "epochs": 3}})
    ['options.lr: 3e-05 in the stored run, 5e-05 now']
"""

import hashlib
import json
import os
import shutil

from bert_keras.errors import InputError, OutputExistsError

CHECKPOINT = "checkpoint.npz"
STATE = "state.json"
RUN = "run.json"
TRAINING_DIR = "training"
LOGS_DIR = "logs"


class RunDirectory:
    """`out` of a training run: checks it, compares settings, holds state.

    Creating one refuses a directory that is not a run of ours, a run of
    an older bert_keras, or a run with other settings (unless `overwrite`),
    and records the settings; `complete` is True when the same run already
    finished.
    """

    def __init__(self, out, settings, chief=True, overwrite=False, log=print):
        self.out = os.path.abspath(os.fspath(out))
        self.settings = json.loads(json.dumps(settings, default=str))
        self.chief, self.log = chief, log
        if chief:
            self.state_dir = os.path.join(self.out, TRAINING_DIR)
            self._check(overwrite)
        else:  # other workers keep throw-away state
            import tempfile

            self.state_dir = tempfile.mkdtemp(prefix="bert-keras-worker-")
        self.state = _read_json(os.path.join(self.state_dir, STATE)) or {}
        self.complete = bool(self.state.get("complete"))

    @property
    def checkpoint(self):
        return os.path.join(self.state_dir, CHECKPOINT)

    def _check(self, overwrite):
        out, state_dir = self.out, self.state_dir
        if os.path.exists(out) and not os.path.isdir(out):
            raise OutputExistsError(f"{out} exists and is a file, not a directory")
        entries = os.listdir(out) if os.path.isdir(out) else []
        ours = os.path.isdir(state_dir) and (
            os.path.isfile(os.path.join(state_dir, RUN))
            or all(e in (TRAINING_DIR, LOGS_DIR) or e.startswith(".save-") for e in entries))
        older = (os.path.isfile(os.path.join(state_dir, STATE))
                 and not os.path.isfile(os.path.join(state_dir, RUN)))
        if older and not overwrite:
            raise OutputExistsError(
                f"{out} holds a run of an older bert_keras (no {TRAINING_DIR}/{RUN}) that "
                "cannot be resumed; use --overwrite to train again, or another --out")
        if entries and not ours and not overwrite:
            raise OutputExistsError(f"{out} exists and is not a training run of ours "
                                    "(use --overwrite to replace it)")
        for e in entries:  # staging directories of killed saves
            if e.startswith(".save-"):
                shutil.rmtree(os.path.join(out, e), ignore_errors=True)
        stored = _read_json(os.path.join(state_dir, RUN))
        if overwrite:
            for name in (CHECKPOINT, STATE, RUN):
                remove(os.path.join(state_dir, name))
        elif stored is not None:
            diff = settings_difference(stored.get("settings", {}), self.settings)
            if diff:
                raise InputError(
                    f"{out} holds a run with other settings ({'; '.join(diff)}); rerun "
                    "with the same settings to resume it, choose another --out, or "
                    "use --overwrite to start again")
        os.makedirs(state_dir, exist_ok=True)
        _write_json(os.path.join(state_dir, RUN), {"settings": self.settings})

    def write_state(self, state):
        self.state = state
        if self.chief:
            _write_json(os.path.join(self.state_dir, STATE), state)

    def finish(self, keep_checkpoint=False):
        if not self.chief:
            shutil.rmtree(self.state_dir, ignore_errors=True)
        elif not keep_checkpoint:
            remove(self.checkpoint)


def settings_difference(stored, now, prefix=""):
    """Human-readable differences between two settings dicts (nested dicts
    are compared key by key, named `outer.inner`)."""
    diff = []
    for key in sorted(set(stored) | set(now)):
        old, new = stored.get(key), now.get(key)
        if isinstance(old, dict) and isinstance(new, dict):
            diff += settings_difference(old, new, f"{prefix}{key}.")
        elif old != new:
            diff.append(f"{prefix}{key}: {_short(old)} in the stored run, {_short(new)} now")
    return diff


def _short(value):
    text = json.dumps(value, default=str) if not isinstance(value, (int, float)) else repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


def fingerprint(data):
    """What identifies training data in the settings: a path and the
    SHA-256 of its content (all files, for a directory or a list), or a
    hash of in-memory examples."""
    if data is None:
        return None
    if isinstance(data, (str, os.PathLike)):
        return {"path": os.path.abspath(os.fspath(data)), "sha256": _hash_paths([data])}
    if isinstance(data, (list, tuple)) and all(isinstance(d, (str, os.PathLike)) for d in data):
        return {"paths": [os.path.abspath(os.fspath(d)) for d in data],
                "sha256": _hash_paths(data)}
    data = getattr(data, "examples", data)  # SquadData -> its QAExamples
    digest = hashlib.sha256()
    if not hasattr(data, "text_a"):  # QA examples (frozen dataclasses): their repr
        digest.update(repr(list(data)).encode())
    for name in ("text_a", "text_b", "labels"):
        value = getattr(data, name, None)
        digest.update(json.dumps(None if value is None else [str(v) for v in value]).encode())
    return {"examples": len(data), "sha256": digest.hexdigest()}


def _hash_paths(paths):
    from bert_keras.data.pretraining import expand_paths

    digest = hashlib.sha256()
    for path in paths:
        path = os.fspath(path)
        files = [path] if os.path.isfile(path) else sorted(expand_paths([path]))
        for name in files:
            if not os.path.isfile(name):
                continue
            digest.update(os.path.basename(name).encode())
            with open(name, "rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    digest.update(block)
    return digest.hexdigest()


def _read_json(path):
    if not os.path.isfile(path):
        return None
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        raise InputError(f"{path}: unreadable ({e}); delete it or use --overwrite") from None


def _write_json(path, value):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(value, f, indent=1, default=str)
    os.replace(tmp, path)


def remove(path):
    if os.path.exists(path):
        os.remove(path)
