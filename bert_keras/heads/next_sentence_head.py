"""Next-sentence prediction head."""

import keras


@keras.saving.register_keras_serializable(package="bert_keras")
class BertNextSentenceHead(keras.layers.Dense):
    """Two logits from the pooled output: index 0 "B follows A", index 1
    "B is random" (google-research/bert `cls/seq_relationship`).

    Example:
    >>> import numpy as np
    >>> tuple(BertNextSentenceHead()(np.zeros((3, 16), "float32")).shape)
    (3, 2)
    """

    def __init__(self, initializer_range=0.02, name="nsp_head", **kwargs):
        kwargs.pop("units", None)
        kwargs.setdefault("kernel_initializer", keras.initializers.TruncatedNormal(
            stddev=initializer_range))
        super().__init__(2, name=name, **kwargs)
