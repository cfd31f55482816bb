"""Writes tests/fixtures/tokenizer_golden_ids.json: Hugging Face's ids for
English ALBERT (SentencePiece, `AlbertTokenizer`) and RoBERTa (byte-level
BPE, `RobertaTokenizerFast`) on a slice of SST-2 dev and MRPC dev plus
hand-picked hard strings, single sentences and packed pairs. CI checks our
TensorFlow tokenizers against it without transformers.

    pip install transformers
    python scripts/make_golden_tokenizer_ids.py

The tokenizer files come from ../shared/data/vocab/ (their sha256 is
recorded, so the test notices other files).
"""

import hashlib
import json
import os
import shutil
import tempfile

from transformers import AlbertTokenizer, RobertaTokenizerFast

from tests.conftest import FIXTURES, shared_path
from tests.tokenization.test_tokenizer_parity import mrpc_dev_sentences, sst2_dev_sentences

OUT = os.path.join(FIXTURES, "tokenizer_golden_ids.json")
# Every 12th sentence: about 140 of the 1,688, a few seconds of CI.
STRIDE = 12
HARD = [
    "",
    "   ",
    "Hello world!",
    "  leading and   inner   spaces\tand a tab\nand a newline ",
    "Naïve café owners déjà vu, ÉCOLE, Ångström.",
    "``Quoted'' text and 'single' quotes",
    "Paris is the [MASK] of France.",
    "Paris is the <mask> of France.",
    "x[MASK]y <pad> [CLS] [SEP] <s> </s> <unk>",
    "1,628.26 and 8,400, 15, 3.5%",
    "東京 and 北京, 한국어, русский, ελληνικά",
    "emoji 🤗👍🏽 and symbols ™ © ½ ﬁ",
    "can't won't I'm we've they'll he'd",
]
PAIRS = [
    ("How old are you?", "I am six."),
    ("The cat sat on the mat.", "A dog ran in the park, barking loudly at everything."),
]


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    texts = (sst2_dev_sentences()[::STRIDE] + mrpc_dev_sentences()[::STRIDE] + HARD)
    sp_model = shared_path("vocab", "albert_30k-clean", "30k-clean.model")
    bpe_dir = shared_path("vocab", "roberta-base")
    with tempfile.TemporaryDirectory() as d:
        shutil.copy(sp_model, os.path.join(d, "spiece.model"))  # the name HF looks for
        albert = AlbertTokenizer.from_pretrained(d)
    roberta = RobertaTokenizerFast.from_pretrained(bpe_dir)
    out = {
        "files": {
            "albert_30k-clean/30k-clean.model": sha256(sp_model),
            "roberta-base/vocab.json": sha256(os.path.join(bpe_dir, "vocab.json")),
            "roberta-base/merges.txt": sha256(os.path.join(bpe_dir, "merges.txt")),
        },
        "texts": texts,
        "pairs": PAIRS,
    }
    for name, tok in (("sentencepiece", albert), ("bpe", roberta)):
        out[name] = {
            "ids": [tok(t, add_special_tokens=False)["input_ids"] for t in texts],
            "pair_ids": [tok(a, b)["input_ids"] for a, b in PAIRS],
            "pair_type_ids": [tok(a, b, return_token_type_ids=True)["token_type_ids"]
                              for a, b in PAIRS],
        }
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, separators=(",", ":"))
    print(f"wrote {OUT}: {len(texts)} texts, {len(PAIRS)} pairs")


if __name__ == "__main__":
    main()
