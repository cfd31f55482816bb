"""`get_strategy(name)`: one place that turns `--strategy` into a
`tf.distribute.Strategy`.

    default       no distribution (`tf.distribute.get_strategy()`), one device
    mirrored      all local GPUs, or all local (logical) CPUs when there is no GPU
    multi_worker  `MultiWorkerMirroredStrategy`; the cluster comes from `TF_CONFIG`
    tpu           `TPUStrategy` on the TPU named by `--tpu` / `TPU_NAME` (or a
                  local TPU VM)

Build models, optimizers and metrics inside `with strategy.scope():`, and
divide the global batch over `strategy.num_replicas_in_sync` replicas.
"""

import json
import os

import tensorflow as tf
from bert_keras.errors import InputError

STRATEGIES = ("default", "mirrored", "multi_worker", "tpu")


def get_strategy(name="default", tpu=None):
    """Returns the `tf.distribute.Strategy` called `name`.

    Example:
    >>> strategy = get_strategy("default")
    >>> strategy.num_replicas_in_sync
    1
    """
    name = (name or "default").lower().replace("-", "_")
    if name not in STRATEGIES:
        raise InputError(f"Unknown strategy {name!r}; choose from {', '.join(STRATEGIES)}")
    if name == "default":
        return tf.distribute.get_strategy()
    if name == "mirrored":
        gpus = tf.config.list_logical_devices("GPU")
        devices = [d.name for d in gpus] or [d.name for d in tf.config.list_logical_devices("CPU")]
        return tf.distribute.MirroredStrategy(devices=devices)
    if name == "multi_worker":
        _check_tf_config()
        resolver = tf.distribute.cluster_resolver.TFConfigClusterResolver()
        options = tf.distribute.experimental.CommunicationOptions(
            implementation=tf.distribute.experimental.CommunicationImplementation.AUTO)
        strategy = tf.distribute.MultiWorkerMirroredStrategy(
            cluster_resolver=resolver, communication_options=options)
        return strategy
    return _tpu_strategy(tpu)


def _check_tf_config():
    """Checks `TF_CONFIG` so a missing or malformed one is a clear error,
    not a worker that silently trains alone (or waits forever)."""
    raw = os.environ.get("TF_CONFIG")
    if not raw:
        raise InputError(
            "--strategy multi_worker needs the TF_CONFIG environment variable, e.g. "
            '{"cluster": {"worker": ["host1:12345", "host2:12345"]}, '
            '"task": {"type": "worker", "index": 0}}')
    try:
        config = json.loads(raw)
    except json.JSONDecodeError as e:
        raise InputError(f"TF_CONFIG is not valid JSON: {e}") from None
    workers = config.get("cluster", {}).get("worker")
    task = config.get("task", {})
    if not workers or task.get("type") not in ("worker", "chief") or "index" not in task:
        raise InputError(
            "TF_CONFIG must name the workers (cluster.worker: [host:port, ...]) and this "
            f"process's task (task.type, task.index); got {raw}")
    return config


def _tpu_strategy(tpu):
    tpu = tpu or os.environ.get("TPU_NAME") or ""
    try:
        resolver = tf.distribute.cluster_resolver.TPUClusterResolver(tpu=tpu)
        tf.config.experimental_connect_to_cluster(resolver)
        tf.tpu.experimental.initialize_tpu_system(resolver)
    except (ValueError, tf.errors.NotFoundError, tf.errors.UnavailableError) as e:
        raise InputError(f"--strategy tpu: no TPU found ({tpu or 'local'}): {e}") from None
    return tf.distribute.TPUStrategy(resolver)


def is_chief(strategy):
    """True on the worker that writes checkpoints and model directories
    (worker 0, or the only process)."""
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or not getattr(resolver, "task_type", None):
        return True
    return resolver.task_type == "chief" or (
        resolver.task_type == "worker" and resolver.task_id == 0
        and "chief" not in resolver.cluster_spec().as_dict())


def _is_multi_worker(strategy):
    return isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)


class MultiWorkerFitMixin:
    """Makes `keras.Model.fit` under `tf.distribute` strategies train on
    exactly the batches a single worker sees, and work at all under
    `MultiWorkerMirroredStrategy` (Keras 3.15, TensorFlow backend). Put it
    before `keras.Model`: `class MyModel(MultiWorkerFitMixin, keras.Model)`.

    Three Keras code paths are patched around, nothing else changes:
    - before training, Keras takes the first batch from the *training*
      iterator to build losses and metrics, so a distributed run skips one
      batch that a single-worker run trains on; here zeros of the same
      shapes and dtypes stand in for it;
    - it averages that batch with one `strategy.reduce` over the nested
      (x, y, w) structure, which MultiWorkerMirroredStrategy rejects
      ("Attempt to convert a value ({...PerReplica...}) to a Tensor");
    - it averages each step's scalar logs with `reduce(axis=0)`, which
      fails there too ("Invalid reduction dimension 0 for input with 0
      dimensions"): logs get a batch axis of 1 under that strategy.

    The last two are keras-team/keras#20585 and tensorflow/tensorflow#72388
    (Keras 3 `fit` under MultiWorkerMirroredStrategy, open).
    """

    def _maybe_symbolic_build(self, iterator=None, data_batch=None):
        from keras import tree

        strategy = getattr(self, "_distribute_strategy", None)
        adapter = getattr(iterator, "data_adapter", None)
        if strategy is not None and data_batch is None and adapter is not None:
            # Building needs shapes and dtypes only: zeros shaped like the
            # dataset's elements (any other iterator would shift a seeded
            # shuffle to its next order).
            specs = adapter.get_tf_dataset().element_spec
            if all(isinstance(s, tf.TensorSpec) for s in tree.flatten(specs)):
                data_batch = tree.map_structure(
                    lambda s: tf.zeros([1 if d is None else d for d in s.shape], s.dtype),
                    specs)
                iterator = None
        return super()._maybe_symbolic_build(iterator=iterator, data_batch=data_batch)

    def train_step(self, data):
        return self._logs_with_batch_axis(super().train_step(data))

    def test_step(self, data):
        return self._logs_with_batch_axis(super().test_step(data))

    def _logs_with_batch_axis(self, logs):
        if not _is_multi_worker(getattr(self, "_distribute_strategy", None)):
            return logs
        return {k: tf.reshape(v, [1]) if tf.is_tensor(v) and v.shape.rank == 0 else v
                for k, v in logs.items()}


class ClipAfterAllReduceMixin:
    """Gradient clipping on the *global* gradient under `tf.distribute`.

    Keras 3 optimizers clip each replica's partial gradient before summing
    them across replicas, so `clipnorm`/`global_clipnorm` change the result
    as soon as there are two replicas. With this mixin the gradients are
    summed first, clipped, and divided back by the number of replicas (the
    optimizer's own sum then restores them), so a distributed step equals a
    single-worker step. Use it before the optimizer class:
    `class AdamW(ClipAfterAllReduceMixin, keras.optimizers.AdamW)`.
    """

    def _clip_gradients(self, grads):
        context = tf.distribute.get_replica_context()
        clipping = (self.clipnorm is not None or self.global_clipnorm is not None
                    or self.clipvalue is not None)
        if not clipping or context is None or context.num_replicas_in_sync == 1:
            return super()._clip_gradients(grads)
        present = [i for i, g in enumerate(grads) if g is not None]
        summed = context.all_reduce(
            tf.distribute.ReduceOp.SUM, [tf.convert_to_tensor(grads[i]) for i in present])
        clipped = super()._clip_gradients(summed)
        out = list(grads)
        n = float(context.num_replicas_in_sync)
        for i, g in zip(present, clipped):
            out[i] = g / n
        return out
