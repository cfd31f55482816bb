"""Classification / regression head on the pooled output."""

import keras


@keras.saving.register_keras_serializable(package="bert_keras")
class BertClassificationHead(keras.layers.Layer):
    """Dropout then a dense layer on the pooled `[CLS]` vector: logits for
    `num_classes` classes (or one value, for regression).

    Example:
    >>> import numpy as np
    >>> tuple(BertClassificationHead(3)(np.zeros((2, 16), "float32")).shape)
    (2, 3)
    """

    def __init__(self, num_classes, dropout=0.1, initializer_range=0.02, **kwargs):
        kwargs.setdefault("name", "classification_head")
        super().__init__(**kwargs)
        self.num_classes = num_classes
        self.dropout = dropout
        self.initializer_range = initializer_range
        self.dropout_layer = keras.layers.Dropout(dropout, dtype=self.dtype_policy)
        self.dense = keras.layers.Dense(
            num_classes, name="logits", dtype=self.dtype_policy,
            kernel_initializer=keras.initializers.TruncatedNormal(stddev=initializer_range))

    def build(self, input_shape):
        self.dense.build(input_shape)
        self.built = True

    def call(self, pooled_output, training=None):
        return self.dense(self.dropout_layer(pooled_output, training=training))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.num_classes,)

    def get_config(self):
        config = super().get_config()
        config.update(num_classes=self.num_classes, dropout=self.dropout,
                      initializer_range=self.initializer_range)
        return config
