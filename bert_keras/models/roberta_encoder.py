"""`RobertaEncoder`: RoBERTa, BERT with fairseq's position numbering."""

import keras

from bert_keras.models.encoder import BertEncoder


@keras.saving.register_keras_serializable(package="bert_keras")
class RobertaEncoder(BertEncoder):
    """RoBERTa (Liu et al. 2019): BERT's architecture; positions start at
    `pad_token_id + 1` and pad tokens take position `pad_token_id` (so the
    position table has `max_position_embeddings = 514` rows for 512 tokens),
    one token type. `pooled_output` is its pooler (dense + tanh on `<s>`).

    Example:
    >>> import numpy as np
    >>> from bert_keras import BertConfig
    >>> config = BertConfig.preset("roberta_base", vocab_size=100, num_layers=2,
    ...                            hidden_size=32, num_heads=2, intermediate_size=64)
    >>> out = RobertaEncoder(config)({"token_ids": np.array([[0, 7, 2, 1]]),
    ...                               "segment_ids": np.zeros((1, 4), "int32"),
    ...                               "padding_mask": np.array([[1, 1, 1, 0]])})
    >>> tuple(out["pooled_output"].shape)
    (1, 32)
    """

    model_type = "roberta"

    def _position_pad_id(self, config):
        return config.pad_token_id
