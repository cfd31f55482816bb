"""`BertPretrainer`: the encoder with BERT's two pretraining heads."""

import keras

from bert_keras.config import BertConfig
from bert_keras.heads.masked_lm_head import BertMaskedLMHead
from bert_keras.heads.next_sentence_head import BertNextSentenceHead
from bert_keras.models.encoder import INPUT_NAMES, BertEncoder, with_dtype_policy
from bert_keras.training.strategy import MultiWorkerFitMixin
from bert_keras.errors import InputError, InputTypeError


@keras.saving.register_keras_serializable(package="bert_keras")
class BertPretrainer(MultiWorkerFitMixin, keras.Model):
    """Masked-LM and next-sentence prediction on a `BertEncoder`.

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
    >>> out["mlm"].shape, out["nsp"].shape
    ((1, 1, 60), (1, 2))
    """

    def __init__(self, config=None, encoder=None, dtype=None, **kwargs):
        if encoder is None:
            if isinstance(config, dict):
                config = BertConfig.from_dict(config)
            if not isinstance(config, BertConfig):
                raise InputTypeError("BertPretrainer needs a BertConfig or an encoder")
            encoder = BertEncoder(config, dtype=dtype)
        config = encoder.config
        mlm_head = BertMaskedLMHead(encoder)
        nsp_head = BertNextSentenceHead(
            initializer_range=config.initializer_range, dtype=encoder.dtype_policy)
        inputs = {name: keras.Input(shape=(None,), dtype="int32", name=name)
                  for name in INPUT_NAMES + ("mask_positions",)}
        outputs = encoder({k: inputs[k] for k in INPUT_NAMES})
        mlm = mlm_head(outputs["sequence_output"], mask_positions=inputs["mask_positions"])
        nsp = nsp_head(outputs["pooled_output"])
        # Logits in float32 even under mixed precision: the softmax over the
        # vocabulary is where bfloat16 rounding hurts.
        mlm = keras.layers.Activation("linear", dtype="float32", name="mlm")(mlm)
        nsp = keras.layers.Activation("linear", dtype="float32", name="nsp")(nsp)
        super().__init__(inputs=inputs, outputs={"mlm": mlm, "nsp": nsp}, **kwargs)
        self.encoder = encoder
        self.mlm_head = mlm_head
        self.nsp_head = nsp_head
        self.config = config

    def compile(self, optimizer="adam", **kwargs):
        """BERT's losses and metrics unless given: masked-LM loss averaged
        over real predictions (`mean_with_sample_weight`), NSP loss."""
        kwargs.setdefault("loss", {
            "mlm": keras.losses.SparseCategoricalCrossentropy(
                from_logits=True, reduction="mean_with_sample_weight", name="mlm_loss"),
            "nsp": keras.losses.SparseCategoricalCrossentropy(
                from_logits=True, name="nsp_loss"),
        })
        kwargs.setdefault("weighted_metrics", {
            "mlm": [keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
            "nsp": [keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
        })
        super().compile(optimizer=optimizer, **kwargs)

    # -- model directory ---------------------------------------------------
    def to_model_dir(self, vocab, tokenizer=None, source="bert_keras pretraining"):
        """The weights as a `BertModelDir` (canonical names, both heads)."""
        from bert_keras.checkpoints import canonical
        from bert_keras.checkpoints.model_dir import BertModelDir, TokenizerSettings

        weights = canonical.read_encoder(self.encoder)
        weights.update(canonical.read_mlm_head(self.mlm_head))
        weights.update(canonical.read_nsp_head(self.nsp_head))
        return BertModelDir(config=self.config, vocab=list(vocab), weights=weights,
                            tokenizer=tokenizer or TokenizerSettings(),
                            heads=["mlm", "nsp"], source=source)

    def save_model_dir(self, out, vocab, tokenizer=None, overwrite=False,
                       source="bert_keras pretraining"):
        """Writes a model directory (atomically) and returns its path."""
        from bert_keras.checkpoints.model_dir import save_model_dir

        return save_model_dir(self.to_model_dir(vocab, tokenizer, source), out,
                              overwrite=overwrite)

    @classmethod
    def from_pretrained(cls, src, dtype=None, new_heads=False):
        """Loads a model directory or checkpoint with both pretraining heads.
        `new_heads=True` starts missing heads from random weights (to
        continue pretraining an encoder-only checkpoint)."""
        from bert_keras.checkpoints import canonical
        from bert_keras.checkpoints.convert import load_model_dir
        from bert_keras.models.factory import build_encoder

        model_dir = load_model_dir(src)
        missing = [h for h in ("mlm", "nsp") if h not in model_dir.heads]
        if missing and not new_heads:
            raise InputError(
                f"{model_dir.source or src} has no {' or '.join(missing)} head; "
                "pass new_heads=True to start them from random weights")
        model = cls(encoder=build_encoder(model_dir, dtype=dtype))
        source = model_dir.source or str(src)
        if "mlm" in model_dir.heads:
            canonical.assign_mlm_head(model.mlm_head, model_dir.weights, source)
        if "nsp" in model_dir.heads:
            canonical.assign_nsp_head(model.nsp_head, model_dir.weights, source)
        return model

    def get_config(self):
        return {"config": self.config.to_dict(), "name": self.name,
                "trainable": self.trainable,
                "dtype": keras.dtype_policies.serialize(self.encoder.dtype_policy)}

    @classmethod
    def from_config(cls, config):
        return cls(**with_dtype_policy(config))
