"""A post-LayerNorm transformer block with its own attention dropout."""

import keras
from keras_hub.layers import TransformerEncoder


@keras.saving.register_keras_serializable(package="bert_keras")
class TransformerBlock(TransformerEncoder):
    """keras-hub's `TransformerEncoder` with BERT's two dropout rates:
    `dropout` on the attention output and the feed-forward output (BERT's
    `hidden_dropout_prob`), `attention_dropout` on the attention
    probabilities (`attention_probs_dropout_prob`). keras-hub uses one rate
    for both. At inference neither applies, so outputs are the same.

    Example:
    >>> import numpy as np
    >>> block = TransformerBlock(num_heads=2, intermediate_dim=16,
    ...                          dropout=0.1, attention_dropout=0.0)
    >>> tuple(block(np.zeros((1, 3, 8), "float32")).shape)
    (1, 3, 8)
    >>> block._self_attention_layer.dropout
    0.0
    """

    def __init__(self, *args, attention_dropout=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.attention_dropout = (self.dropout if attention_dropout is None
                                  else attention_dropout)

    def build(self, inputs_shape):
        # A keras Dropout built with rate 0 has no seed generator and cannot
        # be given a rate later: build all three with the larger rate, then
        # set each one's own.
        hidden = self.dropout
        self.dropout = max(hidden, self.attention_dropout)
        super().build(inputs_shape)
        self.dropout = hidden
        self._self_attention_dropout.rate = hidden
        self._feedforward_dropout.rate = hidden
        # keras' MultiHeadAttention keeps its rate in `_dropout` (read when it
        # chooses the fused kernel) and in its Dropout layer.
        attention = self._self_attention_layer
        attention._dropout = self.attention_dropout
        attention._dropout_layer.rate = self.attention_dropout

    def get_config(self):
        config = super().get_config()
        config["attention_dropout"] = self.attention_dropout
        return config
