"""Building Keras objects from a model read by `read_any`."""

from bert_keras.checkpoints import canonical
from bert_keras.checkpoints.convert import read_any
from bert_keras.heads.masked_lm_head import BertMaskedLMHead
from bert_keras.heads.next_sentence_head import BertNextSentenceHead
from bert_keras.models.encoder import BertEncoder
from bert_keras.tokenization.tokenizer import BertTokenizer
from bert_keras.errors import InputError


def load_model_dir(src):
    """A `BertModelDir` from a model directory, built-in name or checkpoint."""
    return read_any(src)


def build_encoder(model, dtype=None):
    encoder = BertEncoder(model.config, dtype=dtype)
    unused = [k for k in model.weights if not k.startswith(("mlm/", "nsp/", "classifier/"))]
    canonical.check_unexpected(
        {k: None for k in unused}, canonical.encoder_names(model.config.num_layers),
        model.source or "checkpoint")
    canonical.assign_encoder(encoder, model.weights, model.source or "checkpoint")
    return encoder


def build_mlm_head(model, encoder):
    """The MLM head, tied to `encoder`; an error if the checkpoint has none
    (a randomly initialised head would silently produce garbage)."""
    if "mlm" not in model.heads:
        raise InputError(f"{model.source or model.path} has no masked-LM head "
                         "(checkpoints from BertModel / sentence encoders do not)")
    head = BertMaskedLMHead(encoder)
    head.build((None, None, model.config.hidden_size))
    canonical.assign_mlm_head(head, model.weights, model.source)
    return head


def build_nsp_head(model):
    if "nsp" not in model.heads:
        raise InputError(f"{model.source or model.path} has no next-sentence head")
    head = BertNextSentenceHead(initializer_range=model.config.initializer_range)
    head.build((None, model.config.hidden_size))
    canonical.assign_nsp_head(head, model.weights, model.source)
    return head


def build_tokenizer(model):
    return BertTokenizer(
        model.vocab,
        lowercase=model.tokenizer.lowercase,
        strip_accents=model.tokenizer.strip_accents,
        tokenize_chinese_chars=model.tokenizer.tokenize_chinese_chars,
    )


def load_encoder(src, dtype=None):
    return build_encoder(read_any(src), dtype=dtype)


def load_tokenizer(src):
    return build_tokenizer(read_any(src))
