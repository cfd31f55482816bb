"""The one optimizer builder of fine-tuning and pretraining: AdamW, linear
warmup then linear (fine-tuning) or cosine (pretraining) decay to 0,
no weight decay on LayerNorm parameters and biases, global-norm clipping
(of the summed gradient when distributed). AdamW is `FusedAdamW`: Keras'
AdamW on TensorFlow's fused kernels.

    >>> optimizer = create_optimizer(3e-5, total_steps=1000, warmup_fraction=0.1)
    >>> float(optimizer.learning_rate)  # step 0 of the warmup
    0.0
"""

import keras

from bert_keras.training.fused_adamw import FusedAdamW
from bert_keras.training.strategy import ClipAfterAllReduceMixin
from bert_keras.errors import InputError

# Variable names (Keras `variable.name`) that get no weight decay, as in
# original BERT's AdamWeightDecayOptimizer: LayerNorm gamma/beta and biases.
NO_DECAY = ["gamma", "beta", "bias"]


@keras.saving.register_keras_serializable(package="bert_keras")
class WarmupThenDecay(keras.optimizers.schedules.LearningRateSchedule):
    """Linear warmup from 0 to the peak rate over `warmup_steps`, then the
    `decay` schedule (counted from the end of the warmup)."""

    def __init__(self, peak, warmup_steps, decay):
        self.peak = peak
        self.warmup_steps = int(warmup_steps)
        self.decay = decay

    def __call__(self, step):
        step = keras.ops.cast(step, "float32")
        warm = keras.ops.cast(keras.ops.maximum(self.warmup_steps, 1), "float32")
        return keras.ops.where(
            step < self.warmup_steps, self.peak * step / warm,
            self.decay(step - self.warmup_steps))

    def get_config(self):
        return {"peak": self.peak, "warmup_steps": self.warmup_steps,
                "decay": keras.optimizers.schedules.serialize(self.decay)}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["decay"] = keras.optimizers.schedules.deserialize(config["decay"])
        return cls(**config)


@keras.saving.register_keras_serializable(package="bert_keras")
class BertAdamW(ClipAfterAllReduceMixin, FusedAdamW):
    """`FusedAdamW` that clips the global gradient after the all-reduce."""


DECAYS = ("linear", "cosine")


def learning_rate_schedule(peak, total_steps, warmup_fraction=0.1, warmup_steps=None,
                           decay="linear"):
    """Warmup over `warmup_steps` (default: `warmup_fraction` of the steps),
    then `decay` ("linear" or "cosine") to 0 at `total_steps`."""
    if decay not in DECAYS:
        raise InputError(f"decay must be one of {DECAYS}, got {decay!r}")
    if warmup_steps is None:
        warmup_steps = int(round(total_steps * warmup_fraction))
    warmup = max(0, min(int(warmup_steps), total_steps - 1))
    if decay == "linear":
        after = keras.optimizers.schedules.PolynomialDecay(
            peak, decay_steps=max(total_steps - warmup, 1), end_learning_rate=0.0, power=1.0)
    else:
        after = keras.optimizers.schedules.CosineDecay(
            peak, decay_steps=max(total_steps - warmup, 1))
    return WarmupThenDecay(peak, warmup, after)


def create_optimizer(learning_rate, total_steps, warmup_fraction=0.1,
                     weight_decay=0.01, clip_norm=1.0, warmup_steps=None, decay="linear"):
    """AdamW (epsilon 1e-6 as original BERT) on the warmup/decay schedule."""
    if not learning_rate > 0:
        raise InputError(f"learning rate must be positive, got {learning_rate}")
    if total_steps < 1:
        raise InputError(f"total_steps must be at least 1, got {total_steps}")
    optimizer = BertAdamW(
        learning_rate=learning_rate_schedule(learning_rate, total_steps, warmup_fraction,
                                             warmup_steps, decay),
        weight_decay=weight_decay, beta_1=0.9, beta_2=0.999, epsilon=1e-6,
        global_clipnorm=clip_norm)
    optimizer.exclude_from_weight_decay(var_names=NO_DECAY)
    return optimizer
