"""Extractive question answering (SQuAD v1.1, CMRC 2018) on the one
training runner: `QAJob`, the `TrainingJob` of task kind `"qa"`.

- data: SQuAD-format JSON (`bert_keras.data.squad`), read and checked
  before anything is written (a dev file needs gold answers);
- features: question + context windows (`bert_keras.tasks.qa_features`,
  the task's `sequence_length`, `doc_stride`, `max_query_length`); windows
  without the whole answer point at `[CLS]`, as the reference recipes;
- training: loss = mean of the start and end sparse cross-entropies;
  windows bucketed by length and padded per batch (`batching`);
- evaluation: windows -> logits -> `postprocess_qa` (n-best, max answer
  length, best over windows, text cut from the original context) -> the
  task's official metric (`f1`, `exact_match`, x100; `f1` picks the best
  model).

    >>> from bert_keras.training.finetune import FinetuneOptions, finetune
    >>> result = finetune("minilm-l6-h384-uncased", "squad", "SQuAD/train-split-v1.1.json",
    ...                   "SQuAD/eval-split-v1.1.json", "out/squad",
    ...                   FinetuneOptions(epochs=2, learning_rate=1e-4, max_seq_length=384,
    ...                                   precision="bf16"))  # doctest: +SKIP
    >>> result["best"]["metrics"]  # doctest: +SKIP
    {'f1': ..., 'exact_match': ...}
"""

import numpy as np

from bert_keras.errors import InputError
from bert_keras.training.runner import TrainingJob, dtype_policy


class QAJob(TrainingJob):
    """Span extraction for the runner (see the module docstring)."""

    @classmethod
    def read_data(cls, task, train, dev, options, log):
        cls.settle_task(task, options)  # impossible window settings: refused before writing
        train_ex = _examples(task, train, log)
        if options.max_train_examples:
            train_ex = train_ex[:options.max_train_examples]
        if not any(a.start is not None for e in train_ex for a in e.answers):
            raise InputError(f"{_name(train)}: no question has an answer found in its "
                             "context: nothing to train on")
        dev_ex = _examples(task, dev, log) if dev is not None else None
        if dev_ex is not None:
            unanswered = [e for e in dev_ex if not e.answers]
            if unanswered:
                raise InputError(f"{_name(dev)}: question {unanswered[0].id!r} (and "
                                 f"{len(unanswered) - 1} more) has no gold answers; a dev "
                                 "file needs them")
            if not dev_ex:
                raise InputError(f"{_name(dev)}: no questions")
        return task, train_ex, dev_ex

    @classmethod
    def settle_task(cls, task, options):
        return task.with_settings(sequence_length=options.max_seq_length)

    def __init__(self, base, task, train_ex, dev_ex, tokenizer, options):
        from bert_keras.tasks.qa_features import build_qa_features
        from bert_keras.training import batching

        self.base, self.task, self.options = base, task, options
        self.dev_ex = dev_ex
        features = build_qa_features(train_ex, tokenizer, task.sequence_length,
                                     task.doc_stride, task.max_query_length)
        lengths = features.padding_mask.sum(axis=1).astype("int32")
        labels = np.stack([features.start_positions, features.end_positions], axis=1)
        self.enc_train = batching.Encoded(features.token_ids, features.segment_ids, lengths,
                                          labels.astype("int32"))
        self.dev_features = (build_qa_features(dev_ex, tokenizer, task.sequence_length,
                                               task.doc_stride, task.max_query_length)
                             if dev_ex is not None else None)
        self.mean_length = float(lengths.mean())
        self.batch_size = options.batch_size
        self.steps_per_epoch = batching.num_batches(lengths, options.batch_size,
                                                    task.sequence_length)
        self.total_steps = max(1, int(round(self.steps_per_epoch * options.epochs)))
        self.main_metric = task.main_metric if dev_ex is not None else None

    def build_model(self):
        import keras

        from bert_keras.models.factory import build_encoder
        from bert_keras.tasks.question_answering import build_question_answerer
        from bert_keras.training.optimizer import create_optimizer

        o = self.options
        model = build_question_answerer(build_encoder(self.base, dtype=dtype_policy(o.precision)))
        optimizer = create_optimizer(o.learning_rate, self.total_steps, o.warmup_fraction,
                                     o.weight_decay, o.clip_norm)
        loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        # The mean of the start and end losses, as the reference recipes.
        model.compile(optimizer=optimizer, loss=(loss, loss), loss_weights=(0.5, 0.5),
                      jit_compile=bool(o.xla))
        return model

    def train_dataset(self, epoch, skip, steps):
        from bert_keras.training import batching

        o = self.options
        ds = batching.train_dataset(self.enc_train, o.batch_size, self.task.sequence_length,
                                    seed=o.seed * 1000 + epoch, pad_to_bucket=bool(o.xla))
        ds = ds.map(lambda x, y: (x, (y[:, 0], y[:, 1])))
        return ds.skip(skip).take(steps)

    def evaluate(self, model):
        if self.dev_features is None:
            return None
        return evaluate_windows(model, self.task, self.dev_ex, self.dev_features,
                                self.options.eval_batch_size)

    def save(self, model, out):
        from bert_keras.tasks.question_answering import save_question_answerer

        save_question_answerer(model, out, self.base, self.task)


def evaluate_windows(model, task, examples, features, batch_size=64):
    """`{"f1", "exact_match"}` (x100) of `model` on the windows `features`
    of `examples`."""
    from bert_keras.tasks.qa_postprocess import postprocess_qa
    from bert_keras.tasks.question_answering import span_logits

    start, end = span_logits(model, features, batch_size)
    answers = postprocess_qa(examples, features.offsets, features.example_index, start, end,
                             task.n_best, task.max_answer_length)
    scores = task.scores({e.id: a["answer"] for e, a in zip(examples, answers)},
                         {e.id: [a.text for a in e.answers] for e in examples})
    return {metric: scores[metric] for metric in task.metrics}


def _name(data):
    return data if isinstance(data, str) else "data"


def _examples(task, data, log):
    """The `QAExample`s of a path, a `SquadData` or a list of examples."""
    from bert_keras.data.squad import SquadData

    if isinstance(data, (list, tuple)):
        return list(data)
    squad = data if isinstance(data, SquadData) else task.read(data)
    if squad.moved_answers or squad.unplaced_answers:
        log(f"{_name(data)}: {squad.moved_answers} answer starts moved to where their text "
            f"is, {squad.unplaced_answers} answers not found in their context (not trained on)")
    return squad.examples
