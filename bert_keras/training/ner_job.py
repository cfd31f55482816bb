"""NER fine-tuning on the one training runner: `NerJob` is the
`TrainingJob` of task type "ner" (`JOBS["ner"]` in
`bert_keras.training.finetune`).

Tagged sentences -> first-sub-word features (`tasks/ner_features.py`) ->
batches of similar length, each padded to its longest (labels padded with
-100) -> sparse cross-entropy over the labelled sub-words only (Keras'
`ignore_class=-100`: the mean over first sub-words, as Hugging Face's
token classification computes it). Dev evaluation is entity-level F1
(main metric), precision and recall (`training/ner_metrics.py`).

    >>> from bert_keras.training.finetune import FinetuneOptions, finetune
    >>> result = finetune("minilm-l6-h384-uncased", "conll2003", "CoNLL-2003/train.txt",
    ...                   "CoNLL-2003/dev.txt", "out/conll",
    ...                   FinetuneOptions(epochs=3, precision="bf16"))  # doctest: +SKIP
    >>> result["best"]["metric"]  # doctest: +SKIP
    'f1'
"""

import os

import numpy as np

from bert_keras.errors import InputError
from bert_keras.tasks.ner_features import IGNORED
from bert_keras.training.runner import TrainingJob, dtype_policy


class NerJob(TrainingJob):
    """Token classification (NER) for the runner."""

    @classmethod
    def read_data(cls, task, train, dev, options, log):
        train_s = _read(task, train, options)
        if not train_s:
            raise InputError(f"{train}: no sentences to train on")
        task = task.labels_from(train_s)
        task.check_tags(train_s, train)
        if all(t == "O" for s in train_s for t in s.tags):
            raise InputError(f"{train}: every training tag is 'O': there are no entities "
                             "to learn (check the tag column)")
        if options.max_train_examples:
            train_s = train_s[:options.max_train_examples]
        dev_s = _read(task, dev, options) if dev is not None else None
        if dev_s is not None:
            if not dev_s:
                raise InputError(f"{dev}: no sentences")
            task.check_tags(dev_s, dev)
        return task, train_s, dev_s

    @classmethod
    def settle_task(cls, task, options):
        return task.with_settings(sequence_length=options.max_seq_length)

    def __init__(self, base, task, train_s, dev_s, tokenizer, options):
        from bert_keras.tasks.ner_features import build_ner_features
        from bert_keras.training import batching

        self.base, self.task, self.options = base, task, options
        self.tokenizer, self.dev = tokenizer, dev_s
        self.features = build_ner_features(train_s, tokenizer, task.labels,
                                           options.max_seq_length)
        self.dev_features = build_ner_features(dev_s, tokenizer, task.labels,
                                               options.max_seq_length) if dev_s else None
        self.lengths = self.features.padding_mask.sum(axis=1).astype("int32")
        if self.features.truncated_words:
            from bert_keras.utils.progress import status

            status(f"note: {self.features.truncated_words} training words are past "
                   f"--max-seq-length {options.max_seq_length} tokens and not trained on")
        self.mean_length = float(self.lengths.mean())
        self.batch_size = options.batch_size
        self.steps_per_epoch = batching.num_batches(self.lengths, options.batch_size,
                                                    options.max_seq_length)
        self.total_steps = max(1, int(round(self.steps_per_epoch * options.epochs)))
        self.main_metric = task.main_metric if dev_s else None
        self._logits = self._logits_model = None

    def build_model(self):
        import keras

        from bert_keras.models.factory import build_encoder
        from bert_keras.tasks.token_classification import build_token_classifier
        from bert_keras.training.optimizer import create_optimizer

        o = self.options
        encoder = build_encoder(self.base, dtype=dtype_policy(o.precision))
        dropout = o.dropout if o.dropout is not None else self.base.config.hidden_dropout
        model = build_token_classifier(encoder, self.task.num_classes, dropout)
        optimizer = create_optimizer(o.learning_rate, self.total_steps, o.warmup_fraction,
                                     o.weight_decay, o.clip_norm)
        loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True,
                                                          ignore_class=IGNORED)
        model.compile(optimizer=optimizer, loss=loss, jit_compile=bool(o.xla))
        return model

    def train_dataset(self, epoch, skip, steps):
        """One epoch in a fixed order per seed (a resumed run skips the
        batches it has trained on), bucketed by length, dynamically padded."""
        import tensorflow as tf

        from bert_keras.training import batching

        o, f = self.options, self.features
        order = np.random.default_rng(o.seed * 1000 + epoch).permutation(len(self.lengths))

        def trim(token_ids, segment_ids, labels, length):
            x = {"token_ids": token_ids[:length], "segment_ids": segment_ids[:length],
                 "padding_mask": tf.ones([length], tf.int32)}
            return x, labels[:length]

        ds = tf.data.Dataset.from_tensor_slices(
            (f.token_ids[order], f.segment_ids[order], f.labels[order], self.lengths[order]))
        boundaries = batching.bucket_boundaries(o.max_seq_length)
        pad_id = self.tokenizer.special_tokens_dict()["padding_id"]
        ds = ds.map(trim).bucket_by_sequence_length(
            element_length_func=lambda x, y: tf.shape(y)[0],
            bucket_boundaries=[b + 1 for b in boundaries],
            bucket_batch_sizes=[o.batch_size] * (len(boundaries) + 1),
            padding_values=({"token_ids": pad_id, "segment_ids": 0, "padding_mask": 0},
                            IGNORED))
        if o.xla:  # few distinct shapes
            ds = ds.map(lambda x, y: _pad_to_multiple(x, y, 16, o.max_seq_length))
        ds = ds.shuffle(256, seed=o.seed * 1000 + epoch, reshuffle_each_iteration=False)
        ds = ds.apply(tf.data.experimental.assert_cardinality(self.steps_per_epoch))
        return ds.skip(skip).take(steps).prefetch(tf.data.AUTOTUNE)

    def evaluate(self, model):
        from bert_keras.tasks.token_classification import logits_function, ner_scores

        if not self.dev:
            return None
        if self._logits is None or self._logits_model is not model:
            self._logits, self._logits_model = logits_function(model), model
        scores = ner_scores(self._logits, self.dev, self.dev_features, self.task.labels,
                            self.options.eval_batch_size)
        return {k: scores[k] for k in ("f1", "precision", "recall")}

    def save(self, model, out):
        from bert_keras.tasks.token_classification import save_token_classifier

        save_token_classifier(model, out, self.base, self.task)


def _read(task, path, options):
    # Files only: the run's settings fingerprint data by path and content.
    if not isinstance(path, (str, os.PathLike)):
        raise InputError(f"NER training data must be a file path, got {type(path).__name__}")
    return task.read(path, skip_bad_rows=options.skip_bad_rows)


def _pad_to_multiple(x, y, multiple, cap):
    import tensorflow as tf

    length = tf.shape(y)[1]
    pad = tf.minimum((length + multiple - 1) // multiple * multiple, cap) - length
    x = {k: tf.pad(v, [[0, 0], [0, pad]]) for k, v in x.items()}
    return x, tf.pad(y, [[0, 0], [0, pad]], constant_values=IGNORED)
