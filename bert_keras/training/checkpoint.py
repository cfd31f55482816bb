"""Checkpoint files of the training runner, and model files written into a
run directory. Every file is written beside its target and renamed into
place, so a kill never leaves a torn one.

    >>> import tempfile, keras, numpy as np
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    >>> model.compile(optimizer="adam", loss="mse")
    >>> model.optimizer.build(model.trainable_variables)
    >>> path = tempfile.mkdtemp() + "/checkpoint.npz"
    >>> save_checkpoint(path, model, {"global_step": 3})
    >>> restore_checkpoint(path, model)["global_step"]
    3
"""

import json
import os
import shutil

import numpy as np

from bert_keras.errors import InputError
from bert_keras.training.run_directory import remove


def save_checkpoint(path, model, state):
    """Weights + optimizer slots + progress in one file, renamed into place.
    A non-finite weight is never checkpointed."""
    arrays = {f"model/{i}": np.asarray(v.numpy()) for i, v in enumerate(model.weights)}
    arrays.update({f"optimizer/{i}": np.asarray(v.numpy())
                   for i, v in enumerate(model.optimizer.variables)})
    for name, value in arrays.items():
        if value.dtype.kind == "f" and not np.isfinite(value).all():
            raise InputError(f"{os.path.dirname(path)}: {name} has NaN/Inf values at step "
                             f"{state['global_step']}; not checkpointed. Lower --lr, or "
                             "check the model for NaN/Inf weights.")
    arrays["state"] = np.array(json.dumps(state, default=str))
    tmp = path + ".tmp.npz"
    try:
        with open(tmp, "wb") as f:
            np.savez(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        remove(tmp)
        raise


def restore_checkpoint(path, model):
    try:
        with np.load(path) as data:
            arrays = {k: data[k] for k in data.files}
        state = json.loads(str(arrays["state"]))
    except Exception as e:  # a torn file cannot be ours; say so clearly
        raise InputError(f"{path}: unreadable checkpoint ({e}); delete it or use --overwrite")
    for prefix, variables in (("model", model.weights),
                              ("optimizer", model.optimizer.variables)):
        count = sum(1 for k in arrays if k.startswith(prefix + "/"))
        if count != len(variables):
            raise InputError(f"{path}: {count} {prefix} tensors, the model has "
                             f"{len(variables)}; use --overwrite to start again")
        for i, v in enumerate(variables):
            v.assign(arrays[f"{prefix}/{i}"])
    return state


def save_model_files(model_dir, out):
    """Writes a `BertModelDir` into `out`, keeping other files there (the
    training state): staged beside `out` (never inside a model directory),
    under the lock of `out`, then each file renamed into place, metadata
    last, so a crash never leaves a torn weights file. What a killed save
    left is removed first."""
    import glob
    import tempfile

    from bert_keras.checkpoints.model_dir import META_FILE, save_model_dir
    from bert_keras.utils.atomic_dir import remove_debris, staging_prefix
    from bert_keras.utils.output_lock import output_lock

    out = os.path.abspath(out)
    if not os.path.isdir(out):
        return save_model_dir(model_dir, out)
    with output_lock(out):
        remove_debris(out)
        for stale in glob.glob(os.path.join(glob.escape(out), ".save-*")):  # older releases
            shutil.rmtree(stale, ignore_errors=True)
        staging = tempfile.mkdtemp(prefix=f"{staging_prefix(out, 'save')}{os.getpid()}-",
                                   dir=os.path.dirname(out))
        try:
            written = save_model_dir(model_dir, os.path.join(staging, "model"))
            # Every file of the model (tokenizer files too), metadata last.
            for name in sorted(os.listdir(written), key=lambda name: name == META_FILE):
                os.replace(os.path.join(written, name), os.path.join(out, name))
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return out
