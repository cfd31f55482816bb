"""The tokenizer of a pretraining run, for any family: WordPiece (BERT,
Chinese ALBERT; trained on the corpus when none is given), SentencePiece
(English ALBERT) or byte-level BPE (RoBERTa).

Its files are copied into the run's state directory (`OUT/training/`) on
the first run and read from there on a resumed one, so a resumed run
tokenizes exactly as the interrupted one did; the same files go into the
model directory (`PretrainingTokenizer.files`).

`--vocab` may name: a `vocab.txt`; a SentencePiece `*.model`; a BPE
`vocab.json` (with `merges.txt` beside it); a directory holding any of
these (a model directory, TFRecord shards, a Hugging Face checkpoint).

    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> _ = open(f"{d}/vocab.txt", "w").write("[PAD]\\n[UNK]\\n[CLS]\\n[SEP]\\n[MASK]\\nhi\\n")
    >>> run = prepare_tokenizer("bert", None, f"{d}/vocab.txt", 100, True,
    ...                         tempfile.mkdtemp(), print)
    >>> run.settings.type, len(run.tokens), run.tokenizer(["hi"]).to_list()
    ('wordpiece', 6, [[5]])
"""

import dataclasses
import os
import shutil

from bert_keras.checkpoints.tokenizer_files import (
    BPE_FILES, SENTENCEPIECE_FILE, TokenizerSettings, find_tokenizer, read_vocab)
from bert_keras.errors import InputError, MissingFileError

# The tokenizer types each family pretrains with (the first is its own).
FAMILY_TOKENIZERS = {
    "bert": ("wordpiece",),
    "albert": ("sentencepiece", "wordpiece"),  # English / Chinese ALBERT
    "roberta": ("bpe",),
    "electra": ("wordpiece",),
}
_NEEDS = {"sentencepiece": "a SentencePiece model (--vocab path/to/30k-clean.model)",
          "bpe": "byte-level BPE files (--vocab path/to/vocab.json, merges.txt beside it)"}


@dataclasses.dataclass
class PretrainingTokenizer:
    """A run's tokenizer: the Keras tokenizer, the model directory's
    settings and files (name -> path in the state directory; empty for
    WordPiece, whose `vocab.txt` the model directory writes itself), and
    the token list."""

    tokenizer: object
    settings: TokenizerSettings
    files: dict
    tokens: list


def _source_files(vocab):
    """(type, {name in the model dir: path}) of what `--vocab` names; for
    WordPiece the files dict holds `vocab.txt`."""
    path = os.fspath(vocab)
    if os.path.isdir(path):
        kind, files = find_tokenizer(path, "pretraining")
        if kind == "wordpiece":
            files = {"vocab.txt": os.path.join(path, "vocab.txt")}
        return kind, files
    if not os.path.isfile(path):
        raise MissingFileError(f"vocabulary not found: {path}")
    if path.endswith(".model"):
        return "sentencepiece", {SENTENCEPIECE_FILE: path}
    if path.endswith(".json"):
        merges = os.path.join(os.path.dirname(path), "merges.txt")
        if not os.path.isfile(merges):
            raise MissingFileError(f"{path}: a BPE vocabulary needs merges.txt beside it")
        return "bpe", {BPE_FILES[0]: path, BPE_FILES[1]: merges}
    return "wordpiece", {"vocab.txt": path}


def _settings(kind, lowercase):
    if kind == "bpe":
        return TokenizerSettings(type="bpe", lowercase=False)  # byte-level BPE is cased
    if kind == "sentencepiece":
        return TokenizerSettings(type="sentencepiece", lowercase=lowercase)
    return TokenizerSettings(lowercase=lowercase)


def prepare_tokenizer(model_type, documents, vocab, vocab_size, lowercase, state_dir, log):
    """The run's `PretrainingTokenizer`: from its state (a resumed run),
    from `vocab` (a path, a token list, or a `BertModelDir`), or a WordPiece
    vocabulary trained on `documents` (families whose tokenizer is
    WordPiece only)."""
    from bert_keras.tokenization.factory import tokenizer_from_files
    from bert_keras.tokenization.vocab import load_vocab, save_vocab, train_vocab

    allowed = FAMILY_TOKENIZERS[model_type]
    os.makedirs(state_dir, exist_ok=True)
    saved = None
    try:
        saved = find_tokenizer(state_dir, model_type)[0]
    except MissingFileError:
        pass
    if saved is None:
        if vocab is None:
            if allowed[0] != "wordpiece":
                raise InputError(f"pretraining a {model_type} model needs {_NEEDS[allowed[0]]}; "
                                 "only WordPiece vocabularies are trained on the corpus")
            if documents is None:
                raise InputError("pretraining from TFRecord shards needs --vocab "
                                 "(the vocabulary they were made with)")
            log(f"training a WordPiece vocabulary of {vocab_size} tokens on the corpus")
            sentences = [s.replace("[UNK]", " ") for doc in documents for s in doc]
            save_vocab(train_vocab(sentences, vocab_size, lowercase=lowercase),
                       os.path.join(state_dir, "vocab.txt"))
        elif isinstance(vocab, (list, tuple)):
            save_vocab(list(vocab), os.path.join(state_dir, "vocab.txt"))
        else:
            if hasattr(vocab, "weights"):  # a BertModelDir (--init-from)
                kind = vocab.tokenizer.type
                files = dict(vocab.files)
                if kind == "wordpiece":
                    save_vocab(vocab.vocab, os.path.join(state_dir, "vocab.txt"))
                    files = {}
            else:
                kind, files = _source_files(vocab)
            if kind not in allowed:
                raise InputError(
                    f"{getattr(vocab, 'path', None) or vocab}: a {kind} tokenizer; a "
                    f"{model_type} model pretrains with {' or '.join(allowed)}")
            for name, src in files.items():
                shutil.copyfile(src, os.path.join(state_dir, name))
        saved = find_tokenizer(state_dir, model_type)[0]
    if saved not in allowed:
        raise InputError(f"{state_dir}: the run's tokenizer is {saved}; a {model_type} "
                         f"model pretrains with {' or '.join(allowed)}")
    settings = _settings(saved, lowercase)
    if saved == "wordpiece":
        from bert_keras.tokenization.tokenizer import BertTokenizer

        tokens = load_vocab(os.path.join(state_dir, "vocab.txt"))
        return PretrainingTokenizer(BertTokenizer(tokens, lowercase=lowercase), settings,
                                    {}, tokens)
    _, files = find_tokenizer(state_dir, model_type)
    options = {"type": saved}
    if saved == "sentencepiece":
        options["lowercase"] = lowercase
    tokenizer = tokenizer_from_files(options, state_dir)
    return PretrainingTokenizer(tokenizer, settings, files,
                                read_vocab(saved, files, state_dir))
