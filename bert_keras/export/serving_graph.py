"""Pieces shared by the strings-in serving SavedModels (classifier, QA, NER):
which variables a server saves, and running a Keras model over many rows a
chunk at a time so a big request needs the memory of one chunk.

    >>> import tensorflow as tf
    >>> rows = {"x": tf.reshape(tf.range(10), [5, 2])}
    >>> out = run_in_chunks(lambda c: {"y": c["x"] * 2}, rows, 2,
    ...                     {"y": tf.TensorSpec([2, 2], tf.int32)})
    >>> out["y"].numpy().tolist()
    [[0, 2], [4, 6], [8, 10], [12, 14], [16, 18]]
"""

import json
import os

import tensorflow as tf

from bert_keras.utils.atomic_dir import atomic_output_dir


def graph_variables(model):
    """The distinct tf.Variables behind a Keras 3 model's variables.

    A server keeps its Keras model untracked (its Keras variables would be
    saved beside these tf.Variables, storing every weight twice) and lists
    these instead, so the SavedModel saves and restores them, TF1 loaders
    such as saved_model_cli included."""
    seen, out = set(), []
    for v in model.variables:
        v = getattr(v, "value", v)
        if id(v) not in seen:
            seen.add(id(v))
            out.append(v)
    return out


def run_in_chunks(fn, rows, size, spec):
    """`fn` on `size` rows at a time, sequentially, concatenated.

    Args:
        fn: dict of `[size, ...]` tensors -> dict of `[size, ...]` tensors
            shaped as `spec` says.
        rows: dict of `[n, ...]` tensors (same `n`). The last chunk is
            filled up with copies of the last real row, so `fn` only ever
            sees well-formed inputs; their outputs are dropped. `fn` does
            not run when `n` is 0.
        size: rows per chunk.
        spec: dict of `tf.TensorSpec([size, ...])`, `fn`'s outputs.
    """
    first = next(iter(rows.values()))
    n = tf.shape(first)[0]
    chunks = (n + size - 1) // size
    fill = chunks * size - n

    def filled(x):
        x = tf.concat([x, tf.repeat(x[-1:], fill, axis=0)], 0)
        return tf.reshape(x, tf.concat([[chunks, size], tf.shape(x)[1:]], 0))

    def run():
        chunked = {k: filled(v) for k, v in rows.items()}
        out = tf.map_fn(fn, chunked, fn_output_signature=spec, parallel_iterations=1)
        return {k: tf.reshape(v, tf.concat([[-1], tf.shape(v)[2:]], 0))[:n]
                for k, v in out.items()}

    def nothing():
        # map_fn cannot stack zero results of a partly unknown shape.
        return {k: tf.zeros([0] + [d or 0 for d in s.shape[1:]], s.dtype)
                for k, s in spec.items()}

    return tf.cond(n > 0, run, nothing)


def trim_to_longest(inputs, mask_key="padding_mask", minimum=1):
    """Encoder inputs `[rows, length]` cut to the longest row of the chunk
    (padding costs attention time); returns (inputs, that length)."""
    mask = inputs[mask_key]
    length = tf.maximum(tf.reduce_max(tf.reduce_sum(tf.cast(mask, tf.int32), 1)), minimum)
    length = tf.minimum(length, tf.shape(mask)[1])
    return {k: v[:, :length] for k, v in inputs.items()}, length


def pad_columns(x, length, value):
    """`[rows, l, ...]` padded with `value` to `[rows, length, ...]`."""
    pad = [[0, 0], [0, length - tf.shape(x)[1]]] + [[0, 0]] * (x.shape.rank - 2)
    return tf.pad(x, pad, constant_values=value)


def save_task_server(server, out, overwrite, task, verify=None):
    """Saves a task's serving module (its `serve` function as
    `serving_default`) with the task entry in `assets.extra/task.json`,
    staged beside `out` and renamed into place only after `verify(staged
    path)` passes. Returns `out`."""
    with atomic_output_dir(out, overwrite) as tmp:
        tf.saved_model.save(server, tmp, signatures={"serving_default": server.serve})
        write_task_json(tmp, task)
        if verify:  # None/False: no check
            verify(tmp)
    return out


def write_task_json(path, task):
    """OUT/assets.extra/task.json: the model's task entry, for consumers."""
    extra = os.path.join(path, "assets.extra")
    os.makedirs(extra, exist_ok=True)
    with open(os.path.join(extra, "task.json"), "w", encoding="utf-8") as f:
        json.dump(task, f, indent=2, ensure_ascii=False)
