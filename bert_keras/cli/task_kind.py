"""Commands that act on a fine-tuned model (`evaluate`, `predict`,
`export-serving`) run the code of the model's task kind: the `type` of the
`task` entry in its `bert_keras.json`, read before anything is loaded.

Each command keeps a table kind -> "module:function"; the function takes
the parsed arguments. A new task kind adds one line to each table.
"""

import importlib
import os

from bert_keras.errors import InputError


def run_for_task_kind(args, table, verb):
    """Calls `table[kind](args)` for the kind of `args.model` (a model
    that is not fine-tuned, or not a directory, counts as classification,
    whose code gives the precise error)."""
    from bert_keras.checkpoints.model_dir import read_task_entry

    task = read_task_entry(args.model) if os.path.isdir(args.model) else None
    kind = (task or {}).get("type", "classification")
    if kind not in table:
        raise InputError(f"{args.model}: cannot {verb} a model of task type {kind!r} "
                         f"(known: {', '.join(table)})")
    module, function = table[kind].split(":")
    return getattr(importlib.import_module(module), function)(args)
