"""The pretraining heads (masked LM, next sentence / sentence order) of a
checkpoint that has them, with their weights.

    >>> from bert_keras.checkpoints import load_model_dir
    >>> from bert_keras.heads.pretrained import build_nsp_head
    >>> build_nsp_head(load_model_dir("minilm-l6-h384-uncased"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    bert_keras.errors.InputError: ... has no next-sentence head
"""

from bert_keras.checkpoints.canonical import assign_mlm_head, assign_nsp_head
from bert_keras.errors import InputError
from bert_keras.heads.masked_lm_head import BertMaskedLMHead
from bert_keras.heads.next_sentence_head import BertNextSentenceHead


def build_mlm_head(model, encoder):
    """The MLM head of `model` (a `BertModelDir`), tied to `encoder`; an
    error if the checkpoint has none (a randomly initialised head would
    silently produce garbage)."""
    if "mlm" not in model.heads:
        raise InputError(f"{model.source or model.path} has no masked-LM head "
                         "(checkpoints from BertModel / sentence encoders do not)")
    head = BertMaskedLMHead(encoder)
    head.build((None, None, model.config.hidden_size))
    assign_mlm_head(head, model.weights, model.source)
    return head


def build_nsp_head(model):
    """The next-sentence (ALBERT: sentence-order) head of `model`."""
    if "nsp" not in model.heads:
        raise InputError(f"{model.source or model.path} has no next-sentence head")
    head = BertNextSentenceHead(initializer_range=model.config.initializer_range)
    head.build((None, model.config.hidden_size))
    assign_nsp_head(head, model.weights, model.source)
    return head
