"""BERT's input embeddings: token + segment + learned position, then
LayerNorm and dropout (ALBERT/ELECTRA at a smaller width, RoBERTa with its
position offset)."""

import keras
from keras import ops
from keras_hub.layers import PositionEmbedding, ReversibleEmbedding


@keras.saving.register_keras_serializable(package="bert_keras")
class BertEmbeddings(keras.layers.Layer):
    """Sum of token, segment and learned absolute position embeddings.

    The token table is a keras-hub `ReversibleEmbedding`, so a masked-LM head
    can reuse it as its output projection (weight tying, as original BERT).
    Positions are sliced to the actual sequence length, so any length up to
    `max_position_embeddings` works without re-tracing a fixed shape.

    `hidden_size` is the width of the tables (ALBERT's and ELECTRA's
    `embedding_size`; the encoder projects it). With `position_pad_id` set
    (RoBERTa), positions are counted as fairseq does: real tokens get
    `pad_id + 1, pad_id + 2, ...`, tokens equal to `pad_id` get `pad_id`.

    Example:
    >>> import numpy as np
    >>> layer = BertEmbeddings(vocab_size=100, hidden_size=32)
    >>> tuple(layer(np.array([[2, 5, 3]]), np.array([[0, 0, 0]])).shape)
    (1, 3, 32)
    """

    def __init__(self, vocab_size, hidden_size, max_position_embeddings=512,
                 type_vocab_size=2, dropout=0.1, layer_norm_epsilon=1e-12,
                 initializer_range=0.02, position_pad_id=None, **kwargs):
        super().__init__(**kwargs)
        self.vocab_size = vocab_size
        self.hidden_size = hidden_size
        self.max_position_embeddings = max_position_embeddings
        self.type_vocab_size = type_vocab_size
        self.dropout = dropout
        self.layer_norm_epsilon = layer_norm_epsilon
        self.initializer_range = initializer_range
        self.position_pad_id = position_pad_id
        init = lambda: keras.initializers.TruncatedNormal(stddev=initializer_range)
        self.token_embedding = ReversibleEmbedding(
            vocab_size, hidden_size, embeddings_initializer=init(),
            dtype=self.dtype_policy, name="token_embedding")
        self.position_embedding = PositionEmbedding(
            sequence_length=max_position_embeddings, initializer=init(),
            dtype=self.dtype_policy, name="position_embedding")
        self.segment_embedding = keras.layers.Embedding(
            type_vocab_size, hidden_size, embeddings_initializer=init(),
            dtype=self.dtype_policy, name="segment_embedding")
        self.layer_norm = keras.layers.LayerNormalization(
            epsilon=layer_norm_epsilon, dtype=self.dtype_policy,
            name="embeddings_layer_norm")
        self.dropout_layer = keras.layers.Dropout(
            dropout, dtype=self.dtype_policy, name="embeddings_dropout")

    def build(self, token_ids_shape, segment_ids_shape=None):
        self.token_embedding.build(token_ids_shape)
        self.position_embedding.build(tuple(token_ids_shape) + (self.hidden_size,))
        self.segment_embedding.build(token_ids_shape)
        self.layer_norm.build(tuple(token_ids_shape) + (self.hidden_size,))
        self.built = True

    def call(self, token_ids, segment_ids, training=None):
        tokens = self.token_embedding(token_ids)
        x = tokens + self._positions(token_ids, tokens) + self.segment_embedding(segment_ids)
        x = self.layer_norm(x)
        return self.dropout_layer(x, training=training)

    def _positions(self, token_ids, tokens):
        if self.position_pad_id is None:
            return self.position_embedding(tokens)
        # fairseq / Hugging Face RoBERTa: cumsum over non-pad tokens.
        real = ops.cast(ops.not_equal(token_ids, self.position_pad_id), "int32")
        positions = ops.cumsum(real, axis=1) * real + self.position_pad_id
        table = ops.cast(self.position_embedding.position_embeddings, tokens.dtype)
        return ops.take(table, positions, axis=0)

    def compute_output_shape(self, token_ids_shape, segment_ids_shape=None):
        return tuple(token_ids_shape) + (self.hidden_size,)

    def get_config(self):
        config = super().get_config()
        config.update(
            vocab_size=self.vocab_size,
            hidden_size=self.hidden_size,
            max_position_embeddings=self.max_position_embeddings,
            type_vocab_size=self.type_vocab_size,
            dropout=self.dropout,
            layer_norm_epsilon=self.layer_norm_epsilon,
            initializer_range=self.initializer_range,
            position_pad_id=self.position_pad_id,
        )
        return config
