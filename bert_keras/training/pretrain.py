"""`pretrain(...)`: pretraining from raw text (or TFRecord shards) to a
model directory, on the one training runner (`bert_keras.training.runner`),
with the objective of the model's family (`bert_keras.tasks.objectives`):
masked LM + next sentence (BERT), masked LM + sentence order (ALBERT),
masked LM on full-sentence blocks (RoBERTa). The family comes from the
config (a preset or zoo name such as `albert_base`, `roberta_base`, or a
config JSON); its tokenizer from `vocab` (`pretrain_tokenizer.py`).

The model is a `BertPretrainer` trained with Keras `fit`: AdamW (no weight
decay on LayerNorm and biases) with linear warmup then cosine decay, under
any `tf.distribute` strategy. The runner checkpoints weights and optimizer
every `checkpoint_every` steps into `out/training/`, so a killed run loses
at most that many steps and the same command resumes it; the data stream
restarts at each checkpoint from a seed derived from the step, so a resumed
run sees the batches an uninterrupted one would. The tokenizer's files (a
WordPiece vocabulary is trained with `train_vocab` when none is given) are
kept in `out/training/` too, so a resumed run tokenizes the same way. The model directory is written to
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


def read_config(config):
    """A `BertConfig` from a preset or zoo name, a config JSON file (ours, as
    in a model directory's `bert_keras.json` "config" entry, or a Hugging
    Face `config.json`), a dict or a `BertConfig`."""
    if isinstance(config, (str, os.PathLike)) and os.path.isfile(config):
        from bert_keras.utils.json_file import read_json

        values = read_json(os.fspath(config))
        values = values.get("config", values) if isinstance(values, dict) else values
        if not isinstance(values, dict):
            raise InputError(f"{config}: not a config (a JSON object)")
        if "num_hidden_layers" in values:
            return BertConfig.from_hf_json(values)
        return BertConfig.from_dict(values)
    if isinstance(config, str):
        if config.endswith(".json"):
            raise InputError(f"config file not found: {config}")
        return BertConfig.preset(config)
    if isinstance(config, dict):
        return BertConfig.from_dict(config)
    return config


def _resolve_config(config, vocab_size, overrides, pad_id=None):
    values = read_config(config).to_dict()
    values.update({k: v for k, v in (overrides or {}).items() if v is not None})
    values["vocab_size"] = vocab_size
    if values.get("model_type") == "roberta" and pad_id is not None:
        # RoBERTa numbers positions from the pad id: the tokenizer's.
        values["pad_token_id"] = pad_id
    return BertConfig(**values)


def _is_tfrecord_input(corpus):
    from bert_keras.data.pretraining import expand_paths

    files = expand_paths(corpus)
    return any(f.endswith(".tfrecord") for f in files)


class PretrainingJob(TrainingJob):
    """The family's pretraining objective for the runner: one "epoch" of
    all the steps, a data stream restarted from a seed at every checkpoint."""

    restart_data_at_checkpoints = True

    def __init__(self, make_model, make_dataset, steps, batch_size, run_tokenizer,
                 distributed):
        self.make_model, self.make_dataset = make_model, make_dataset
        self.total_steps = self.steps_per_epoch = steps
        self.batch_size = batch_size
        self.run_tokenizer, self.distributed = run_tokenizer, distributed
        self.summary = {"total_steps": steps, "batch_size": batch_size,
                        "vocab_size": len(run_tokenizer.tokens)}

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
        tok = self.run_tokenizer
        save_model_files(model.to_model_dir(tok.tokens, tok.settings, files=tok.files), out)


def pretrain(corpus, out, config="tiny", vocab=None, vocab_size=8000, lowercase=True,
             steps=1000, batch_size=32, seq_length=128, max_predictions_per_seq=20,
             learning_rate=1e-4, warmup_steps=None, weight_decay=0.01,
             strategy="default", precision="float32", checkpoint_every=200,
             whole_word_masking=False, short_seq_prob=0.1, doc_format="auto",
             init_from=None, config_overrides=None, seed=12345, overwrite=False,
             keep_checkpoints=False, verbose=1, log=print, callbacks=()):
    """Pretrains a model of `config`'s family (BERT, ALBERT, RoBERTa) on
    `corpus` (text files, or TFRecord shards from `create-pretraining-data`)
    and writes a model directory to `out`. `vocab`: a WordPiece
    `vocab.txt` (or None to train one), a SentencePiece `*.model`, a BPE
    `vocab.json` (merges.txt beside it), or a directory holding them.

    Returns a dict: `out`, `steps` (done in total), `history` (per
    checkpoint interval: loss, mlm_loss, mlm_accuracy, and nsp_loss,
    nsp_accuracy for BERT / sop_loss, sop_accuracy for ALBERT),
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
    from bert_keras.tasks.objectives import objective_for
    from bert_keras.tasks.pretrainer import BertPretrainer
    from bert_keras.training.pretrain_tokenizer import prepare_tokenizer
    from bert_keras.training.strategy import get_strategy, is_chief

    log = log or (lambda *a, **k: None)
    dtype = dtype_policy(precision)
    if steps < 1 or batch_size < 1 or checkpoint_every < 1:
        raise InputError("steps, batch size and checkpoint_every must be positive")
    if seq_length < 8:
        raise InputError(f"seq_length must be at least 8, got {seq_length}")
    corpus = [corpus] if isinstance(corpus, (str, os.PathLike)) else list(corpus)

    init_model = None
    if init_from:
        from bert_keras.checkpoints.convert import load_model_dir

        init_model = load_model_dir(init_from)
        vocab = init_model
        lowercase = init_model.tokenizer.lowercase
    model_type = (init_model.config if init_model else read_config(config)).model_type
    objective = objective_for(model_type)  # ELECTRA is refused here, before any work
    task = objective.sentence_task

    strategy = get_strategy(strategy) if isinstance(strategy, str) else strategy
    from_tfrecords = _is_tfrecord_input(corpus)
    if from_tfrecords:
        # Shards carry their tokenizer, casing, lengths and objective.
        info = data.tfrecords_info(corpus)
        seq_length = info.get("seq_length", seq_length)
        max_predictions_per_seq = info.get("max_predictions_per_seq", max_predictions_per_seq)
        lowercase = info.get("lowercase", lowercase)
        shard_family = info.get("model_type", "bert")
        if info.get("sentence_task", "nsp") != task or shard_family != model_type:
            raise InputError(
                f"the shards were made for {shard_family} ({info.get('sentence_task', 'nsp')}"
                f" sentence task), not for this {model_type} model ({objective.name}); "
                f"make them with `create-pretraining-data --config` of this model")
        shard_dir = os.path.dirname(data.expand_paths(corpus)[0])
        if not vocab:
            shard_vocab = os.path.join(shard_dir, "vocab.txt")
            vocab = shard_vocab if os.path.isfile(shard_vocab) else shard_dir

    # Read (and check) the corpus before anything is written.
    documents = None if from_tfrecords else data.read_documents(corpus, doc_format)
    if documents is not None:
        log(f"corpus: {len(documents)} documents, "
            f"{sum(len(d) for d in documents)} sentences")
    settings = {"corpus": fingerprint(corpus), "config": config if isinstance(config, str)
                else getattr(config, "to_dict", lambda: config)(),
                "config_overrides": config_overrides or {},
                "init_from": fingerprint(init_from) if init_from else None,
                "vocab": fingerprint(vocab) if isinstance(vocab, (str, os.PathLike))
                else (len(vocab) if isinstance(vocab, (list, tuple))
                      else (len(init_model.vocab) if init_from else {"trained": vocab_size})),
                "lowercase": lowercase, "steps": steps, "batch_size": batch_size,
                "seq_length": seq_length, "max_predictions_per_seq": max_predictions_per_seq,
                "learning_rate": learning_rate, "warmup_steps": warmup_steps,
                "weight_decay": weight_decay, "precision": precision, "seed": seed,
                "whole_word_masking": whole_word_masking, "short_seq_prob": short_seq_prob,
                "doc_format": doc_format}
    if isinstance(config, (str, os.PathLike)) and os.path.isfile(config):
        settings["config"] = {"file": fingerprint(config)}
    run = RunDirectory(out, settings, chief=is_chief(strategy), overwrite=overwrite, log=log)
    result = {"out": run.out if run.chief else None, "steps": steps}
    if run.complete:
        log(f"{run.out}: pretraining already complete; use --overwrite to train again")
        return {**result, "initial_step": steps,
                "history": _history(run.state.get("train_history", []))}

    run_tokenizer = prepare_tokenizer(
        model_type, documents, vocab, vocab_size, lowercase,
        os.path.join(run.out, TRAINING_DIR) if run.chief else run.state_dir, log)
    tokenizer, tokens = run_tokenizer.tokenizer, run_tokenizer.tokens
    log(f"vocabulary: {len(tokens)} tokens ({run_tokenizer.settings.type}); "
        f"objective: {objective.name}")
    pad_id = tokenizer.special_tokens_dict()["padding_id"]
    model_config = (init_model.config if init_model
                    else _resolve_config(config, len(tokens), config_overrides, pad_id))
    if init_model is not None and config_overrides:
        model_config = dataclasses.replace(
            model_config, **{k: v for k, v in config_overrides.items() if v is not None})
    # RoBERTa numbers positions from pad_token_id + 1 (fairseq).
    offset = model_config.pad_token_id + 1 if model_type == "roberta" else 0
    if seq_length + offset > model_config.max_position_embeddings:
        raise InputError(f"seq_length {seq_length} exceeds the model's "
                         f"max_position_embeddings {model_config.max_position_embeddings}"
                         + (f" less RoBERTa's position offset {offset}" if offset else ""))
    if warmup_steps is None:
        warmup_steps = int(0.1 * steps)

    def make_dataset(step):
        if from_tfrecords:
            return data.read_tfrecords(corpus, batch_size, seq_length,
                                       max_predictions_per_seq, seed=seed + step,
                                       sentence_task=task)
        log("tokenizing the corpus and packing " + (
            "sentence pairs" if task else "full-sentence blocks"))
        return data.pretraining_dataset(
            documents, tokenizer, batch_size=batch_size, seq_length=seq_length,
            max_predictions_per_seq=max_predictions_per_seq, short_seq_prob=short_seq_prob,
            whole_word_masking=whole_word_masking, seed=seed + step, sentence_task=task)

    def make_model(total_steps):
        if init_model is not None:
            from bert_keras.checkpoints import canonical
            from bert_keras.models.factory import build_encoder

            source = dataclasses.replace(init_model, config=model_config)
            model = BertPretrainer(encoder=build_encoder(source, dtype=dtype))
            for head, assign in (("mlm", canonical.assign_mlm_head),
                                 ("nsp", canonical.assign_nsp_head)):
                if head in init_model.heads and getattr(model, f"{head}_head") is not None:
                    assign(getattr(model, f"{head}_head"), init_model.weights,
                           init_model.source or str(init_from))
        else:
            model = BertPretrainer(model_config, dtype=dtype)
        model.compile(build_optimizer(learning_rate, total_steps, warmup_steps, weight_decay))
        return model

    distributed = strategy.num_replicas_in_sync > 1 or not run.chief
    job = PretrainingJob(make_model, make_dataset, steps, batch_size, run_tokenizer,
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
