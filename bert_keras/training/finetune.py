"""Fine-tuning a classifier or regressor on the one training runner
(`bert_keras.training.runner`: checkpoints, resume, settings checks,
best-by-dev, NaN guard, progress, TensorBoard).

    >>> from bert_keras.training.finetune import FinetuneOptions, finetune
    >>> result = finetune("minilm-l6-h384-uncased", "sst2", "SST-2/train.tsv",
    ...                   "SST-2/dev.tsv", "out/sst2",
    ...                   FinetuneOptions(epochs=1, precision="bf16"))  # doctest: +SKIP
    >>> result["best"]  # doctest: +SKIP
    {'metric': 'accuracy', 'value': 89.1, 'step': 2105, ...}

`out` becomes a model directory holding the best classifier by the dev
metric, beside the runner's `training/` state and `logs/` (see the runner's
docstring for the layout). Running the same call again resumes an
interrupted run, returns a finished one, and refuses other settings.

The defaults are chosen to hold where data is small: peak learning rate
5e-5 (3e-5 under-trains a 4,000-example, one-epoch SST-2 run), 10% warmup,
batch 32.
"""

import dataclasses
import os
import time

import numpy as np

from bert_keras.errors import InputError
from bert_keras.training.ner_job import NerJob
from bert_keras.training.qa_job import QAJob
from bert_keras.training.run_directory import RunDirectory, fingerprint
from bert_keras.training.runner import RunnerOptions, TrainingJob, dtype_policy, run_training


@dataclasses.dataclass
class FinetuneOptions:
    epochs: float = 3
    batch_size: int = 32
    learning_rate: float = 5e-5
    max_seq_length: int = None  # None: the task's (128 for classification, 384 for QA)
    warmup_fraction: float = 0.1
    weight_decay: float = 0.01
    dropout: float = None  # encoder (hidden + attention) and head; None: the model's
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
    overwrite: bool = False  # start afresh even if `out` has a run
    verbose: object = "auto"  # False/0: no progress display
    tensorboard: bool = True

    # Options that do not change the trained model (not compared on resume).
    RUN_ONLY = ("checkpoint_every", "eval_batch_size", "overwrite", "verbose",
                "tensorboard", "strategy", "xla")

    def result_settings(self):
        return {k: v for k, v in dataclasses.asdict(self).items() if k not in self.RUN_ONLY}


class ClassificationJob(TrainingJob):
    """Sentence (pair) classification and regression for the runner."""

    @classmethod
    def read_data(cls, task, train, dev, options, log):
        """(task, train examples, dev examples), read and checked before
        anything is written. A task kind's job overrides this with its own
        reader and checks (QA: questions, NER: tagged sentences)."""
        train_ex = _read(task, train, options.skip_bad_rows, log)
        if train_ex.labels is None:
            raise InputError(f"{train_ex.source}: the training data has no labels")
        if task.labels is None and not task.regression:
            task = task.with_labels(train_ex.label_values)
        if options.max_train_examples:
            train_ex = train_ex.take(range(min(options.max_train_examples, len(train_ex))))
        if not task.regression:
            _check_labels(task, train_ex)
        dev_ex = _read(task, dev, options.skip_bad_rows, log) if dev is not None else None
        if dev_ex is not None and dev_ex.labels is None:
            raise InputError(f"{dev_ex.source}: the dev data has no labels")
        return task, train_ex, dev_ex

    @classmethod
    def settle_task(cls, task, options):
        """The task with the head settings this run trains it with (stored
        in the model directory)."""
        return task.with_settings(sequence_length=options.max_seq_length,
                                  pooling=options.pooling)

    def __init__(self, base, task, train_ex, dev_ex, tokenizer, options):
        from bert_keras.training import batching

        self.base, self.task, self.options = base, task, options
        enc_train = batching.encode(train_ex, tokenizer, options.max_seq_length,
                                    task.regression)
        enc_dev = (batching.encode(dev_ex, tokenizer, options.max_seq_length, task.regression)
                   if dev_ex is not None else None)
        self.enc_train, self.enc_dev = enc_train, enc_dev
        self.mean_length = float(enc_train.lengths.mean())
        self.batch_size = options.batch_size
        self.steps_per_epoch = batching.num_batches(
            enc_train.lengths, options.batch_size, options.max_seq_length)
        self.total_steps = max(1, int(round(self.steps_per_epoch * options.epochs)))
        self.main_metric = task.main_metric if enc_dev is not None else None

    def build_model(self):
        import keras

        from bert_keras.models.factory import build_encoder
        from bert_keras.tasks.classifier import build_classifier
        from bert_keras.training.metrics import keras_metrics
        from bert_keras.training.optimizer import create_optimizer

        o = self.options
        encoder = build_encoder(self.base, dtype=dtype_policy(o.precision))
        dropout = o.dropout if o.dropout is not None else self.base.config.hidden_dropout
        model = build_classifier(encoder, self.task.num_classes, dropout, o.pooling)
        optimizer = create_optimizer(o.learning_rate, self.total_steps, o.warmup_fraction,
                                     o.weight_decay, o.clip_norm)
        if self.task.regression:
            loss = keras.losses.MeanSquaredError()
        else:
            loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        model.compile(optimizer=optimizer, loss=loss, metrics=keras_metrics(self.task.regression),
                      jit_compile=bool(o.xla))
        return model

    def train_dataset(self, epoch, skip, steps):
        from bert_keras.training import batching

        o = self.options
        ds = batching.train_dataset(self.enc_train, o.batch_size, o.max_seq_length,
                                    seed=o.seed * 1000 + epoch, pad_to_bucket=bool(o.xla))
        return ds.skip(skip).take(steps)

    def evaluate(self, model):
        if self.enc_dev is None:
            return None
        o = self.options
        return evaluate(model, self.enc_dev, self.task, o.eval_batch_size,
                        16 if o.xla else None, o.max_seq_length)

    def save(self, model, out):
        from bert_keras.tasks.classifier import save_classifier

        save_classifier(model, out, self.base, self.task)


# The job of each task kind (the `type` of its task object). A new kind adds
# its TrainingJob subclass here: `read_data`, `settle_task`, `__init__`
# (features), `build_model`, `train_dataset`, `evaluate`, `save`.
JOBS = {"classification": ClassificationJob, "regression": ClassificationJob, "qa": QAJob,
        "ner": NerJob}


def finetune(model, task, train, dev, out, options=None, log=print):
    """Fine-tunes `model` (model directory, built-in name, checkpoint or
    `BertModelDir`) on `task` (a name or `Task`), reading `train`/`dev`
    (paths or `Examples`). Returns the runner's final state (best dev
    metric, history, speed)."""
    from bert_keras.checkpoints.convert import read_any
    from bert_keras.tokenization.factory import build_tokenizer
    from bert_keras.checkpoints.model_dir import BertModelDir
    from bert_keras.data.tasks import get_task
    from bert_keras.training.strategy import get_strategy, is_chief

    options = options or FinetuneOptions()
    task = get_task(task) if isinstance(task, str) else task
    if options.max_seq_length is None:
        options = dataclasses.replace(options, max_seq_length=getattr(task, "sequence_length",
                                                                      128))
    dtype_policy(options.precision)
    if options.batch_size < 1 or not options.epochs > 0:
        raise InputError("--batch-size and --epochs must be positive")
    if options.checkpoint_every < 1:
        raise InputError("--checkpoint-every must be positive")
    if options.pooling not in ("cls", "mean"):
        raise InputError(f"pooling must be cls or mean, got {options.pooling!r}")
    if options.dropout is not None and not 0 <= options.dropout < 1:
        raise InputError(f"--dropout must be in [0, 1), got {options.dropout}")
    if task.type not in JOBS:
        raise InputError(f"task {task.name!r} ({task.type}) cannot be fine-tuned here")

    base = model if isinstance(model, BertModelDir) else read_any(model)
    max_positions = base.config.max_position_embeddings
    if options.max_seq_length > max_positions:
        raise InputError(f"--max-seq-length {options.max_seq_length} exceeds the model's "
                         f"max_position_embeddings ({max_positions})")
    if options.max_seq_length < 3:
        raise InputError(f"--max-seq-length must be at least 3, got {options.max_seq_length}")
    base = _with_source(base, model)
    if options.dropout is not None:
        config = dataclasses.replace(base.config, hidden_dropout=options.dropout,
                                     attention_dropout=options.dropout)
        base = dataclasses.replace(base, config=config)

    # Read (and check) the data before anything is written.
    job_cls = JOBS[task.type]
    task, train_ex, dev_ex = job_cls.read_data(task, train, dev, options, log)
    strategy = get_strategy(options.strategy)
    settings = {"task": task.name, "task_type": task.type, "model": base.source,
                "config": base.config.to_dict(), "train": fingerprint(train),
                "dev": fingerprint(dev), "options": options.result_settings()}
    if getattr(task, "columns", None) is not None:
        settings["columns"] = dict(task.columns)
    if getattr(task, "labels", None) is not None:
        settings["labels"] = list(task.labels)
    if task.type == "qa":  # window and answer settings (--doc-stride...) change the model
        settings["task_settings"] = task.to_dict()
    run = RunDirectory(out, settings, chief=is_chief(strategy), overwrite=options.overwrite,
                       log=log)
    if run.complete:
        best = run.state.get("best")
        log(f"{run.out}: training already complete"
            + (f" (best {best['metric']} {best['value']:.2f})" if best else "")
            + "; use --overwrite to train again")
        return run.state

    task = job_cls.settle_task(task, options)

    t0 = time.time()
    job = job_cls(base, task, train_ex, dev_ex, build_tokenizer(base), options)
    log(f"{task.name}: {len(train_ex)} train / {len(dev_ex) if dev_ex else 0} dev examples, "
        f"tokenized in {time.time() - t0:.1f}s; mean length "
        f"{job.mean_length:.1f} tokens; {job.steps_per_epoch} steps an epoch, "
        f"{job.total_steps} in all")
    runner_options = RunnerOptions(
        checkpoint_every=options.checkpoint_every, eval_every=options.eval_every,
        seed=options.seed, strategy=strategy, overwrite=options.overwrite,
        tensorboard=options.tensorboard, progress=options.verbose not in (0, False))
    job.summary = {"task": task.name, "train_examples": len(train_ex),
                   "dev_examples": len(dev_ex) if dev_ex else 0,
                   "total_steps": job.total_steps, "steps_per_epoch": job.steps_per_epoch,
                   "batch_size": options.batch_size}
    state = run_training(job, run, runner_options, log)
    state.pop("model", None)
    return state


def evaluate(model, encoded, task, batch_size=128, pad_multiple=None, max_seq_length=None):
    """Task metrics of `model` on `encoded` examples (see `batching.encode`)."""
    from bert_keras.training import batching
    from bert_keras.training.metrics import compute_metrics

    ds, order = batching.eval_dataset(encoded, batch_size, pad_multiple, max_seq_length)
    outputs = np.asarray(model.predict(ds, verbose=0), "float32")
    outputs = outputs[np.argsort(order)]
    if task.regression:
        outputs = outputs.reshape(-1)
    return compute_metrics(task.metrics, encoded.labels, outputs)


def _with_source(base, model):
    """`base` with its source recorded by the name the user gave (a built-in
    name, or the path as typed), never the site-packages path a built-in
    name resolves to."""
    if isinstance(model, (str, os.PathLike)):
        return dataclasses.replace(base, source=os.fspath(model))
    if not base.source and base.path:
        return dataclasses.replace(base, source=base.path)
    return base


def _check_labels(task, examples):
    """A classifier needs at least two classes among its training labels."""
    present = np.unique(np.asarray(examples.labels))
    if task.num_classes < 2 or len(present) < 2:
        values = task.display_labels or []
        seen = [values[i] if i < len(values) else i for i in present.tolist()]
        raise InputError(f"{examples.source or 'training data'}: every training label is "
                         f"{seen[0] if seen else '?'!r}; a classifier needs at least two "
                         "classes (check --label-column and the file)")


def _read(task, data, skip_bad_rows, log):
    from bert_keras.data.examples import Examples

    if isinstance(data, Examples):
        return data
    if not task.readable:
        raise InputError(f"task {task.name!r} was trained on custom columns that this model "
                         "did not record: give --text-column (and --text-b-column / "
                         "--label-column) again")
    examples = task.read(data, skip_bad_rows=skip_bad_rows)
    if examples.skipped:
        log(f"{data}: skipped {examples.skipped} bad rows")
    return examples
