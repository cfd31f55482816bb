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
        raise ValueError(f"Unknown strategy {name!r}; choose from {', '.join(STRATEGIES)}")
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
        raise ValueError(
            "--strategy multi_worker needs the TF_CONFIG environment variable, e.g. "
            '{"cluster": {"worker": ["host1:12345", "host2:12345"]}, '
            '"task": {"type": "worker", "index": 0}}')
    try:
        config = json.loads(raw)
    except json.JSONDecodeError as e:
        raise ValueError(f"TF_CONFIG is not valid JSON: {e}") from None
    workers = config.get("cluster", {}).get("worker")
    task = config.get("task", {})
    if not workers or task.get("type") not in ("worker", "chief") or "index" not in task:
        raise ValueError(
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
        raise ValueError(f"--strategy tpu: no TPU found ({tpu or 'local'}): {e}") from None
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
