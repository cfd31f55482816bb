#!/usr/bin/env python
"""Exports a BERT model to TF-Hub SavedModels without installing bert_keras.

    python export/export_tfhub.py MODEL OUT [--seq-length 128] [--frozen]
                                            [--with-mlm] [--overwrite]

Same as `bert-keras export` (see export/FORMAT.md for what it writes).
MODEL is a bert_keras model directory, a built-in name such as
`minilm-l6-h384-uncased`, or any checkpoint `bert-keras convert` reads.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bert_keras.cli.main import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(["export"] + sys.argv[1:]))
