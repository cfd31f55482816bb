"""`export_hub(src, out)`: a model to TF-Hub SavedModels, written atomically.

    OUT/preprocess/   strings -> encoder inputs (see hub_preprocess.py)
    OUT/encoder/      Reusable SavedModel encoder (see hub_encoder.py)
    OUT/README.md     model card
"""

import os
import shutil

import numpy as np
import tensorflow as tf

from bert_keras.export.hub_encoder import build_encoder_module
from bert_keras.export.hub_preprocess import (
    build_preprocess_module, tokenizer_kind, write_tokenizer_assets)
from bert_keras.export.model_card import model_card
from bert_keras.utils.atomic_dir import atomic_output_dir, check_output_dir
from bert_keras.utils.crash_hook import crash_point
from bert_keras.utils.progress import Steps
from bert_keras.errors import ExportCheckError, InputError

# Exported outputs must match the Keras model; tighter than any real
# difference between kernels, looser than float32 reassociation noise.
VERIFY_ATOL = 1e-4


def export_hub(src, out, seq_length=128, frozen=False, with_mlm=False,
               overwrite=False, verify=True, verbose=True, dynamic_length=False):
    """Exports a model to TF Hub's BERT SavedModel format.

    Args:
        src: a bert_keras model directory, built-in model name, anything
            `bert_keras.convert` accepts, or a `BertModelDir`.
        out: output directory; it gets `preprocess/`, `encoder/`, `README.md`.
        seq_length: the preprocess model's output length (and the default
            of `bert_pack_inputs`).
        frozen: export the frozen form (no trainable variables, no dropout,
            variables folded into constants).
        with_mlm: add `encoder.mlm` (the model must have a masked-LM head).
        overwrite: replace `out` if it exists and is not empty.
        verify: reload the export and check it against the Keras model.
        verbose: print progress (to stderr).
        dynamic_length: the preprocess model's root call pads to the longest
            input of the batch (at most `seq_length`) instead of always to
            `seq_length` (TF Hub's fixed length stays the default).

    Returns a dict of paths: `out`, `preprocess`, `encoder`, `model_card`.

    Example:
    >>> import tempfile, bert_keras
    >>> from bert_keras.export import export_hub
    >>> paths = export_hub("minilm-l6-h384-uncased", tempfile.mkdtemp() + "/hub",
    ...                    verbose=False)
    >>> sorted(paths)
    ['encoder', 'model_card', 'out', 'preprocess']
    """
    from bert_keras.checkpoints.convert import load_model_dir
    from bert_keras.heads.pretrained import build_mlm_head
    from bert_keras.models.factory import build_encoder
    from bert_keras.tokenization.factory import build_tokenizer
    from bert_keras.checkpoints.model_dir import BertModelDir

    log = Steps(verbose)
    out = os.path.abspath(out)
    check_output_dir(out, overwrite)  # fail before the slow work

    log.step("reading model")
    model = src if isinstance(src, BertModelDir) else load_model_dir(src)
    if with_mlm and "mlm" not in model.heads:
        raise InputError(
            f"{model.source or model.path} has no masked-LM head, so it cannot be "
            "exported --with-mlm (heads present: "
            f"{', '.join(model.heads) or 'none'})")
    seq_length = int(seq_length)
    if not 3 <= seq_length <= model.config.max_position_embeddings:
        raise InputError(f"seq_length must be between 3 and the model's "
                         f"max_position_embeddings ({model.config.max_position_embeddings}), "
                         f"got {seq_length}")
    c = model.config
    log.info(f"L={c.num_layers} H={c.hidden_size} heads={c.num_heads} "
             f"vocab={c.vocab_size} lowercase={model.tokenizer.lowercase}")

    log.step("building Keras model")
    encoder = build_encoder(model)
    tokenizer = build_tokenizer(model)
    mlm_head = build_mlm_head(model, encoder) if with_mlm else None

    with atomic_output_dir(out, overwrite) as tmp:
        # The vocabulary file the graphs copy as an asset; inside the
        # staged directory, so a killed export leaves no stray file in /tmp.
        work = os.path.join(tmp, ".work")
        os.mkdir(work)
        try:
            vocab_file = os.path.join(work, "vocab.txt")
            # SentencePiece / BPE models carry their own files instead.
            assets = write_tokenizer_assets(tokenizer, work)
            if assets:
                vocab_file = assets.get("sp_model_file", assets.get("vocab_file"))
            else:
                with open(vocab_file, "w", encoding="utf-8") as f:
                    f.writelines(token + "\n" for token in model.vocab)

            log.step(f"writing preprocess SavedModel (seq_length={seq_length}"
                     f"{', padded to the longest input' if dynamic_length else ''})")
            preprocess, signatures = build_preprocess_module(
                tokenizer, seq_length, vocab_file, max_seq_length=c.max_position_embeddings,
                dynamic_length=dynamic_length, assets=assets or None)
            tf.saved_model.save(preprocess, os.path.join(tmp, "preprocess"),
                                signatures=signatures)

            log.step(f"writing encoder SavedModel ({'frozen' if frozen else 'trainable'}"
                     f"{', with mlm' if with_mlm else ''})")
            root, signatures, info = build_encoder_module(
                encoder, vocab_file, model.tokenizer.lowercase, frozen=frozen,
                mlm_head=mlm_head)
            tf.saved_model.save(root, os.path.join(tmp, "encoder"), signatures=signatures)
            if frozen and not info["folded"]:
                log.info("model too big for one GraphDef: variables kept, not trainable")
        finally:
            shutil.rmtree(work, ignore_errors=True)
        crash_point("export_saved")

        example = preprocess.__call__(tf.constant(["hello world"]))
        example_ids = [int(i) for i, m in zip(example["input_word_ids"][0].numpy(),
                                              example["input_mask"][0].numpy()) if m]
        name = os.path.basename(out)
        with open(os.path.join(tmp, "README.md"), "w", encoding="utf-8") as f:
            f.write(model_card(model, seq_length, frozen, info["folded"], with_mlm,
                               name, example_ids, source=_source_name(src, model),
                               dynamic_length=dynamic_length,
                               tokenizer_kind=tokenizer_kind(tokenizer)))

        if verify:
            log.step("verifying: reloading and comparing with the Keras model")
            error = _max_difference(tmp, encoder, tokenizer, seq_length)
            log.info(f"max |exported - keras| on pooled_output: {error:.2e}")
            if not error <= VERIFY_ATOL:
                raise ExportCheckError(
                    f"exported encoder differs from the Keras model by {error:.3g} "
                    f"(tolerance {VERIFY_ATOL}); nothing was written")
    sizes = {k: _dir_size(os.path.join(out, k)) for k in ("preprocess", "encoder")}
    log.done(f"exported to {out} (preprocess {sizes['preprocess'] / 1e6:.1f} MB, "
             f"encoder {sizes['encoder'] / 1e6:.1f} MB)")
    return {
        "out": out,
        "preprocess": os.path.join(out, "preprocess"),
        "encoder": os.path.join(out, "encoder"),
        "model_card": os.path.join(out, "README.md"),
    }


def _source_name(src, model):
    """A built-in name says more than the site-packages path behind it."""
    from bert_keras.checkpoints.builtin import BUILTIN

    if isinstance(src, str) and src in BUILTIN:
        return src
    return model.source or model.path


def _max_difference(path, encoder, tokenizer, seq_length):
    """Reloads the export as a consumer would and compares the pooled
    output of a few sentences with the Keras model's."""
    from bert_keras.tokenization.preprocessor import BertPreprocessor

    sentences = tf.constant(["hello world", "The quick brown fox jumps over the lazy dog."])
    preprocess = tf.saved_model.load(os.path.join(path, "preprocess"))
    hub_encoder = tf.saved_model.load(os.path.join(path, "encoder"))
    got = hub_encoder(preprocess(sentences))["pooled_output"].numpy()
    keras_inputs = BertPreprocessor(tokenizer, sequence_length=seq_length)(sentences)
    want = np.asarray(encoder(keras_inputs, training=False)["pooled_output"])
    return float(np.max(np.abs(got - want)))


def _dir_size(path):
    return sum(os.path.getsize(os.path.join(d, f))
               for d, _, files in os.walk(path) for f in files)

