"""The one training runner: every task (classification, regression,
pretraining; QA and NER next) trains through `run_training`.

What it gives every task:
- a checkpoint every `checkpoint_every` steps (weights, optimizer slots and
  progress in one `.npz`, written to a temporary file and renamed: a kill
  never leaves a torn one), and resuming from it when the same command is
  run again;
- the run's settings (`run.json`, written before the first step) compared
  on every rerun: the same settings resume (or report the finished run),
  other settings are refused naming what differs; a run killed before its
  first checkpoint simply starts over;
- the best model by the dev metric kept in `out` (or the final model when
  there is no dev set), written file by file with renames;
- a guard that stops on a non-finite loss (the last good checkpoint is
  kept, nothing is saved as final);
- one progress display with the real totals, TensorBoard scalars, one
  precision map, `--strategy`, seeds.

Layout of `out`:

    out/bert_keras.json, model.safetensors, vocab.txt   the model (best so far)
    out/training/run.json       settings of the run (compared on resume)
    out/training/checkpoint.npz last checkpoint; removed when training completes
    out/training/state.json     progress, dev history, speed (human-readable)
    out/logs/                   TensorBoard (train/loss, train/learning_rate, dev/*)

How a task plugs in (QA and NER will): the task is ONE object (a kind in
`bert_keras.data.tasks`, with `to_dict`/`from_dict` stored in
`bert_keras.json`, and its `read()`), plus
  1. a head and a model builder (`bert_keras.heads`, `bert_keras.tasks`),
  2. a features builder (examples -> packed, labelled arrays),
  3. a metric (a function of gold and post-processed predictions),
  4. a post-processor (model outputs -> answers),
and a `TrainingJob` subclass that wires them: `build_model` (called in the
strategy scope), `train_dataset`, `evaluate` (features -> outputs ->
post-processor -> metric) and `save`. `finetune` picks the job from the
task's kind (`JOBS` in `bert_keras.training.finetune`). Nothing else
changes: checkpoints, resume, settings checks, best-by-dev, the NaN guard,
progress and TensorBoard come from here.

    >>> from bert_keras.training.runner import RunnerOptions, dtype_policy
    >>> RunnerOptions().checkpoint_every, dtype_policy("bf16")
    (500, 'mixed_bfloat16')
"""

import dataclasses
import math
import os
import signal
import time

from bert_keras.errors import InputError
from bert_keras.training import checkpoint
from bert_keras.training.run_directory import LOGS_DIR

# Set to a step number by tests: the process SIGKILLs itself after that step.
KILL_AT_STEP_ENV = "BERT_KERAS_TEST_KILL_AT_STEP"

# The one precision map: `--precision` value -> Keras dtype policy.
PRECISIONS = {"fp32": None, "float32": None, "bf16": "mixed_bfloat16",
              "mixed_bfloat16": "mixed_bfloat16"}


def dtype_policy(precision):
    if precision not in PRECISIONS:
        raise InputError(f"--precision must be fp32 or bf16, got {precision!r}")
    return PRECISIONS[precision]


@dataclasses.dataclass
class RunnerOptions:
    checkpoint_every: int = 500  # steps
    eval_every: int = None  # steps; None: at the end of each epoch
    seed: int = 0
    strategy: str = "default"
    overwrite: bool = False
    tensorboard: bool = True
    progress: bool = True
    keep_checkpoint: bool = False


class TrainingJob:
    """What a task gives the runner (see the module docstring).

    Attributes set by subclasses: `steps_per_epoch`, `total_steps`,
    `batch_size`, `main_metric` (None: no dev evaluation, the final model
    is saved), `summary`, `restart_data_at_checkpoints` (True for streams such as
    pretraining, whose data restarts from a seed at every checkpoint)."""

    steps_per_epoch = 1
    total_steps = 1
    batch_size = 1
    main_metric = None
    restart_data_at_checkpoints = False
    summary = {}  # what to record as the final state's `run` (sizes, counts)

    def build_model(self):
        """The compiled Keras model (called inside `strategy.scope()`)."""
        raise NotImplementedError

    def train_dataset(self, epoch, skip, steps):
        """`steps` batches of epoch `epoch`, after its first `skip`."""
        raise NotImplementedError

    def evaluate(self, model):
        """Dev metrics (a dict with `main_metric`), or None."""
        return None

    def save(self, model, out):
        """Writes the model directory files into `out` (kept other files)."""
        raise NotImplementedError


def run_training(job, run, options, log=print, callbacks=()):
    """Trains `job` in `run` (a `RunDirectory`); returns the final state."""
    import keras

    from bert_keras.training.strategy import get_strategy

    strategy = get_strategy(options.strategy) if isinstance(options.strategy, str) \
        else options.strategy
    keras.utils.set_random_seed(options.seed)
    with strategy.scope():
        model = job.build_model()
        model.optimizer.build(model.trainable_variables)

    total = job.total_steps
    state = {"global_step": 0, "total_steps": total, "steps_per_epoch": job.steps_per_epoch,
             "best": None, "history": [], "train_history": [], "complete": False,
             "train_seconds": 0.0}
    if os.path.isfile(run.checkpoint):
        state = checkpoint.restore_checkpoint(run.checkpoint, model)
        log(f"resuming from step {state['global_step']} of {total} ({run.checkpoint})")
    state["run"] = dict(job.summary)
    state["resumed_from"] = state["global_step"]

    from bert_keras.utils.progress import Progress

    progress = Progress("training", total=total, unit="step", interval=30.0,
                        verbose=options.progress, initial=state["global_step"])
    writer = _summary_writer(run, options, log)
    watcher = _StepWatcher(state["global_step"], progress, writer)
    checkpoint_every = max(1, int(options.checkpoint_every))
    try:
        while state["global_step"] < total:
            step = state["global_step"]
            epoch, done_in_epoch = divmod(step, job.steps_per_epoch)
            end = min((epoch + 1) * job.steps_per_epoch, total)
            if options.eval_every and job.main_metric:
                end = min(end, (step // options.eval_every + 1) * options.eval_every)
            end = min(end, (step // checkpoint_every + 1) * checkpoint_every)
            steps = end - step
            # Streams (pretraining) restart from a seed at each checkpoint;
            # epochs skip the batches they have already trained on.
            skip = step if job.restart_data_at_checkpoints else done_in_epoch
            dataset = job.train_dataset(epoch, skip, steps)
            started = time.time()
            watcher.start(step)
            history = model.fit(dataset, epochs=1, steps_per_epoch=steps, verbose=0,
                                shuffle=False, callbacks=[watcher, *callbacks])
            state["train_seconds"] += time.time() - started
            if watcher.non_finite is not None:
                bad_step, loss = watcher.non_finite
                raise InputError(
                    f"{run.out}: the training loss became {loss} at step {bad_step}; "
                    f"training stopped. {_last_good(run, state)} Nothing was saved as "
                    "final. Lower --lr, or check the model for NaN/Inf weights.")
            state["global_step"] = end
            logs = {k: float(v[-1]) for k, v in history.history.items() if v}
            state["train_history"].append({"step": end, **logs})
            if job.main_metric and (end % job.steps_per_epoch == 0 or end == total or (
                    options.eval_every and end % options.eval_every == 0)):
                _evaluate_and_keep_best(job, model, run, state, end, progress, writer)
            if end < total and (end % checkpoint_every == 0
                                or end % job.steps_per_epoch == 0):
                _checkpoint(run, model, state)
    finally:
        progress.close()
        if writer is not None:
            writer.close()

    if job.main_metric is None and run.chief:
        job.save(model, run.out)
    state["complete"] = True
    state["examples_per_second"] = round(
        (total - watcher.first_step) * job.batch_size / max(state["train_seconds"], 1e-9), 1)
    state["model_dir"] = run.out
    state["model"] = None
    run.write_state({k: v for k, v in state.items() if k != "model"})
    run.finish(options.keep_checkpoint)
    state["model"] = model
    return state


def _last_good(run, state):
    if os.path.isfile(run.checkpoint):
        return (f"The last good checkpoint (step {state['global_step']}) is kept in "
                f"{run.checkpoint}.")
    return "There was no checkpoint yet."


def _evaluate_and_keep_best(job, model, run, state, step, progress, writer):
    metrics = job.evaluate(model)
    if not metrics:
        return
    state["history"].append({"step": step,
                             "epoch": round(step / job.steps_per_epoch, 3), **metrics})
    value = metrics[job.main_metric]
    best = state["best"]
    improved = best is None or (math.isfinite(value) and value > best["value"])
    if improved:
        state["best"] = {"metric": job.main_metric, "value": value, "step": step,
                         "metrics": metrics}
        if run.chief:
            job.save(model, run.out)
    text = ", ".join(f"{k} {v:.2f}" for k, v in metrics.items())
    progress.write(f"dev @ step {step}: {text}" + (" (best so far, saved)" if improved else ""))
    if writer is not None:
        import tensorflow as tf

        with writer.as_default():
            for k, v in metrics.items():
                tf.summary.scalar(f"dev/{k}", v, step=step)
        writer.flush()


def _checkpoint(run, model, state):
    if run.chief:
        checkpoint.save_checkpoint(run.checkpoint, model, state)
    run.write_state(state)


def _summary_writer(run, options, log):
    if not (options.tensorboard and run.chief):
        return None
    try:
        import tensorboard  # noqa: F401  (tf.summary needs it)
    except ImportError:
        log("TensorBoard is not installed: no logs (pip install tensorboard)")
        return None
    import tensorflow as tf

    return tf.summary.create_file_writer(os.path.join(run.out, LOGS_DIR))


class _StepWatcher:
    """Keras callback (built lazily so this module imports without Keras):
    per step, the progress display, TensorBoard, the non-finite loss guard
    and the test kill hook."""

    def __new__(cls, *args, **kwargs):
        import keras

        class StepWatcher(keras.callbacks.Callback):
            def __init__(self, first_step, progress, writer):
                super().__init__()
                self.first_step, self.step = first_step, first_step
                self.progress, self.writer = progress, writer
                self.non_finite = None
                kill = os.environ.get(KILL_AT_STEP_ENV)
                self.kill_at = int(kill) if kill else None

            def start(self, step):
                self.step = step

            def on_train_batch_end(self, batch, logs=None):
                self.step += 1
                loss = float((logs or {}).get("loss", 0.0))
                if not math.isfinite(loss):
                    self.non_finite = (self.step, loss)
                    self.model.stop_training = True
                    return
                self.progress.update(loss=loss)
                if self.writer is not None and (self.step % 50 == 0 or self.step == 1):
                    import tensorflow as tf

                    with self.writer.as_default():
                        tf.summary.scalar("train/loss", loss, step=self.step)
                        lr = self.model.optimizer.learning_rate
                        tf.summary.scalar("train/learning_rate", float(lr), step=self.step)
                if self.kill_at is not None and self.step == self.kill_at:
                    os.kill(os.getpid(), signal.SIGKILL)

        return StepWatcher(*args, **kwargs)
