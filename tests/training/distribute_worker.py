"""Runs the `bert-keras` CLI in a fresh process with N logical CPU devices
(argv[1]), so `--strategy mirrored` has two replicas on a one-CPU machine.

    python tests/training/distribute_worker.py 2 pretrain --strategy mirrored ...
"""

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf  # noqa: E402

devices = int(sys.argv[1])
if devices > 1:
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(devices)])

from bert_keras.cli.main import main  # noqa: E402

sys.exit(main(sys.argv[2:]))
