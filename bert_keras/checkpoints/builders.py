"""Keras objects (encoder, pretraining heads, tokenizer) from a model in
memory (`BertModelDir`)."""

from bert_keras.checkpoints.canonical import (
    assign_encoder, assign_mlm_head, assign_nsp_head, check_unexpected)
from bert_keras.errors import InputError
from bert_keras.heads.masked_lm_head import BertMaskedLMHead
from bert_keras.heads.next_sentence_head import BertNextSentenceHead
from bert_keras.models.factory import make_encoder
from bert_keras.tokenization.tokenizer import BertTokenizer


def build_encoder(model, dtype=None):
    """The encoder of `model.config.model_type` with `model.weights`; any
    tensor the encoder and the listed heads do not use is an error."""
    source = model.source or model.path or "checkpoint"
    encoder = make_encoder(model.config, dtype=dtype)
    check_unexpected(model.weights, model.config, model.heads, source)
    assign_encoder(encoder, model.weights, source)
    return encoder


def build_mlm_head(model, encoder):
    """The MLM head, tied to `encoder`; an error if the checkpoint has none
    (a randomly initialised head would silently produce garbage)."""
    if "mlm" not in model.heads:
        raise InputError(f"{model.source or model.path} has no masked-LM head "
                         "(checkpoints from BertModel / sentence encoders do not)")
    head = BertMaskedLMHead(encoder)
    head.build((None, None, model.config.hidden_size))
    assign_mlm_head(head, model.weights, model.source)
    return head


def build_nsp_head(model):
    if "nsp" not in model.heads:
        raise InputError(f"{model.source or model.path} has no next-sentence head")
    head = BertNextSentenceHead(initializer_range=model.config.initializer_range)
    head.build((None, model.config.hidden_size))
    assign_nsp_head(head, model.weights, model.source)
    return head


def build_tokenizer(model):
    """The tokenizer `model.tokenizer` describes."""
    settings = model.tokenizer
    if settings.type != "wordpiece":
        try:
            from bert_keras.tokenization.factory import TOKENIZER_TYPES
            from bert_keras.tokenization.factory import build_tokenizer as factory
        except ImportError:
            raise InputError(
                f"{model.source or model.path}: {settings.type} tokenizers are not "
                "available in this version of bert_keras") from None
        # Only the settings this type takes: the record also keeps WordPiece's
        # fields (lowercase=False for BPE is what the model card reports).
        options = TOKENIZER_TYPES[settings.type][2] if settings.type in TOKENIZER_TYPES else ()
        return factory(dict({k: getattr(settings, k) for k in options}, type=settings.type),
                       model.path)
    return BertTokenizer(
        model.vocab,
        lowercase=settings.lowercase,
        strip_accents=settings.strip_accents,
        tokenize_chinese_chars=settings.tokenize_chinese_chars,
    )
