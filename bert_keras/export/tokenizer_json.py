"""A Hugging Face `tokenizer.json` (and `tokenizer_config.json`) written from
our vocabulary and tokenizer settings, for runtimes that cannot run the
tokenizer inside the model (ONNX Runtime, OpenVINO, Node.js).

Hugging Face `tokenizers` (Python, Rust), transformers.js and
`@huggingface/tokenizers` read it. Its pipeline is original BERT's, the
same as `BertTokenizer`'s: `BertNormalizer` (clean text, split CJK
ideographs, strip accents and lowercase for uncased models),
`BertPreTokenizer` (whitespace and punctuation), WordPiece (greedy
longest-match-first, words over 100 characters become `[UNK]`), then
`[CLS] a [SEP] (b [SEP])`. Ids are the same as ours on every sentence of
SST-2 dev and MRPC dev (tests/export/test_tokenizer_json.py); the known
differences are those listed in `bert_keras/tokenization/tokenizer.py`, and
pairs longer than the sequence length are trimmed "longest first" there
(round robin here), which can differ by one token between the two segments.

    >>> import json, tempfile
    >>> vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world"]
    >>> path = write_tokenizer_json(vocab, True, tempfile.mkdtemp(), seq_length=8)
    >>> from tokenizers import Tokenizer
    >>> Tokenizer.from_file(path).encode("Hello WORLD!").ids
    [2, 5, 6, 1, 3, 0, 0, 0]
"""

import json
import os

from bert_keras.tokenization.vocab import SPECIAL_TOKENS

TOKENIZER_FILE = "tokenizer.json"
TOKENIZER_CONFIG_FILE = "tokenizer_config.json"


def build_hf_tokenizer(vocab, lowercase, strip_accents=None, tokenize_chinese_chars=True,
                       seq_length=None, pad_to_length=True, max_chars_per_word=100):
    """A `tokenizers.Tokenizer` that tokenizes as `BertTokenizer` does."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors

    ids = {}
    for i, token in enumerate(vocab):
        ids.setdefault(token, i)  # the first of duplicate lines wins, as in ours
    strip_accents = lowercase if strip_accents is None else strip_accents
    tok = Tokenizer(models.WordPiece(vocab=ids, unk_token="[UNK]",
                                     max_input_chars_per_word=max_chars_per_word))
    tok.normalizer = normalizers.BertNormalizer(
        clean_text=True, handle_chinese_chars=tokenize_chinese_chars,
        strip_accents=strip_accents, lowercase=lowercase)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", ids["[CLS]"]), ("[SEP]", ids["[SEP]"])])
    # Special tokens written in the text map to their ids, as in ours.
    tok.add_special_tokens([t for t in SPECIAL_TOKENS if t in ids])
    if seq_length:
        tok.enable_truncation(max_length=int(seq_length))
        tok.enable_padding(pad_id=ids["[PAD]"], pad_token="[PAD]",
                           length=int(seq_length) if pad_to_length else None)
    return tok


def write_tokenizer_json(vocab, lowercase, out_dir, strip_accents=None,
                         tokenize_chinese_chars=True, seq_length=128):
    """Writes `tokenizer.json` and `tokenizer_config.json` to `out_dir`;
    returns the `tokenizer.json` path. Padding is dynamic (to the longest
    text of a batch), truncation at `seq_length`."""
    tok = build_hf_tokenizer(vocab, lowercase, strip_accents, tokenize_chinese_chars,
                             seq_length, pad_to_length=False)
    path = os.path.join(out_dir, TOKENIZER_FILE)
    tok.save(path)
    strip = lowercase if strip_accents is None else strip_accents
    config = {
        "tokenizer_class": "BertTokenizer",
        "do_lower_case": bool(lowercase),
        "strip_accents": bool(strip),
        "tokenize_chinese_chars": bool(tokenize_chinese_chars),
        "model_max_length": int(seq_length),
        "unk_token": "[UNK]", "sep_token": "[SEP]", "pad_token": "[PAD]",
        "cls_token": "[CLS]", "mask_token": "[MASK]",
    }
    with open(os.path.join(out_dir, TOKENIZER_CONFIG_FILE), "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2)
    return path


def encode_batch(tokenizer, texts, texts_b=None):
    """The three int32 encoder inputs `[batch, longest]` of `texts` (and
    pairs with `texts_b`), from a `tokenizers.Tokenizer` or a path."""
    import numpy as np
    from tokenizers import Tokenizer

    if isinstance(tokenizer, str):
        tokenizer = Tokenizer.from_file(tokenizer)
    inputs = list(texts) if texts_b is None else list(zip(texts, texts_b))
    encodings = tokenizer.encode_batch(inputs)
    return {
        "input_word_ids": np.array([e.ids for e in encodings], np.int32).reshape(len(inputs), -1),
        "input_mask": np.array([e.attention_mask for e in encodings], np.int32).reshape(len(inputs), -1),
        "input_type_ids": np.array([e.type_ids for e in encodings], np.int32).reshape(len(inputs), -1),
    }
