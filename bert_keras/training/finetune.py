"""Fine-tuning a classifier or regressor, with resumable, atomic checkpoints.

    >>> from bert_keras.training.finetune import FinetuneOptions, finetune
    >>> result = finetune("minilm-l6-h384-uncased", "sst2", "SST-2/train.tsv",
    ...                   "SST-2/dev.tsv", "out/sst2",
    ...                   FinetuneOptions(epochs=1, precision="bf16"))  # doctest: +SKIP
    >>> result["best"]  # doctest: +SKIP
    {'metric': 'accuracy', 'value': 89.1, 'step': 2105}

What `out` holds:

    out/bert_keras.json, model.safetensors, vocab.txt
                          the classifier with the best dev metric so far (a
                          model directory every command accepts)
    out/training/checkpoint.npz
                          the last checkpoint: weights, optimizer state and
                          progress, written to a temporary file and renamed,
                          so a kill never leaves a torn one; removed when
                          training completes
    out/training/state.json  progress and dev history (human-readable)
    out/logs/             TensorBoard logs (train loss, dev metrics)

Running the same command again resumes from the last checkpoint (losing at
most `checkpoint_every` steps); the shuffle order of each epoch depends only
on the seed, so the resumed run sees the batches it had not yet seen.
"""

import dataclasses
import json
import os
import time

import numpy as np
from bert_keras.errors import InputError, OutputExistsError

CHECKPOINT = "checkpoint.npz"
STATE = "state.json"
PRECISIONS = {"fp32": None, "float32": None, "bf16": "mixed_bfloat16",
              "mixed_bfloat16": "mixed_bfloat16"}


@dataclasses.dataclass
class FinetuneOptions:
    epochs: float = 3
    batch_size: int = 32
    learning_rate: float = 3e-5
    max_seq_length: int = 128
    warmup_fraction: float = 0.1
    weight_decay: float = 0.01
    dropout: float = 0.1
    pooling: str = "cls"  # "cls" (BERT's pooler) or "mean" (sentence-transformers)
    clip_norm: float = 1.0
    precision: str = "fp32"
    xla: bool = False
    strategy: str = "default"
    seed: int = 0
    checkpoint_every: int = 500  # steps
    eval_every: int = None  # steps; None: after each epoch only
    eval_batch_size: int = 128
    skip_bad_rows: bool = False
    max_train_examples: int = None
    overwrite: bool = False  # start afresh even if `out` has a checkpoint
    verbose: object = "auto"
    tensorboard: bool = True


def finetune(model, task, train, dev, out, options=None, log=print):
    """Fine-tunes `model` (model directory, built-in name or checkpoint) on
    `task` (a name or `Task`), reading `train`/`dev` (paths or `Examples`).
    Returns a summary dict (best dev metric, history, speed)."""
    import keras

    from bert_keras.checkpoints.convert import read_any
    from bert_keras.checkpoints.loading import build_encoder, build_tokenizer
    from bert_keras.data.tasks import Task, get_task
    from bert_keras.tasks.classifier import build_classifier, save_classifier
    from bert_keras.training import batching
    from bert_keras.training.metrics import keras_metrics
    from bert_keras.training.optimizer import create_optimizer

    options = options or FinetuneOptions()
    if options.precision not in PRECISIONS:
        raise InputError(f"--precision must be fp32 or bf16, got {options.precision!r}")
    if options.batch_size < 1 or options.epochs <= 0:
        raise InputError("batch size and epochs must be positive")
    task = task if isinstance(task, Task) else get_task(task)
    out = os.path.abspath(out)
    state_dir = os.path.join(out, "training")
    previous = _read_state(state_dir)
    if previous and previous.get("complete") and not options.overwrite:
        log(f"{out}: training already complete (best {previous['best']}); "
            "use --overwrite to train again")
        return previous
    if (os.path.isdir(out) and os.listdir(out) and not previous
            and not options.overwrite):
        raise OutputExistsError(f"{out} exists and is not a fine-tuning run of ours "
                              "(use --overwrite to replace it)")

    from bert_keras.checkpoints.model_dir import BertModelDir

    base = model if isinstance(model, BertModelDir) else read_any(model)
    tokenizer = build_tokenizer(base)
    train_ex = _read(task, train, options.skip_bad_rows, log)
    if train_ex.labels is None:
        raise InputError(f"{train_ex.source}: the training data has no labels")
    if task.labels is None and not task.regression:
        task = task.with_labels(train_ex.label_values)
    if options.max_train_examples:
        train_ex = train_ex.take(range(min(options.max_train_examples, len(train_ex))))
    dev_ex = _read(task, dev, options.skip_bad_rows, log) if dev is not None else None
    if dev_ex is not None and dev_ex.labels is None:
        raise InputError(f"{dev_ex.source}: the dev data has no labels")

    t0 = time.time()
    enc_train = batching.encode(train_ex, tokenizer, options.max_seq_length, task.regression)
    enc_dev = (batching.encode(dev_ex, tokenizer, options.max_seq_length, task.regression)
               if dev_ex is not None else None)
    steps_per_epoch = batching.num_batches(
        enc_train.lengths, options.batch_size, options.max_seq_length)
    total_steps = max(1, int(round(steps_per_epoch * options.epochs)))
    log(f"{task.name}: {len(train_ex)} train / {len(dev_ex) if dev_ex else 0} dev examples, "
        f"tokenized in {time.time() - t0:.1f}s; mean length "
        f"{enc_train.lengths.mean():.1f} tokens; {steps_per_epoch} steps an epoch, "
        f"{total_steps} in all")

    run = {"task": task.name, "num_classes": task.num_classes, "batch_size": options.batch_size,
           "max_seq_length": options.max_seq_length, "steps_per_epoch": steps_per_epoch,
           "total_steps": total_steps, "seed": options.seed, "pooling": options.pooling,
           "train_examples": len(train_ex)}

    from bert_keras.training.strategy import get_strategy, is_chief

    strategy = get_strategy(options.strategy)
    chief = is_chief(strategy)
    keras.utils.set_random_seed(options.seed)
    with strategy.scope():
        encoder = build_encoder(base, dtype=PRECISIONS[options.precision])
        classifier = build_classifier(encoder, task.num_classes, options.dropout,
                                      options.pooling)
        optimizer = create_optimizer(options.learning_rate, total_steps,
                                     options.warmup_fraction, options.weight_decay,
                                     options.clip_norm)
        if task.regression:
            loss = keras.losses.MeanSquaredError()
        else:
            loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        classifier.compile(optimizer=optimizer, loss=loss,
                           metrics=keras_metrics(task.regression),
                           jit_compile=bool(options.xla))
        optimizer.build(classifier.trainable_variables)

    state = {"run": run, "global_step": 0, "best": None, "history": [], "complete": False,
             "options": dataclasses.asdict(options), "train_seconds": 0.0}
    checkpoint = os.path.join(state_dir, CHECKPOINT)
    if options.overwrite:
        _remove(checkpoint)
    elif os.path.isfile(checkpoint):
        state = _restore(checkpoint, classifier, optimizer, run)
        log(f"resuming from step {state['global_step']} of {total_steps} ({checkpoint})")

    def evaluate_dev(step):
        if enc_dev is None:
            return None
        metrics = evaluate(classifier, enc_dev, task, options.eval_batch_size,
                           16 if options.xla else None, options.max_seq_length)
        entry = {"step": step, "epoch": round(step / steps_per_epoch, 3), **metrics}
        state["history"].append(entry)
        return metrics

    def save_best_if_better(step, metrics):
        value = metrics[task.main_metric] if metrics else None
        best = state["best"]
        if best is None or value is None or value > best["value"]:
            state["best"] = {"metric": task.main_metric if metrics else None,
                             "value": value, "step": step, "metrics": metrics}
            if chief:
                save_classifier(classifier, out, base,
                                {**task.to_dict(options.max_seq_length),
                                 "pooling": options.pooling})
            return True
        return False

    def save_checkpoint(step):
        state["global_step"] = step
        if chief:
            _save(checkpoint, classifier, optimizer, state)
            _write_state(state_dir, state)

    os.makedirs(state_dir, exist_ok=True)
    callbacks = [_Progress(state, options, steps_per_epoch, total_steps, save_checkpoint,
                           evaluate_dev, save_best_if_better, log)]
    if options.tensorboard and chief and _tensorboard_available(log):
        callbacks.append(keras.callbacks.TensorBoard(
            os.path.join(out, "logs"), update_freq=50, write_graph=False))
    writer = _dev_writer(out) if len(callbacks) > 1 else None
    callbacks[0].writer = writer

    while state["global_step"] < total_steps:
        step = state["global_step"]
        epoch, done_in_epoch = divmod(step, steps_per_epoch)
        steps = min(steps_per_epoch - done_in_epoch, total_steps - step)
        ds = batching.train_dataset(enc_train, options.batch_size, options.max_seq_length,
                                    seed=options.seed * 1000 + epoch,
                                    pad_to_bucket=bool(options.xla))
        ds = ds.skip(done_in_epoch).take(steps)
        started = time.time()
        # `epochs` is the real count, for the progress bar's "Epoch 2/3"; the
        # callback stops fit after this one epoch (we evaluate in between).
        classifier.fit(ds, initial_epoch=epoch, epochs=-(-total_steps // steps_per_epoch),
                       steps_per_epoch=steps,
                       callbacks=callbacks, verbose=options.verbose, shuffle=False)
        state["train_seconds"] += time.time() - started
        step += steps
        metrics = evaluate_dev(step)
        improved = save_best_if_better(step, metrics)
        if metrics:
            callbacks[0].report(step, metrics, improved)
        save_checkpoint(step)

    state["complete"] = True
    state["examples_per_second"] = round(
        total_steps * options.batch_size / max(state["train_seconds"], 1e-9), 1)
    state["model_dir"] = out
    if chief:
        _write_state(state_dir, state)
        _remove(checkpoint)
    if writer is not None:
        writer.close()
    return state


def evaluate(model, encoded, task, batch_size=128, pad_multiple=None, max_seq_length=None):
    """Task metrics of `model` on `encoded` examples (see `batching.encode`)."""
    from bert_keras.training import batching
    from bert_keras.training.metrics import compute_metrics

    ds, order = batching.eval_dataset(encoded, batch_size, pad_multiple, max_seq_length)
    outputs = np.asarray(model.predict(ds, verbose=0), "float32")
    outputs = outputs[np.argsort(order)]
    if task.regression if hasattr(task, "regression") else task["type"] == "regression":
        outputs = outputs.reshape(-1)
    names = task.metrics if hasattr(task, "metrics") else task.get("metrics", ["accuracy"])
    return compute_metrics(names, encoded.labels, outputs)


def _read(task, data, skip_bad_rows, log):
    from bert_keras.data.examples import Examples

    if isinstance(data, Examples):
        return data
    examples = task.read(data, skip_bad_rows=skip_bad_rows)
    if examples.skipped:
        log(f"{data}: skipped {examples.skipped} bad rows")
    return examples


class _Progress:
    """Keras callback (built lazily so this module imports without Keras):
    checkpoints every N steps and evaluates every M steps."""

    def __new__(cls, *args, **kwargs):
        import keras

        class Progress(keras.callbacks.Callback):
            def __init__(self, state, options, steps_per_epoch, total_steps, save_checkpoint,
                         evaluate_dev, save_best, log):
                super().__init__()
                self.state, self.options = state, options
                self.save_checkpoint, self.evaluate_dev = save_checkpoint, evaluate_dev
                self.save_best, self.log = save_best, log
                self.steps_per_epoch, self.total_steps = steps_per_epoch, total_steps
                self.writer = None

            def on_train_begin(self, logs=None):
                self.step = self.state["global_step"]

            def on_train_batch_end(self, batch, logs=None):
                self.step += 1
                if self.step >= self.total_steps or self.step % self.steps_per_epoch == 0:
                    return  # the epoch end evaluates and checkpoints
                if self.options.eval_every and self.step % self.options.eval_every == 0:
                    metrics = self.evaluate_dev(self.step)
                    if metrics:
                        self.report(self.step, metrics, self.save_best(self.step, metrics))
                if self.step % self.options.checkpoint_every == 0:
                    self.save_checkpoint(self.step)

            def on_epoch_end(self, epoch, logs=None):
                self.model.stop_training = True

            def report(self, step, metrics, improved):
                text = ", ".join(f"{k} {v:.2f}" for k, v in metrics.items())
                self.log(f"dev @ step {step}: {text}" + (" (best so far, saved)" if improved else ""))
                if self.writer is not None:
                    import tensorflow as tf

                    with self.writer.as_default():
                        for k, v in metrics.items():
                            tf.summary.scalar(f"dev/{k}", v, step=step)
                    self.writer.flush()

        return Progress(*args, **kwargs)


def _tensorboard_available(log):
    try:
        import tensorboard  # noqa: F401  (tf.summary needs it)
        return True
    except ImportError:
        log("TensorBoard is not installed: no logs (pip install tensorboard)")
        return False


def _dev_writer(out):
    import tensorflow as tf

    return tf.summary.create_file_writer(os.path.join(out, "logs", "dev"))


def _save(path, model, optimizer, state):
    """Weights + optimizer slots + progress in one file, renamed into place."""
    arrays = {f"model/{i}": np.asarray(v.numpy()) for i, v in enumerate(model.weights)}
    arrays.update({f"optimizer/{i}": np.asarray(v.numpy())
                   for i, v in enumerate(optimizer.variables)})
    arrays["state"] = np.array(json.dumps(state))
    tmp = path + ".tmp.npz"
    with open(tmp, "wb") as f:
        np.savez(f, **arrays)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _restore(path, model, optimizer, run):
    try:
        data = np.load(path)
        state = json.loads(str(data["state"]))
    except Exception as e:  # a file we did not write completely cannot exist; say so clearly
        raise InputError(f"{path}: unreadable checkpoint ({e}); delete it or use --overwrite")
    old = {k: v for k, v in state["run"].items() if k != "train_examples"}
    new = {k: v for k, v in run.items() if k != "train_examples"}
    if old != new:
        diff = {k: (old.get(k), new.get(k)) for k in new if old.get(k) != new.get(k)}
        raise InputError(f"{path} is from a different run (checkpoint vs now: {diff}); "
                         "use the same settings to resume, or --overwrite to start again")
    for prefix, variables in (("model", model.weights), ("optimizer", optimizer.variables)):
        count = sum(1 for k in data.files if k.startswith(prefix + "/"))
        if count != len(variables):
            raise InputError(f"{path}: {count} {prefix} tensors, the model has {len(variables)}")
        for i, v in enumerate(variables):
            v.assign(data[f"{prefix}/{i}"])
    return state


def _read_state(state_dir):
    checkpoint = os.path.join(state_dir, CHECKPOINT)
    path = os.path.join(state_dir, STATE)
    if not os.path.isfile(path):
        return {"resumable": True} if os.path.isfile(checkpoint) else None
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def _write_state(state_dir, state):
    os.makedirs(state_dir, exist_ok=True)
    tmp = os.path.join(state_dir, STATE + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(state, f, indent=1, default=str)
    os.replace(tmp, os.path.join(state_dir, STATE))


def _remove(path):
    if os.path.exists(path):
        os.remove(path)
