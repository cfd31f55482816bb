"""AdamW recipe: warmup/decay schedule, no decay on LayerNorm and biases,
global-norm clipping."""

import keras
import numpy as np
import pytest

from bert_keras.training.optimizer import create_optimizer, learning_rate_schedule


def test_schedule_warms_up_then_decays_linearly():
    schedule = learning_rate_schedule(1e-3, total_steps=100, warmup_fraction=0.1)
    values = [float(schedule(s)) for s in (0, 5, 10, 55, 100)]
    assert values == pytest.approx([0.0, 5e-4, 1e-3, 5e-4, 0.0], abs=1e-9)
    restored = keras.optimizers.schedules.deserialize(
        keras.optimizers.schedules.serialize(schedule))
    assert float(restored(5)) == pytest.approx(5e-4)


def test_no_weight_decay_on_layer_norm_and_bias():
    dense = keras.layers.Dense(2, bias_initializer="ones")
    norm = keras.layers.LayerNormalization()
    model = keras.Sequential([keras.Input((2,)), dense, norm])
    optimizer = create_optimizer(0.1, total_steps=10, warmup_fraction=0.0, weight_decay=0.5)
    before = {v.path: np.array(v.numpy()) for v in model.trainable_variables}
    zeros = [np.zeros(v.shape, "float32") for v in model.trainable_variables]
    optimizer.apply_gradients(zip(zeros, model.trainable_variables))
    after = {v.path: np.array(v.numpy()) for v in model.trainable_variables}
    # Zero gradients: only weight decay moves a variable.
    assert not np.allclose(after[dense.kernel.path], before[dense.kernel.path])
    for v in (dense.bias, norm.gamma, norm.beta):
        np.testing.assert_array_equal(after[v.path], before[v.path])


def test_gradients_are_clipped_by_global_norm():
    optimizer = create_optimizer(1e-3, total_steps=10)
    assert optimizer.global_clipnorm == 1.0
    assert optimizer.epsilon == 1e-6


def test_bad_arguments():
    with pytest.raises(ValueError, match="learning rate"):
        create_optimizer(0.0, 10)
    with pytest.raises(ValueError, match="total_steps"):
        create_optimizer(1e-3, 0)
