"""`AlbertEncoder`: ALBERT (factorized embeddings, shared transformer blocks)."""

import keras

from bert_keras.models.encoder import BertEncoder


@keras.saving.register_keras_serializable(package="bert_keras")
class AlbertEncoder(BertEncoder):
    """ALBERT (Lan et al. 2019) with `BertEncoder`'s inputs and outputs.

    Embedding tables have width `config.embedding_size` (E) and are projected
    to `hidden_size` (H). The `num_layers` layers reuse a few blocks, as
    Hugging Face's `AlbertTransformer`: `num_hidden_groups` groups of
    `inner_group_num` blocks; layer `i` runs every block of group
    `i // (num_layers // num_hidden_groups)`. Published ALBERTs use one group
    of one block, i.e. one set of transformer weights for all layers.
    `pooled_output` is ALBERT's pooler (dense + tanh on `[CLS]`).

    Example:
    >>> import numpy as np
    >>> from bert_keras import BertConfig
    >>> config = BertConfig.preset("albert_tiny", vocab_size=100)
    >>> encoder = AlbertEncoder(config)
    >>> out = encoder({"token_ids": np.array([[2, 7, 3]]),
    ...                "segment_ids": np.zeros((1, 3), "int32"),
    ...                "padding_mask": np.ones((1, 3), "int32")})
    >>> tuple(out["sequence_output"].shape), len(out["encoder_outputs"])
    ((1, 3, 312), 4)
    >>> len(encoder.transformer_layers)  # one shared block
    1
    """

    model_type = "albert"

    def _layer_schedule(self, config):
        per_group = config.num_layers // config.num_hidden_groups
        inner = config.inner_group_num
        return [self.transformer_layers[(i // per_group) * inner:(i // per_group + 1) * inner]
                for i in range(config.num_layers)]
