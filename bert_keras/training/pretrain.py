"""`pretrain(...)`: masked-LM + next-sentence pretraining from raw text (or
TFRecord shards) to a model directory.

The loop is Keras `fit` on a `BertPretrainer`: AdamW (no weight decay on
LayerNorm and biases) with linear warmup then cosine decay, under any
`tf.distribute` strategy. Training is cut into "epochs" of
`checkpoint_every` steps; keras' `BackupAndRestore` saves the weights and
optimizer after each, so a killed run loses at most `checkpoint_every` steps
and the next run with the same arguments resumes where it stopped. The
vocabulary (trained with `train_vocab` when none is given) and the config
are kept beside the checkpoints, so a resumed run tokenizes the same way.
"""

import json
import math
import os
import shutil
import tempfile

from bert_keras.config import BertConfig
from bert_keras.errors import InputError, OutputExistsError

PRECISIONS = {"float32": "float32", "fp32": "float32", "bf16": "mixed_bfloat16",
              "mixed_bfloat16": "mixed_bfloat16", "fp16": "mixed_float16",
              "mixed_float16": "mixed_float16"}


def checkpoint_dir_for(out):
    """Where a run writing `out` keeps its checkpoints (a sibling)."""
    out = os.path.abspath(out)
    return os.path.join(os.path.dirname(out), "." + os.path.basename(out) + ".checkpoints")


def build_optimizer(learning_rate, total_steps, warmup_steps, weight_decay=0.01,
                    clipnorm=1.0):
    """AdamW, linear warmup to `learning_rate` then cosine decay to 0;
    LayerNorm weights and biases are not decayed; the global gradient norm
    is clipped at `clipnorm` (as original BERT), after the all-reduce when
    distributed."""
    import keras

    warmup_steps = max(0, min(warmup_steps, total_steps - 1))
    schedule = keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=0.0 if warmup_steps else learning_rate,
        decay_steps=max(1, total_steps - warmup_steps),
        warmup_target=learning_rate if warmup_steps else None,
        warmup_steps=warmup_steps)
    from bert_keras.training.optimizer import BertAdamW, NO_DECAY

    optimizer = BertAdamW(
        learning_rate=schedule, weight_decay=weight_decay, beta_1=0.9, beta_2=0.999,
        epsilon=1e-6, global_clipnorm=clipnorm)
    optimizer.exclude_from_weight_decay(var_names=NO_DECAY)
    return optimizer


def _prepare_vocab(corpus_documents, vocab, vocab_size, lowercase, state_dir, log):
    """The vocabulary of this run: from the checkpoint dir (resume), a file,
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


def pretrain(corpus, out, config="tiny", vocab=None, vocab_size=8000, lowercase=True,
             steps=1000, batch_size=32, seq_length=128, max_predictions_per_seq=20,
             learning_rate=1e-4, warmup_steps=None, weight_decay=0.01,
             strategy="default", precision="float32", checkpoint_every=200,
             checkpoint_dir=None, whole_word_masking=False, short_seq_prob=0.1,
             doc_format="auto", init_from=None, config_overrides=None, seed=12345,
             overwrite=False, keep_checkpoints=False, verbose=1, log=print,
             callbacks=()):
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
    import keras
    import tensorflow as tf

    from bert_keras.checkpoints.model_dir import TokenizerSettings
    from bert_keras.data import pretraining as data
    from bert_keras.tasks.pretrainer import BertPretrainer
    from bert_keras.tokenization.tokenizer import BertTokenizer
    from bert_keras.training.strategy import get_strategy, is_chief

    log = log or (lambda *a, **k: None)
    if precision not in PRECISIONS:
        raise InputError(f"unknown precision {precision!r}; choose from {sorted(PRECISIONS)}")
    out = os.path.abspath(out)
    if os.path.exists(out) and os.listdir(out) and not overwrite:
        raise OutputExistsError(f"{out} exists and is not empty (use --overwrite)")
    if steps < 1 or batch_size < 1:
        raise InputError("steps and batch size must be positive")
    if seq_length < 8:
        raise InputError(f"seq_length must be at least 8, got {seq_length}")

    strategy = get_strategy(strategy) if isinstance(strategy, str) else strategy
    chief = is_chief(strategy)
    state_dir = checkpoint_dir or checkpoint_dir_for(out)
    if not chief:  # other workers write throw-away copies
        state_dir = tempfile.mkdtemp(prefix="bert-keras-worker-")
    os.makedirs(state_dir, exist_ok=True)

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
    documents = None if from_tfrecords else data.read_documents(corpus, doc_format)
    if documents is not None:
        log(f"corpus: {len(documents)} documents, "
            f"{sum(len(d) for d in documents)} sentences")
    init_model = None
    if init_from:
        from bert_keras.checkpoints.loading import load_model_dir

        init_model = load_model_dir(init_from)
        vocab = init_model.vocab
        lowercase = init_model.tokenizer.lowercase
    tokens = _prepare_vocab(documents, vocab, vocab_size, lowercase, state_dir, log)
    log(f"vocabulary: {len(tokens)} tokens")
    tokenizer = BertTokenizer(tokens, lowercase=lowercase)
    model_config = (init_model.config if init_model
                    else _resolve_config(config, len(tokens), config_overrides))
    if seq_length > model_config.max_position_embeddings:
        raise InputError(f"seq_length {seq_length} exceeds the model's "
                         f"max_position_embeddings {model_config.max_position_embeddings}")

    # Training state: the run's settings must match what the checkpoints hold.
    run_file = os.path.join(state_dir, "run.json")
    run = {"config": model_config.to_dict(), "lowercase": lowercase,
           "seq_length": seq_length, "batch_size": batch_size, "steps": steps,
           "checkpoint_every": checkpoint_every}
    if os.path.isfile(run_file):
        with open(run_file, encoding="utf-8") as f:
            previous = json.load(f)
        if previous != run:
            raise InputError(
                f"{state_dir} holds checkpoints of a run with other settings; "
                "remove it or pass the same arguments to resume")
    else:
        with open(run_file, "w", encoding="utf-8") as f:
            json.dump(run, f, indent=1)

    steps_per_epoch = max(1, min(checkpoint_every, steps))
    epochs = math.ceil(steps / steps_per_epoch)
    total_steps = epochs * steps_per_epoch
    if warmup_steps is None:
        warmup_steps = int(0.1 * total_steps)
    backup_dir = os.path.join(state_dir, "backup")
    initial_epoch = _backed_up_epoch(backup_dir)
    if initial_epoch:
        log(f"resuming from step {initial_epoch * steps_per_epoch} ({backup_dir})")

    if from_tfrecords:
        dataset = data.read_tfrecords(corpus, batch_size, seq_length,
                                      max_predictions_per_seq, seed=seed + initial_epoch)
    else:
        log("tokenizing the corpus and packing sentence pairs")
        dataset = data.pretraining_dataset(
            documents, tokenizer, batch_size=batch_size, seq_length=seq_length,
            max_predictions_per_seq=max_predictions_per_seq,
            short_seq_prob=short_seq_prob, whole_word_masking=whole_word_masking,
            seed=seed + 1000 * initial_epoch)
    if strategy.num_replicas_in_sync > 1 or not chief:
        options = tf.data.Options()
        options.experimental_distribute.auto_shard_policy = (
            tf.data.experimental.AutoShardPolicy.DATA)
        dataset = dataset.with_options(options)

    dtype = PRECISIONS[precision]
    with strategy.scope():
        if init_model is not None:
            model = BertPretrainer.from_pretrained(init_from, dtype=dtype, new_heads=True)
        else:
            keras.utils.set_random_seed(seed)
            model = BertPretrainer(model_config, dtype=dtype)
        model.compile(build_optimizer(learning_rate, total_steps, warmup_steps, weight_decay))
    callbacks = [keras.callbacks.BackupAndRestore(
        backup_dir, save_freq="epoch", delete_checkpoint=False, double_checkpoint=True),
        *callbacks]
    history = model.fit(dataset, epochs=epochs, steps_per_epoch=steps_per_epoch,
                        callbacks=callbacks, verbose=verbose)
    done = total_steps
    if chief:
        model.save_model_dir(out, tokens, TokenizerSettings(lowercase=lowercase),
                             overwrite=overwrite)
        log(f"wrote {out}")
        if not keep_checkpoints:
            shutil.rmtree(state_dir, ignore_errors=True)
    else:
        shutil.rmtree(state_dir, ignore_errors=True)
    return {"out": out if chief else None, "steps": done, "initial_step": initial_epoch * steps_per_epoch,
            "history": history.history, "config": model_config,
            "vocab_size": len(tokens), "model": model, "tokenizer": tokenizer}


def _backed_up_epoch(backup_dir):
    """The epoch `BackupAndRestore` will resume from (0 for a fresh run)."""
    path = os.path.join(backup_dir, "training_metadata.json")
    if not os.path.isfile(path):
        return 0
    try:
        with open(path, encoding="utf-8") as f:
            return int(json.load(f).get("epoch", 0))
    except (ValueError, OSError):
        return 0
