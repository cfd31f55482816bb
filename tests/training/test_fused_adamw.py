"""FusedAdamW takes the same steps as keras.optimizers.AdamW."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from bert_keras.training.fused_adamw import FusedAdamW, clip_by_global_norm


def _model():
    keras.utils.set_random_seed(0)
    return keras.Sequential([
        keras.Input((5,), dtype="int32"),
        keras.layers.Embedding(50, 8),  # sparse (IndexedSlices) gradient
        keras.layers.LayerNormalization(),
        keras.layers.GlobalAveragePooling1D(),
        keras.layers.Dense(3),
    ])


def _train(optimizer_class, steps=6, densify=False):
    model = _model()
    optimizer = optimizer_class(learning_rate=0.05, weight_decay=0.1, epsilon=1e-6,
                                global_clipnorm=0.5)
    optimizer.exclude_from_weight_decay(var_names=["gamma", "beta", "bias"])
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    rng = np.random.default_rng(0)

    @tf.function
    def step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        if densify:
            grads[1:] = [tf.convert_to_tensor(g) for g in grads[1:]]
            dense = [tf.convert_to_tensor(grads[0])]
            optimizer.apply_gradients(zip(dense + grads[1:], model.trainable_variables))
            return grads[0]
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return grads[0]

    for _ in range(steps):
        # Repeated ids: the sparse gradient has duplicate rows.
        grad = step(rng.integers(0, 10, (4, 5)).astype("int32"),
                    rng.integers(0, 3, (4,)).astype("int32"))
    assert isinstance(grad, tf.IndexedSlices)
    return [v.numpy() for v in model.trainable_variables], optimizer


def test_same_steps_as_keras_adamw():
    ours, opt = _train(FusedAdamW)
    # Keras is given the embedding gradient dense: its global norm of an
    # IndexedSlices with repeated rows is wrong (sums squares row by row).
    reference, _ = _train(keras.optimizers.AdamW, densify=True)
    assert int(opt.iterations) == 6
    for a, b in zip(ours, reference):
        # Each step moves a weight by up to lr = 0.05: agree to 0.04% of one.
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=2e-5)
    # Rows never looked up still move: decoupled weight decay is dense.
    untouched_rows = ours[0][10:]
    assert not np.allclose(untouched_rows, _model().trainable_variables[0].numpy()[10:])


def test_sparse_global_norm_matches_dense():
    sparse = tf.IndexedSlices(tf.constant([[3.0, 0.0], [1.0, 0.0], [0.0, 2.0]]),
                              tf.constant([1, 1, 4]), tf.constant([6, 2]))
    dense = tf.constant([0.0, 5.0])
    clipped = clip_by_global_norm([sparse, None, dense], 1.0)
    expected = keras.src.optimizers.base_optimizer.clip_by_global_norm(
        [tf.convert_to_tensor(sparse), dense], 1.0)
    assert clipped[1] is None
    assert isinstance(clipped[0], tf.IndexedSlices)
    np.testing.assert_allclose(tf.convert_to_tensor(clipped[0]), expected[0], rtol=1e-6)
    np.testing.assert_allclose(clipped[2], expected[1], rtol=1e-6)
    # Norm sqrt(4^2 + 2^2 + 5^2) = sqrt(45): scaled down to norm 1.
    assert float(tf.norm(tf.convert_to_tensor(clipped[0]))) ** 2 + \
        float(tf.norm(clipped[2])) ** 2 == pytest.approx(1.0, rel=1e-5)


def test_amsgrad_falls_back_to_keras():
    ours, _ = _train(lambda **kw: FusedAdamW(amsgrad=True, **kw), steps=2)
    reference, _ = _train(lambda **kw: keras.optimizers.AdamW(amsgrad=True, **kw), steps=2,
                          densify=True)
    for a, b in zip(ours, reference):
        # Each step moves a weight by up to lr = 0.05: agree to 0.04% of one.
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=2e-5)


def test_docstring_examples():
    import doctest

    from bert_keras.training import fused_adamw, optimizer
    for module in (fused_adamw, optimizer):
        result = doctest.testmod(module, verbose=False)
        assert result.attempted > 0 and result.failed == 0, module.__name__
