"""Masked-LM head, tied to the encoder's token embedding."""

import keras
from keras_hub.layers import MaskedLMHead

from bert_keras.layers.activations import get_activation


def BertMaskedLMHead(encoder, name="mlm_head"):
    """BERT's masked-LM head for `encoder`: dense + activation + LayerNorm,
    then logits through the *transposed token embedding* plus an output bias
    (google-research/bert `cls/predictions`).

    A keras-hub `MaskedLMHead` configured as original BERT: the encoder's
    activation and LayerNorm epsilon (keras-hub's BertMaskedLM uses exact
    GELU and eps 1e-5 whatever the checkpoint was trained with).

    Call it as `head(sequence_output, mask_positions=positions)` with int32
    positions `[batch, num_predictions]`; it returns logits
    `[batch, num_predictions, vocab]`.

    Example:
    >>> import numpy as np
    >>> from bert_keras import BertConfig, BertEncoder
    >>> encoder = BertEncoder(BertConfig.preset("tiny", vocab_size=50))
    >>> head = BertMaskedLMHead(encoder)
    >>> seq = np.zeros((1, 4, 128), "float32")
    >>> tuple(head(seq, mask_positions=np.array([[1, 2]])).shape)
    (1, 2, 50)
    """
    config = encoder.config
    return MaskedLMHead(
        vocabulary_size=config.vocab_size,
        token_embedding=encoder.token_embedding,
        intermediate_activation=get_activation(config.hidden_act),
        layer_norm_epsilon=config.layer_norm_epsilon,
        kernel_initializer=keras.initializers.TruncatedNormal(
            stddev=config.initializer_range),
        dtype=encoder.dtype_policy,
        name=name,
    )
