"""The one algorithm that reads a checkpoint of any source format into the
canonical layout: look each tensor up through the format's name table,
transpose where the format stores kernels `[out, in]`, verify tied copies,
then run the one tensor check (`layout.check_tensors`)."""

import numpy as np

from bert_keras.checkpoints.layout import HEADS, check_tensors, expected_shapes, leaf_names
from bert_keras.checkpoints.name_tables import source_names
from bert_keras.errors import InputError

HEAD_ORDER = ("mlm", "nsp")


def strip_prefixes(names, table):
    """source name as the table spells it -> name in the file (models with
    heads prefix the encoder, e.g. `bert.` in `BertForPreTraining`)."""
    out = {}
    for name in names:
        short = next((name[len(p):] for p in table.prefixes if name.startswith(p)), name)
        out[short] = name
    return out


def heads_present(names, table, config):
    """The pretraining heads whose tensors are in `names`."""
    found = []
    for head in HEAD_ORDER:
        if not all(stem in table.names for stem, _, _ in HEADS[head]):
            continue  # a head this format does not carry (ELECTRA's encoder)
        wanted = source_names(table, config, (head,))
        own = {n for c, (n, _) in wanted.items() if c.startswith(f"{head}/")}
        if own & set(names):
            found.append(head)
    return found


def detect_model_type(names, tables):
    """The model type whose first attention kernel is in `names`, else None."""
    for model_type, table in tables.items():
        query = table.block["query"].format(k=0, g=0, j=0)
        if query + table.format.leaves["kernel"] in names:
            return model_type
    return None


def read_tensors(names, get, table, config, source):
    """Canonical weights and the heads found, from a checkpoint whose tensors
    are `names` (a collection), fetched with `get(name)`."""
    by_short = strip_prefixes(names, table)
    heads = heads_present(by_short, table, config)
    wanted = source_names(table, config, heads)
    weights, origin, used = {}, {}, set()
    for canonical, (short, transposed) in wanted.items():
        origin[canonical] = short
        if short in by_short:
            value = np.asarray(get(by_short[short]), dtype=np.float32)
            weights[canonical] = value.T if transposed else value
            used.add(short)
    for short, canonical in table.tied.items():
        if short in by_short and canonical in weights:
            used.add(short)
            # A tied copy that differs would be silently dropped: refuse it.
            if not np.allclose(np.asarray(get(by_short[short]), np.float32),
                               weights[canonical], atol=1e-6):
                raise InputError(
                    f"{source}: {short} differs from {origin[canonical]}; untied "
                    "output embeddings are not supported")
    unexpected = [short for short in by_short
                  if short not in used and not _ignored(short, table)]
    found = dict(weights, **{short: None for short in unexpected})
    check_tensors(found, expected_shapes(config, heads), source, origin)
    return weights, heads


def _ignored(name, table):
    return (name in table.ignored or name.startswith(table.ignored_prefixes)
            or name.endswith(table.ignored_suffixes))


def head_names(head):
    """Canonical tensor names of one head, e.g. `head_names("nsp")`."""
    return [n for stem, kind, _ in HEADS[head] for n in leaf_names(stem, kind)]
