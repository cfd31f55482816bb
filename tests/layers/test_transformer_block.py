"""`TransformerBlock`: BERT's attention-probability dropout is its own rate."""

import numpy as np

import bert_keras
from bert_keras.layers.transformer_block import TransformerBlock


def _block(hidden, attention):
    block = TransformerBlock(num_heads=2, intermediate_dim=16, dropout=hidden,
                             attention_dropout=attention)
    block.build((None, None, 8))
    return block


def test_rates_reach_their_layers():
    block = _block(0.1, 0.3)
    assert block._self_attention_layer.dropout == 0.3
    assert block._self_attention_layer._dropout_layer.rate == 0.3
    assert block._self_attention_dropout.rate == 0.1
    assert block._feedforward_dropout.rate == 0.1
    assert TransformerBlock.from_config(block.get_config()).attention_dropout == 0.3


def test_attention_dropout_alone_changes_training_outputs():
    x = np.random.default_rng(0).standard_normal((2, 5, 8)).astype("float32")
    only_attention = _block(0.0, 0.5)
    training = np.asarray(only_attention(x, training=True))
    inference = np.asarray(only_attention(x, training=False))
    assert np.abs(training - inference).max() > 1e-3
    none = _block(0.0, 0.0)
    none.set_weights(only_attention.get_weights())
    np.testing.assert_allclose(np.asarray(none(x, training=True)), inference, atol=1e-5)
    only_hidden = _block(0.5, 0.0)  # built with rate 0 for attention: still runs
    assert np.abs(np.asarray(only_hidden(x, training=True))
                  - np.asarray(only_hidden(x, training=False))).max() > 1e-3


def test_encoder_passes_the_config_rate():
    config = bert_keras.BertConfig.preset("tiny", vocab_size=50, hidden_dropout=0.1,
                                          attention_dropout=0.25)
    encoder = bert_keras.BertEncoder(config)
    rates = {b._self_attention_layer.dropout for b in encoder.transformer_layers}
    assert rates == {0.25}


def test_docstring_examples():
    import doctest

    from bert_keras.layers import transformer_block
    result = doctest.testmod(transformer_block, verbose=False)
    assert result.attempted > 0 and result.failed == 0
