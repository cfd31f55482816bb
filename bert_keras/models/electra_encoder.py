"""`ElectraEncoder`: the ELECTRA discriminator as a text encoder."""

import keras

from bert_keras.models.encoder import BertEncoder


@keras.saving.register_keras_serializable(package="bert_keras")
class ElectraEncoder(BertEncoder):
    """ELECTRA's discriminator (Clark et al. 2020): BERT blocks on embeddings
    of width `embedding_size`, projected to `hidden_size` when they differ.

    ELECTRA checkpoints have no pooler, so `pooled_output` is the final
    hidden state of `[CLS]` (no dense, no tanh), which is what ELECTRA's own
    classification heads read. It keeps the TF-Hub interface intact.

    Example:
    >>> import numpy as np
    >>> from bert_keras import BertConfig
    >>> encoder = ElectraEncoder(BertConfig.preset("electra_small", vocab_size=100, num_layers=2))
    >>> out = encoder({"token_ids": np.array([[2, 7, 3]]),
    ...                "segment_ids": np.zeros((1, 3), "int32"),
    ...                "padding_mask": np.ones((1, 3), "int32")})
    >>> bool(np.allclose(out["pooled_output"], out["sequence_output"][:, 0]))
    True
    """

    model_type = "electra"

    def _pool(self, x):
        return x[:, 0, :]
