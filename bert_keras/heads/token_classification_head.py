"""Token-classification (NER) head: tag logits for every token."""

import keras


@keras.saving.register_keras_serializable(package="bert_keras")
class BertTokenClassificationHead(keras.layers.Layer):
    """Dropout then a dense layer on every token of `sequence_output`:
    logits `[batch, length, num_labels]`, float32 even under a mixed
    precision policy (the loss and softmax stay exact). The Dense sits at
    `.dense`, where the weight layout's `token_classifier/*` tensors go.

    Example:
    >>> import numpy as np
    >>> logits = BertTokenClassificationHead(5)(np.zeros((2, 7, 16), "float32"))
    >>> tuple(logits.shape), keras.backend.standardize_dtype(logits.dtype)
    ((2, 7, 5), 'float32')
    """

    def __init__(self, num_labels, dropout=0.1, initializer_range=0.02, **kwargs):
        kwargs.setdefault("name", "token_classification_head")
        super().__init__(**kwargs)
        self.num_labels = num_labels
        self.dropout = dropout
        self.initializer_range = initializer_range
        self.dropout_layer = keras.layers.Dropout(dropout, dtype=self.dtype_policy)
        self.dense = keras.layers.Dense(
            num_labels, name="logits", dtype=self.dtype_policy,
            kernel_initializer=keras.initializers.TruncatedNormal(stddev=initializer_range))

    def build(self, input_shape):
        self.dense.build(input_shape)
        self.built = True

    def call(self, sequence_output, training=None):
        logits = self.dense(self.dropout_layer(sequence_output, training=training))
        return keras.ops.cast(logits, "float32")

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.num_labels,)

    def get_config(self):
        config = super().get_config()
        config.update(num_labels=self.num_labels, dropout=self.dropout,
                      initializer_range=self.initializer_range)
        return config
