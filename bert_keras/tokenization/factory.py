"""`tokenizer_from_files(settings, model_dir)`: the tokenizer a model directory
declares, with its files read from that directory.

    settings["type"]   files in model_dir            tokenizer
    "wordpiece"        vocab.txt                     BertTokenizer (BERT, ELECTRA, Chinese ALBERT)
    "sentencepiece"    spiece.model                  SentencePieceTokenizer (English ALBERT)
    "bpe"              vocab.json + merges.txt       ByteLevelBpeTokenizer (RoBERTa)

Without "type" the settings are WordPiece's (`TokenizerSettings` fields:
`lowercase`, `strip_accents`, `tokenize_chinese_chars`), as every model
directory written before there were other types.
"""

import os

from bert_keras.errors import InputError, InputTypeError, MissingFileError
from bert_keras.tokenization.bpe_tokenizer import ByteLevelBpeTokenizer
from bert_keras.tokenization.sentencepiece_tokenizer import SentencePieceTokenizer
from bert_keras.tokenization.tokenizer import BertTokenizer

# type: (tokenizer class, its files in the model directory, settings it takes)
TOKENIZER_TYPES = {
    "wordpiece": (BertTokenizer, ("vocab.txt",),
                  ("lowercase", "strip_accents", "tokenize_chinese_chars")),
    "sentencepiece": (SentencePieceTokenizer, ("spiece.model",),
                      ("lowercase", "strip_accents")),
    "bpe": (ByteLevelBpeTokenizer, ("vocab.json", "merges.txt"), ()),
}


def tokenizer_files(settings):
    """Names of the files the tokenizer of `settings` reads from a model dir."""
    return TOKENIZER_TYPES[_type_of(settings)][1]


def tokenizer_from_files(settings, model_dir):
    """The tokenizer of a model directory.

    Args:
        settings: dict with `"type"` (`"wordpiece"`, `"sentencepiece"` or
            `"bpe"`; absent means wordpiece) and that type's options.
        model_dir: directory holding the tokenizer's files.

    Example:
    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> _ = open(f"{d}/vocab.txt", "w").write("[PAD]\\n[UNK]\\n[CLS]\\n[SEP]\\n[MASK]\\nhi\\n")
    >>> tokenizer_from_files({"type": "wordpiece", "lowercase": True}, d)(["Hi"]).to_list()
    [[5]]
    """
    if not isinstance(settings, dict):
        raise InputTypeError(f"tokenizer settings must be a dict, got {type(settings).__name__}")
    kind = _type_of(settings)
    cls, files, options = TOKENIZER_TYPES[kind]
    unknown = sorted(set(settings) - set(options) - {"type"})
    if unknown:
        raise InputError(f"{model_dir}: {kind} tokenizer settings do not take {unknown} "
                         f"(it takes {list(options) or 'none'})")
    paths = [os.path.join(model_dir, name) for name in files]
    missing = [name for name, path in zip(files, paths) if not os.path.isfile(path)]
    if missing:
        raise MissingFileError(f"{model_dir}: the {kind} tokenizer needs {', '.join(missing)}, "
                               "which is missing")
    kwargs = {k: settings[k] for k in options if settings.get(k) is not None}
    return cls(*paths, **kwargs)


def build_tokenizer(model):
    """The tokenizer of a model in memory (`BertModelDir`): its settings, and
    for SentencePiece/BPE the files of its directory."""
    settings = model.tokenizer
    if settings.type == "wordpiece":
        return BertTokenizer.from_model_dir(model)
    if not model.path:
        raise InputError(f"{model.source}: a {settings.type} tokenizer needs its files "
                         "(load the model from its directory)")
    # Only the settings this type takes: the record also keeps WordPiece's
    # fields (lowercase=False for BPE is what the model card reports).
    options = TOKENIZER_TYPES[settings.type][2] if settings.type in TOKENIZER_TYPES else ()
    return tokenizer_from_files(dict({k: getattr(settings, k) for k in options},
                                     type=settings.type), model.path)


def load_tokenizer(src):
    """The tokenizer of a model directory, built-in name or checkpoint,
    whatever its type."""
    from bert_keras.checkpoints.convert import read_any

    return build_tokenizer(read_any(src))


def _type_of(settings):
    kind = settings.get("type", "wordpiece")
    if kind not in TOKENIZER_TYPES:
        raise InputError(f"unknown tokenizer type {kind!r}; choose from "
                         f"{', '.join(TOKENIZER_TYPES)}")
    return kind
