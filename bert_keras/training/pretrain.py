"""`pretrain(...)`: masked-LM + next-sentence pretraining from raw text (or
TFRecord shards) to a model directory, on the one training runner
(`bert_keras.training.runner`).

The model is a `BertPretrainer` trained with Keras `fit`: AdamW (no weight
decay on LayerNorm and biases) with linear warmup then cosine decay, under
any `tf.distribute` strategy. The runner checkpoints weights and optimizer
every `checkpoint_every` steps into `out/training/`, so a killed run loses
at most that many steps and the same command resumes it; the data stream
restarts at each checkpoint from a seed derived from the step, so a resumed
run sees the batches an uninterrupted one would. The vocabulary (trained
with `train_vocab` when none is given) is kept in `out/training/` too, so a
resumed run tokenizes the same way. The model directory is written to
`out` when training completes.
"""

import dataclasses
import os

from bert_keras.config import BertConfig
from bert_keras.errors import InputError
from bert_keras.training.checkpoint import save_model_files
from bert_keras.training.run_directory import TRAINING_DIR, RunDirectory, fingerprint
from bert_keras.training.runner import RunnerOptions, TrainingJob, dtype_policy, run_training


def build_optimizer(learning_rate, total_steps, warmup_steps, weight_decay=0.01,
                    clipnorm=1.0):
    """Pretraining's AdamW: linear warmup then cosine decay to 0 (the one
    optimizer builder, `optimizer.create_optimizer`)."""
    from bert_keras.training.optimizer import create_optimizer

    return create_optimizer(learning_rate, total_steps, weight_decay=weight_decay,
                            clip_norm=clipnorm, warmup_steps=warmup_steps, decay="cosine")


def _prepare_vocab(corpus_documents, vocab, vocab_size, lowercase, state_dir, log):
    """The vocabulary of this run: from the run's state (resume), a file,
    or trained on the corpus."""
    from bert_keras.tokenization.vocab import load_vocab, save_vocab, train_vocab

    saved = os.path.join(state_dir, "vocab.txt")
    if os.path.isfile(saved):
        return load_vocab(saved)
    if vocab:
        tokens = load_vocab(vocab) if isinstance(vocab, str) else list(vocab)
    else:
        if corpus_documents is None:
            raise InputError("pretraining from TFRecord shards needs --vocab "
                             "(the vocabulary they were made with)")
        log(f"training a WordPiece vocabulary of {vocab_size} tokens on the corpus")
        sentences = [s.replace("[UNK]", " ") for doc in corpus_documents for s in doc]
        tokens = train_vocab(sentences, vocab_size, lowercase=lowercase)
    os.makedirs(state_dir, exist_ok=True)
    save_vocab(tokens, saved)
    return tokens


def _resolve_config(config, vocab_size, overrides):
    if isinstance(config, str):
        config = BertConfig.preset(config)
    elif isinstance(config, dict):
        config = BertConfig.from_dict(config)
    values = config.to_dict()
    values.update({k: v for k, v in (overrides or {}).items() if v is not None})
    values["vocab_size"] = vocab_size
    return BertConfig(**values)


def _is_tfrecord_input(corpus):
    from bert_keras.data.pretraining import expand_paths

    files = expand_paths(corpus)
    return any(f.endswith(".tfrecord") for f in files)


class PretrainingJob(TrainingJob):
    """Masked LM + next sentence for the runner: one "epoch" of all the
    steps, a data stream restarted from a seed at every checkpoint."""

    restart_data_at_checkpoints = True

    def __init__(self, make_model, make_dataset, steps, batch_size, tokens, lowercase,
                 distributed):
        self.make_model, self.make_dataset = make_model, make_dataset
        self.total_steps = self.steps_per_epoch = steps
        self.batch_size = batch_size
        self.tokens, self.lowercase, self.distributed = tokens, lowercase, distributed
        self.summary = {"total_steps": steps, "batch_size": batch_size,
                        "vocab_size": len(tokens)}

    def build_model(self):
        return self.make_model(self.total_steps)

    def train_dataset(self, epoch, skip, steps):
        import tensorflow as tf

        dataset = self.make_dataset(skip)
        if self.distributed:
            options = tf.data.Options()
            options.experimental_distribute.auto_shard_policy = (
                tf.data.experimental.AutoShardPolicy.DATA)
            dataset = dataset.with_options(options)
        return dataset.take(steps)

    def save(self, model, out):
        from bert_keras.checkpoints.model_dir import TokenizerSettings

        save_model_files(model.to_model_dir(self.tokens, TokenizerSettings(
            lowercase=self.lowercase)), out)


def pretrain(corpus, out, config="tiny", vocab=None, vocab_size=8000, lowercase=True,
             steps=1000, batch_size=32, seq_length=128, max_predictions_per_seq=20,
             learning_rate=1e-4, warmup_steps=None, weight_decay=0.01,
             strategy="default", precision="float32", checkpoint_every=200,
             whole_word_masking=False, short_seq_prob=0.1, doc_format="auto",
             init_from=None, config_overrides=None, seed=12345, overwrite=False,
             keep_checkpoints=False, verbose=1, log=print, callbacks=()):
    """Pretrains BERT on `corpus` (text files, or TFRecord shards from
    `create-pretraining-data`) and writes a model directory to `out`.

    Returns a dict: `out`, `steps` (done in total), `history` (per
    checkpoint interval: loss, mlm_loss, mlm_accuracy, nsp_loss, nsp_accuracy),
    `initial_step` (non-zero when resumed), `config`, `vocab_size`.

    Example (tiny, a few steps):
    >>> import tempfile
    >>> corpus = tempfile.mktemp(suffix=".txt")
    >>> _ = open(corpus, "w").write(
    ...     "the cat sat .\\nthe dog ran .\\na cat ran .\\n\\nthe mat sat .\\na dog sat .\\n")
    >>> result = pretrain([corpus], tempfile.mkdtemp() + "/model", vocab_size=40,
    ...                   steps=2, batch_size=2, seq_length=16, verbose=0, log=None)
    >>> result["steps"]
    2
    """
    from bert_keras.data import pretraining as data
    from bert_keras.tasks.pretrainer import BertPretrainer
    from bert_keras.tokenization.tokenizer import BertTokenizer
    from bert_keras.training.strategy import get_strategy, is_chief

    log = log or (lambda *a, **k: None)
    dtype = dtype_policy(precision)
    if steps < 1 or batch_size < 1 or checkpoint_every < 1:
        raise InputError("steps, batch size and checkpoint_every must be positive")
    if seq_length < 8:
        raise InputError(f"seq_length must be at least 8, got {seq_length}")
    corpus = [corpus] if isinstance(corpus, (str, os.PathLike)) else list(corpus)

    strategy = get_strategy(strategy) if isinstance(strategy, str) else strategy
    from_tfrecords = _is_tfrecord_input(corpus)
    if from_tfrecords:
        # Shards carry their vocabulary, casing and lengths.
        info = data.tfrecords_info(corpus)
        seq_length = info.get("seq_length", seq_length)
        max_predictions_per_seq = info.get("max_predictions_per_seq", max_predictions_per_seq)
        lowercase = info.get("lowercase", lowercase)
        shard_vocab = os.path.join(os.path.dirname(data.expand_paths(corpus)[0]), "vocab.txt")
        if not vocab and os.path.isfile(shard_vocab):
            vocab = shard_vocab
    init_model = None
    if init_from:
        from bert_keras.checkpoints.convert import load_model_dir

        init_model = load_model_dir(init_from)
        vocab = init_model.vocab
        lowercase = init_model.tokenizer.lowercase

    # Read (and check) the corpus before anything is written.
    documents = None if from_tfrecords else data.read_documents(corpus, doc_format)
    if documents is not None:
        log(f"corpus: {len(documents)} documents, "
            f"{sum(len(d) for d in documents)} sentences")
    settings = {"corpus": fingerprint(corpus), "config": config if isinstance(config, str)
                else getattr(config, "to_dict", lambda: config)(),
                "config_overrides": config_overrides or {},
                "init_from": fingerprint(init_from) if init_from else None,
                "vocab": fingerprint(vocab) if isinstance(vocab, str) and not init_from
                else (len(vocab) if vocab else {"trained": vocab_size}),
                "lowercase": lowercase, "steps": steps, "batch_size": batch_size,
                "seq_length": seq_length, "max_predictions_per_seq": max_predictions_per_seq,
                "learning_rate": learning_rate, "warmup_steps": warmup_steps,
                "weight_decay": weight_decay, "precision": precision, "seed": seed,
                "whole_word_masking": whole_word_masking, "short_seq_prob": short_seq_prob,
                "doc_format": doc_format}
    run = RunDirectory(out, settings, chief=is_chief(strategy), overwrite=overwrite, log=log)
    result = {"out": run.out if run.chief else None, "steps": steps}
    if run.complete:
        log(f"{run.out}: pretraining already complete; use --overwrite to train again")
        return {**result, "initial_step": steps,
                "history": _history(run.state.get("train_history", []))}

    tokens = _prepare_vocab(documents, vocab, vocab_size, lowercase,
                            os.path.join(run.out, TRAINING_DIR) if run.chief
                            else run.state_dir, log)
    log(f"vocabulary: {len(tokens)} tokens")
    tokenizer = BertTokenizer(tokens, lowercase=lowercase)
    model_config = (init_model.config if init_model
                    else _resolve_config(config, len(tokens), config_overrides))
    if init_model is not None and config_overrides:
        model_config = dataclasses.replace(
            model_config, **{k: v for k, v in config_overrides.items() if v is not None})
    if seq_length > model_config.max_position_embeddings:
        raise InputError(f"seq_length {seq_length} exceeds the model's "
                         f"max_position_embeddings {model_config.max_position_embeddings}")
    if warmup_steps is None:
        warmup_steps = int(0.1 * steps)

    def make_dataset(step):
        if from_tfrecords:
            return data.read_tfrecords(corpus, batch_size, seq_length,
                                       max_predictions_per_seq, seed=seed + step)
        log("tokenizing the corpus and packing sentence pairs")
        return data.pretraining_dataset(
            documents, tokenizer, batch_size=batch_size, seq_length=seq_length,
            max_predictions_per_seq=max_predictions_per_seq, short_seq_prob=short_seq_prob,
            whole_word_masking=whole_word_masking, seed=seed + step)

    def make_model(total_steps):
        if init_model is not None:
            from bert_keras.checkpoints import canonical
            from bert_keras.models.factory import build_encoder

            source = dataclasses.replace(init_model, config=model_config)
            model = BertPretrainer(encoder=build_encoder(source, dtype=dtype))
            for head, assign in (("mlm", canonical.assign_mlm_head),
                                 ("nsp", canonical.assign_nsp_head)):
                if head in init_model.heads:
                    assign(getattr(model, f"{head}_head"), init_model.weights,
                           init_model.source or str(init_from))
        else:
            model = BertPretrainer(model_config, dtype=dtype)
        model.compile(build_optimizer(learning_rate, total_steps, warmup_steps, weight_decay))
        return model

    distributed = strategy.num_replicas_in_sync > 1 or not run.chief
    job = PretrainingJob(make_model, make_dataset, steps, batch_size, tokens, lowercase,
                         distributed)
    state = run_training(job, run, RunnerOptions(
        checkpoint_every=checkpoint_every, seed=seed, strategy=strategy, overwrite=overwrite,
        tensorboard=False, progress=bool(verbose)), log, callbacks=callbacks)
    if run.chief:
        log(f"wrote {run.out}")
    initial = state["resumed_from"]
    history = [e for e in state.get("train_history", []) if e["step"] > initial]
    return {**result, "initial_step": initial, "history": _history(history),
            "config": model_config,
            "vocab_size": len(tokens), "model": state["model"], "tokenizer": tokenizer}


def _history(entries):
    """Per checkpoint interval, {name: [value, ...]} as Keras' History."""
    keys = [k for k in (entries[0] if entries else {}) if k != "step"]
    return {k: [e[k] for e in entries if k in e] for k in keys}
