"""Prints max |diff| between bert_keras and Hugging Face for each family's
golden fixture (tiny random-init HF models, see make_golden_families.py):
sequence output on real tokens and pooled output, fp32 and mixed bf16;
then, with --keras-hub, the same for keras-hub presets (tiny random
backbones saved with `save_to_preset`, converted, against the backbone's
own forward; the fixtures of tests/checkpoints/test_keras_hub_preset.py).

    python scripts/family_parity.py [--keras-hub]
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


def keras_hub_presets():
    from tests.checkpoints.test_keras_hub_preset import (
        FAMILIES as HUB_FAMILIES, backbone_and_tokenizer, preset_inputs, scale_weights)

    root = tempfile.mkdtemp()
    print(f"\nkeras-hub preset -> convert vs the backbone's forward (fp32)")
    print(f"{'family':<14} {'seq':>9} {'pooled':>9}")
    for family in HUB_FAMILIES:
        keras.utils.set_random_seed(0)
        backbone, tokenizer = backbone_and_tokenizer(family)
        scale_weights(backbone)
        path = os.path.join(root, family)
        backbone.save_to_preset(path)
        tokenizer.save_to_preset(path)
        bert_keras.convert(path, path + "_converted")
        inputs = preset_inputs(family)
        ours = bert_keras.BertEncoder.from_pretrained(path + "_converted")(inputs)
        theirs = backbone({k: v for k, v in inputs.items()
                           if k in [i.name for i in backbone.inputs]})
        theirs = theirs if isinstance(theirs, dict) else {"sequence_output": theirs}
        mask = inputs["padding_mask"].astype(bool)
        seq = np.abs(np.asarray(ours["sequence_output"])[mask]
                     - np.asarray(theirs["sequence_output"])[mask]).max()
        # ELECTRA: keras-hub's pooled_dense is not ELECTRA's; RoBERTa: none.
        pooled = (f"{np.abs(np.asarray(ours['pooled_output']) - np.asarray(theirs['pooled_output'])).max():>9.1e}"
                  if family in ("bert", "albert") else f"{'n/a':>9}")
        print(f"{family:<14} {seq:>9.1e} {pooled}")


if __name__ == "__main__":
    main()
    if "--keras-hub" in sys.argv:
        keras_hub_presets()
