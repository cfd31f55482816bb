"""Which tokenizer a checkpoint directory carries, and its files.

WordPiece (`vocab.txt`: BERT, Chinese ALBERT/RoBERTa-wwm, ELECTRA),
SentencePiece (`spiece.model` or Google's `30k-clean.model`: English ALBERT)
or byte-level BPE (`vocab.json` + `merges.txt`: RoBERTa). The settings'
`type` is what `bert_keras.tokenization.factory.build_tokenizer` reads; the
files are copied into the model directory under the names below.
"""

import dataclasses
import glob
import json
import os

from bert_keras.errors import MissingFileError
from bert_keras.tokenization.vocab import load_vocab

SENTENCEPIECE_FILE = "spiece.model"
BPE_FILES = ("vocab.json", "merges.txt")


@dataclasses.dataclass
class TokenizerSettings:
    """How a model directory's text is tokenized (`bert_keras.json`'s
    `tokenizer` entry)."""
    type: str = "wordpiece"  # or "sentencepiece", "bpe"
    lowercase: bool = True
    strip_accents: bool = None
    tokenize_chinese_chars: bool = True

    def to_dict(self):
        return dataclasses.asdict(self)


def find_tokenizer(path, model_type):
    """(type, {name in model dir: source path}) of the tokenizer in `path`."""
    if os.path.isfile(os.path.join(path, "vocab.txt")):
        return "wordpiece", {}
    models = sorted(glob.glob(os.path.join(path, "*.model")))
    if models:
        return "sentencepiece", {SENTENCEPIECE_FILE: models[0]}
    if all(os.path.isfile(os.path.join(path, f)) for f in BPE_FILES):
        return "bpe", {f: os.path.join(path, f) for f in BPE_FILES}
    raise MissingFileError(
        f"{path}: no tokenizer files for this {model_type} checkpoint; expected "
        "vocab.txt (WordPiece), a SentencePiece *.model, or vocab.json + merges.txt (BPE)")


def read_vocab(kind, files, path=None):
    """The token list, id order, of a tokenizer of `kind`."""
    if kind == "wordpiece":
        return load_vocab(os.path.join(path, "vocab.txt"))
    if kind == "bpe":
        with open(files["vocab.json"], encoding="utf-8") as f:
            ids = json.load(f)
        return sorted(ids, key=ids.get)
    import tensorflow_text as tf_text

    with open(files[SENTENCEPIECE_FILE], "rb") as f:
        sp = tf_text.SentencepieceTokenizer(model=f.read())
    return [t.decode("utf-8") for t in sp.id_to_string(list(range(int(sp.vocab_size())))).numpy()]


def hf_tokenizer(path, tok_cfg, model_type):
    """(vocab, TokenizerSettings, files) of a Hugging Face directory."""
    kind, files = find_tokenizer(path, model_type)
    if kind == "wordpiece":
        settings = TokenizerSettings(
            lowercase=bool(tok_cfg.get("do_lower_case", True)),
            strip_accents=tok_cfg.get("strip_accents"),
            tokenize_chinese_chars=tok_cfg.get("tokenize_chinese_chars", True))
    else:
        # ALBERT's SentencePiece lowercases by default; byte-level BPE never.
        settings = TokenizerSettings(
            type=kind, lowercase=bool(tok_cfg.get("do_lower_case", kind == "sentencepiece")),
            strip_accents=None if kind == "bpe" else not tok_cfg.get("keep_accents", False))
    return read_vocab(kind, files, path), settings, files
