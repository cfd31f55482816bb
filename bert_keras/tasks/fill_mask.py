"""`FillMask`: the most likely tokens for each `[MASK]` in a text."""

import numpy as np
from bert_keras.errors import InputError, InputTypeError


class FillMask:
    """Fill-mask with any model that has a masked-LM head: converted Google
    checkpoints with `cls/predictions`, Hugging Face `BertForPreTraining` /
    `BertForMaskedLM`, models from `bert-keras pretrain`.

    `fill_mask(texts, top_k)` returns, for each text, one list per `[MASK]`
    (left to right) of the `top_k` candidates, best first, each a dict
    `{"token": str, "token_id": int, "score": probability}`.

    Example:
    >>> fm = FillMask("path/to/model_dir")                    # doctest: +SKIP
    >>> fm.fill_mask("Paris is the [MASK] of France.", top_k=2)  # doctest: +SKIP
    [[[{'token': 'capital', 'token_id': 3007, 'score': 0.97}, ...]]]
    """

    def __init__(self, model, sequence_length=None, dtype=None):
        from bert_keras.checkpoints.convert import load_model_dir
        from bert_keras.heads.pretrained import build_mlm_head
        from bert_keras.models.factory import build_encoder
        from bert_keras.tokenization.factory import build_tokenizer
        from bert_keras.tokenization.packer import BertPacker

        model_dir = load_model_dir(model) if isinstance(model, str) else model
        name = model_dir.path or model_dir.source or str(model)
        if "mlm" not in model_dir.heads:
            raise InputError(
                f"{name} has no masked-LM head, so it cannot fill in [MASK] "
                "tokens. Use a checkpoint trained with masked LM (a Google BERT "
                "checkpoint with cls/predictions, a Hugging Face BertForMaskedLM/"
                "BertForPreTraining, or a model from `bert-keras pretrain`); "
                "sentence encoders such as MiniLM have none.")
        self.config = model_dir.config
        self.tokenizer = build_tokenizer(model_dir)
        ids = self.tokenizer.special_tokens_dict()
        if "[MASK]" not in self.tokenizer.get_vocabulary():
            raise InputError(f"{name}: the vocabulary has no [MASK] token")
        self.mask_id = ids["mask_id"]
        # Default: as long as the model allows; a longer request is refused.
        self.sequence_length = sequence_length or min(512, self.config.max_position_embeddings)
        self.packer = BertPacker(self.sequence_length, ids["start_of_sequence_id"],
                                 ids["end_of_segment_id"], ids["padding_id"],
                                 dynamic_length=True,
                                 max_sequence_length=self.config.max_position_embeddings)
        self.encoder = build_encoder(model_dir, dtype=dtype)
        self.head = build_mlm_head(model_dir, self.encoder)
        self._vocab = self.tokenizer.get_vocabulary()

    def logits(self, texts, first_index=0):
        """Masked-LM logits `[batch, max_masks, vocab]`, the mask counts per
        text, and the packed features (`first_index`: the number of the
        first text, for error messages)."""
        import tensorflow as tf

        tokens = self.tokenizer.tokenize(tf.constant(texts))
        features = self.packer(tokens)
        is_mask = features["token_ids"].numpy() == self.mask_id
        counts = is_mask.sum(axis=1)
        lengths = tokens.row_lengths().numpy()
        for i, (text, count) in enumerate(zip(texts, counts)):
            if count == 0:
                hint = (" (it was cut at the maximum sequence length)"
                        if lengths[i] + 2 > self.sequence_length else "")
                raise InputError(f"text {first_index + i} has no [MASK] token{hint}: {text!r}")
        width = int(counts.max())
        positions = np.zeros((len(texts), width), np.int32)
        for i, row in enumerate(is_mask):
            where = np.flatnonzero(row)
            positions[i, :len(where)] = where
        outputs = self.encoder(features, training=False)
        logits = self.head(outputs["sequence_output"], mask_positions=positions)
        return np.asarray(logits, np.float32), counts, features

    def fill_mask(self, texts, top_k=5, batch_size=32):
        """Top-`top_k` tokens for every `[MASK]` of every text (a single
        string gives a one-element list). Texts may be `str` or UTF-8
        `bytes` (bytes that are not UTF-8 are dropped by the tokenizer's text
        cleaning, as everywhere).
        They are run `batch_size` at a time, so memory does not grow with
        the number of texts."""
        if isinstance(texts, (str, bytes)):
            texts = [texts]
        texts = list(texts)
        if not texts:
            return []
        if not all(isinstance(t, (str, bytes)) for t in texts):
            raise InputTypeError("fill_mask expects strings")
        if top_k < 1:
            raise InputError(f"top_k must be positive, got {top_k}")
        results = []
        for start in range(0, len(texts), batch_size):
            results += self._fill_batch(texts[start:start + batch_size], top_k, start)
        return results

    def _fill_batch(self, texts, top_k, offset):
        logits, counts, _ = self.logits(texts, first_index=offset)
        if not np.isfinite(logits).all():
            raise InputError("the model's masked-LM logits are NaN/Inf; the model is broken")
        logits = logits - logits.max(axis=-1, keepdims=True)
        probs = np.exp(logits)
        probs /= probs.sum(axis=-1, keepdims=True)
        k = min(top_k, probs.shape[-1])
        results = []
        for i, count in enumerate(counts):
            per_mask = []
            for j in range(int(count)):
                best = np.argsort(-probs[i, j])[:k]
                per_mask.append([{"token": self._vocab[t], "token_id": int(t),
                                  "score": float(probs[i, j, t])} for t in best])
            results.append(per_mask)
        return results

    __call__ = fill_mask


def fill_mask(model, texts, top_k=5):
    """One-shot `FillMask(model).fill_mask(texts, top_k)`."""
    return FillMask(model).fill_mask(texts, top_k)
