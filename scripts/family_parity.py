"""Prints max |diff| between bert_keras and Hugging Face for each family's
golden fixture (tiny random-init HF models, see make_golden_families.py):
sequence output on real tokens and pooled output, fp32 and mixed bf16.

    python scripts/family_parity.py
"""

import os
import sys
import tempfile

import keras
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import bert_keras  # noqa: E402
from tests.models.family_fixtures import (  # noqa: E402
    FAMILIES, inputs_of, load_golden, write_hf_dir)


def main():
    root = tempfile.mkdtemp()
    print(f"{'family':<14} {'seq fp32':>9} {'pooled fp32':>11} {'seq bf16':>9} {'pooled bf16':>11}")
    for family in FAMILIES:
        golden = load_golden(family)
        src = write_hf_dir(os.path.join(root, family), golden)
        mask = golden["attention_mask"].astype(bool)
        row = []
        for dtype in (None, "mixed_bfloat16"):
            out = bert_keras.BertEncoder.from_pretrained(src, dtype=dtype)(inputs_of(golden))
            seq, pooled = (keras.ops.convert_to_numpy(keras.ops.cast(out[k], "float32"))
                           for k in ("sequence_output", "pooled_output"))
            row += [np.abs(seq[mask] - golden["sequence_output"][mask]).max(),
                    np.abs(pooled - golden["pooled_output"]).max()]
        print(f"{family:<14} {row[0]:>9.1e} {row[1]:>11.1e} {row[2]:>9.1e} {row[3]:>11.1e}")


if __name__ == "__main__":
    main()
