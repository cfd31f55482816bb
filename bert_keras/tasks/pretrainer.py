"""`BertPretrainer`: an encoder of any family with its pretraining heads
(the family's objective: `objectives.py`)."""

import keras

from bert_keras.config import BertConfig
from bert_keras.heads.masked_lm_head import BertMaskedLMHead
from bert_keras.heads.next_sentence_head import BertNextSentenceHead
from bert_keras.models.encoder import INPUT_NAMES, with_dtype_policy
from bert_keras.models.factory import make_encoder
from bert_keras.tasks.objectives import objective_for
from bert_keras.training.strategy import MultiWorkerFitMixin
from bert_keras.errors import InputError, InputTypeError


@keras.saving.register_keras_serializable(package="bert_keras")
class BertPretrainer(MultiWorkerFitMixin, keras.Model):
    """Masked-LM and next-sentence prediction on a `BertEncoder`, or the
    objective of the encoder's family (`objectives.py`): masked LM +
    sentence order (`"sop"` output) on ALBERT, masked LM alone on RoBERTa.

    Inputs: the encoder's three int32 tensors plus `mask_positions`
    `[batch, num_predictions]` (zero-padded). Outputs a dict: `"mlm"` logits
    `[batch, num_predictions, vocab]` from a head tied to the token embedding
    (google-research/bert `cls/predictions`) and `"nsp"` logits `[batch, 2]`
    (index 0 "B follows A", 1 "B is random") on the pooled output.

    `compile()` fills in BERT's losses and metrics: masked-LM cross-entropy
    averaged over the real (weight 1) predictions, NSP cross-entropy, and
    their accuracies; it takes the `(features, labels, weights)` batches of
    `bert_keras.data.pretraining`. `save_model_dir(out, vocab)` writes a
    model directory with `mlm/*` and `nsp/*` weights that fill-mask,
    fine-tuning and export all accept.

    Example:
    >>> import numpy as np
    >>> model = BertPretrainer(BertConfig.preset("tiny", vocab_size=60))
    >>> out = model({"token_ids": np.array([[2, 7, 4, 3]]),
    ...              "segment_ids": np.zeros((1, 4), "int32"),
    ...              "padding_mask": np.ones((1, 4), "int32"),
    ...              "mask_positions": np.array([[2]])})
    >>> tuple(out["mlm"].shape), tuple(out["nsp"].shape)
    ((1, 1, 60), (1, 2))
    >>> albert = BertPretrainer(BertConfig.preset("albert_tiny", vocab_size=60))
    >>> sorted(albert.objective.outputs), albert.objective.heads
    (['mlm', 'sop'], ('mlm', 'nsp'))
    """

    def __init__(self, config=None, encoder=None, dtype=None, **kwargs):
        if encoder is None:
            if isinstance(config, dict):
                config = BertConfig.from_dict(config)
            if not isinstance(config, BertConfig):
                raise InputTypeError("BertPretrainer needs a BertConfig or an encoder")
            encoder = make_encoder(config, dtype=dtype)
        config = encoder.config
        objective = objective_for(config.model_type)
        mlm_head = BertMaskedLMHead(encoder)
        inputs = {name: keras.Input(shape=(None,), dtype="int32", name=name)
                  for name in INPUT_NAMES + ("mask_positions",)}
        outputs = encoder({k: inputs[k] for k in INPUT_NAMES})
        mlm = mlm_head(outputs["sequence_output"], mask_positions=inputs["mask_positions"])
        # Logits in float32 even under mixed precision: the softmax over the
        # vocabulary is where bfloat16 rounding hurts.
        logits = {"mlm": keras.layers.Activation("linear", dtype="float32", name="mlm")(mlm)}
        nsp_head = None
        if not objective.sentence_task and getattr(encoder, "pooled_dense", None) is not None:
            # Masked LM alone never reaches the pooler: freeze it rather than
            # have the optimizer warn about missing gradients every run.
            encoder.pooled_dense.trainable = False
        if objective.sentence_task:
            # NSP and SOP: the same two-way dense on the pooled output (the
            # canonical "nsp" head; ALBERT's sop_classifier).
            nsp_head = BertNextSentenceHead(
                initializer_range=config.initializer_range, dtype=encoder.dtype_policy)
            task = objective.sentence_task
            logits[task] = keras.layers.Activation("linear", dtype="float32", name=task)(
                nsp_head(outputs["pooled_output"]))
        super().__init__(inputs=inputs, outputs=logits, **kwargs)
        self.encoder = encoder
        self.mlm_head = mlm_head
        self.nsp_head = nsp_head
        self.objective = objective
        self.config = config

    def compile(self, optimizer="adam", **kwargs):
        """BERT's losses and metrics unless given: masked-LM loss averaged
        over real predictions (`mean_with_sample_weight`), NSP loss."""
        loss = {"mlm": keras.losses.SparseCategoricalCrossentropy(
            from_logits=True, reduction="mean_with_sample_weight", name="mlm_loss")}
        task = self.objective.sentence_task
        if task:
            loss[task] = keras.losses.SparseCategoricalCrossentropy(
                from_logits=True, name=f"{task}_loss")
        if not task:
            # One output: Keras would report plain "loss" and "accuracy";
            # name them as for the other families (mlm_loss as a metric).
            kwargs.setdefault("loss", loss["mlm"])
            kwargs.setdefault("weighted_metrics", [
                keras.metrics.SparseCategoricalCrossentropy(from_logits=True, name="mlm_loss"),
                keras.metrics.SparseCategoricalAccuracy(name="mlm_accuracy")])
            return super().compile(optimizer=optimizer, **kwargs)
        kwargs.setdefault("loss", loss)
        kwargs.setdefault("weighted_metrics", {
            name: [keras.metrics.SparseCategoricalAccuracy(name="accuracy")]
            for name in self.objective.outputs})
        super().compile(optimizer=optimizer, **kwargs)

    # -- model directory ---------------------------------------------------
    def to_model_dir(self, vocab, tokenizer=None, source="bert_keras pretraining",
                     files=None):
        """The weights as a `BertModelDir` (canonical names, the objective's
        heads). `files`: tokenizer files to copy besides `vocab.txt`
        (`spiece.model`, `vocab.json` + `merges.txt`: name -> path)."""
        from bert_keras.checkpoints import canonical
        from bert_keras.checkpoints.model_dir import BertModelDir, TokenizerSettings

        weights = canonical.read_encoder(self.encoder)
        weights.update(canonical.read_mlm_head(self.mlm_head))
        if self.nsp_head is not None:
            weights.update(canonical.read_nsp_head(self.nsp_head))
        return BertModelDir(config=self.config, vocab=list(vocab), weights=weights,
                            tokenizer=tokenizer or TokenizerSettings(),
                            heads=list(self.objective.heads), source=source,
                            files=dict(files or {}))

    def save_model_dir(self, out, vocab, tokenizer=None, overwrite=False,
                       source="bert_keras pretraining", files=None):
        """Writes a model directory (atomically) and returns its path."""
        from bert_keras.checkpoints.model_dir import save_model_dir

        return save_model_dir(self.to_model_dir(vocab, tokenizer, source, files), out,
                              overwrite=overwrite)

    @classmethod
    def from_pretrained(cls, src, dtype=None, new_heads=False):
        """Loads a model directory or checkpoint with its family's pretraining
        heads. `new_heads=True` starts missing heads from random weights (to
        continue pretraining an encoder-only checkpoint)."""
        from bert_keras.checkpoints import canonical
        from bert_keras.checkpoints.convert import load_model_dir
        from bert_keras.models.factory import build_encoder

        model_dir = load_model_dir(src)
        heads = objective_for(model_dir.config.model_type).heads
        missing = [h for h in heads if h not in model_dir.heads]
        if missing and not new_heads:
            raise InputError(
                f"{model_dir.source or src} has no {' or '.join(missing)} head; "
                "pass new_heads=True to start them from random weights")
        model = cls(encoder=build_encoder(model_dir, dtype=dtype))
        source = model_dir.source or str(src)
        if "mlm" in model_dir.heads:
            canonical.assign_mlm_head(model.mlm_head, model_dir.weights, source)
        if "nsp" in model_dir.heads and model.nsp_head is not None:
            canonical.assign_nsp_head(model.nsp_head, model_dir.weights, source)
        return model

    def get_config(self):
        return {"config": self.config.to_dict(), "name": self.name,
                "trainable": self.trainable,
                "dtype": keras.dtype_policies.serialize(self.encoder.dtype_policy)}

    @classmethod
    def from_config(cls, config):
        return cls(**with_dtype_policy(config))
