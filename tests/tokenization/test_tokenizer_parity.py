"""Id-for-id parity of `BertTokenizer` with Hugging Face `tokenizers`'
`BertWordPieceTokenizer` (the reference implementation of original BERT
tokenization) on every sentence of SST-2 dev, MRPC dev and TNEWS dev.

Known divergences, deliberately not tested (see the `BertTokenizer` module
docstring): about 800 rare code points added or re-categorised in recent
Unicode versions; U+2B820-U+2B91F (CJK Extension
E), which `tokenizers` does not split as CJK but google-research/bert does.
"""

import csv
import json

import pytest

from tests.conftest import shared_path

tokenizers = pytest.importorskip("tokenizers")

# BertWordPieceTokenizer(vocab_file) warns that WordPiece.from_file is preferred.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _read_tsv(path):
    # utf-8-sig: MRPC's header starts with a byte-order mark. QUOTE_NONE:
    # sentences contain unbalanced double quotes.
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def sst2_dev_sentences():
    rows = _read_tsv(shared_path("SST-2", "dev.tsv"))
    assert rows[0] == ["sentence", "label"]
    return [r[0] for r in rows[1:]]


def mrpc_dev_sentences():
    rows = _read_tsv(shared_path("MRPC", "dev.tsv"))
    assert rows[0][0] == "Quality", rows[0]  # BOM stripped
    assert all(len(r) == 5 for r in rows[1:])
    return [r[3] for r in rows[1:]] + [r[4] for r in rows[1:]]


def tnews_dev_sentences():
    with open(shared_path("TNEWS", "dev.json"), encoding="utf-8") as f:
        return [json.loads(line)["sentence"] for line in f if line.strip()]


def _reference_ids(vocab_file, texts, lowercase):
    reference = tokenizers.BertWordPieceTokenizer(vocab_file, lowercase=lowercase)
    encodings = reference.encode_batch(texts)
    cls_id, sep_id = reference.token_to_id("[CLS]"), reference.token_to_id("[SEP]")
    out = []
    for e in encodings:
        assert e.ids[0] == cls_id and e.ids[-1] == sep_id
        out.append(e.ids[1:-1])
    return out


def _assert_same_ids(ours, reference, texts):
    assert len(ours) == len(reference) == len(texts)
    mismatches = [i for i, (a, b) in enumerate(zip(ours, reference)) if a != b]
    assert not mismatches, (
        f"{len(mismatches)} of {len(texts)} sentences differ; first: "
        f"{texts[mismatches[0]]!r}: ours {ours[mismatches[0]]}, "
        f"reference {reference[mismatches[0]]}")


@pytest.mark.parametrize("corpus", ["sst2", "mrpc"])
def test_uncased_matches_hf_tokenizers(corpus, uncased_vocab, uncased_tokenizer):
    texts = {"sst2": sst2_dev_sentences, "mrpc": mrpc_dev_sentences}[corpus]()
    assert len(texts) == {"sst2": 872, "mrpc": 816}[corpus]
    ours = uncased_tokenizer(texts).to_list()
    _assert_same_ids(ours, _reference_ids(uncased_vocab, texts, True), texts)


def test_chinese_matches_hf_tokenizers(chinese_vocab, chinese_tokenizer):
    texts = tnews_dev_sentences()
    assert len(texts) == 10000
    ours = chinese_tokenizer(texts).to_list()
    _assert_same_ids(ours, _reference_ids(chinese_vocab, texts, True), texts)


def test_cased_matches_hf_tokenizers(uncased_vocab):
    """lowercase=False: no lowercasing and no accent stripping (with the
    uncased vocabulary capitals become other pieces or [UNK], which makes
    any difference show)."""
    from bert_keras import BertTokenizer

    texts = sst2_dev_sentences()[:200] + mrpc_dev_sentences()[:200] + [
        "Café Ångström NAÏVE", "Übermäßig GROSS", "Hello World!"]
    texts = [t[:1].upper() + t[1:] for t in texts]
    tokenizer = BertTokenizer(uncased_vocab, lowercase=False)
    assert not tokenizer.strip_accents
    ours = tokenizer(texts).to_list()
    reference = _reference_ids(uncased_vocab, texts, False)
    _assert_same_ids(ours, reference, texts)
    # The cased path really is different from the uncased one.
    uncased = BertTokenizer(uncased_vocab, lowercase=True)(texts).to_list()
    assert sum(a != b for a, b in zip(ours, uncased)) > 300


@pytest.mark.parametrize("ours, theirs", [
    (dict(lowercase=True, strip_accents=False), dict(lowercase=True, strip_accents=False)),
    (dict(lowercase=False, strip_accents=True), dict(lowercase=False, strip_accents=True)),
    (dict(tokenize_chinese_chars=False), dict(handle_chinese_chars=False)),
])
def test_options_match_hf_tokenizers(uncased_vocab, ours, theirs):
    from bert_keras import BertTokenizer

    texts = sst2_dev_sentences()[:150] + tnews_dev_sentences()[:150] + [
        "Café Ångström NAÏVE 中国 日本語 한국어", "Übermäßig"]
    reference = tokenizers.BertWordPieceTokenizer(uncased_vocab, **theirs)
    expected = [e.ids[1:-1] for e in reference.encode_batch(texts)]
    _assert_same_ids(BertTokenizer(uncased_vocab, **ours)(texts).to_list(), expected, texts)


HARD_CASES = [
    "", "   \t\n ", "I love 🤗 and 🎉!",
    "Hello мир 世界 مرحبا שלום こんにちは 안녕",
    "a\x00b\x01c\x7f\u200bd", "the [MASK] is [CLS] here [SEP]", "[mask]",
    "x[MASK]y", "café Ångström naïve", "\u00a0nbsp\u3000ideo\u2028line",
    "ﬁ ligature ＡＢＣ！（全角）", "\ue000private use", "a" * 100, "a" * 101,
    "😀" * 60, "don't stop-believing... $5.00 (approx.) #1 @user",
    "“quotes” — dash – ‘single’ … ellipsis", "tab\tsep\r\nlines",
]


def test_hard_cases_match_hf_tokenizers(uncased_vocab, uncased_tokenizer):
    """Normalization corner cases: control/format characters, Unicode
    spaces, accents, full-width forms, CJK, emoji, special tokens in text,
    the 100-character word limit."""
    ours = uncased_tokenizer(HARD_CASES).to_list()
    _assert_same_ids(ours, _reference_ids(uncased_vocab, HARD_CASES, True), HARD_CASES)


# Basic Multilingual Plane code points where ICU (TensorFlow) and the Unicode
# tables of `tokenizers` disagree on the category (new in Unicode 9-15).
_NEWER_UNICODE = [
    (0x061D, 0x061D), (0x07FD, 0x07FD), (0x0890, 0x0891), (0x0898, 0x089F),
    (0x08CA, 0x08E2), (0x09FD, 0x09FE), (0x0A76, 0x0A76), (0x0AFA, 0x0AFF),
    (0x0B55, 0x0B55), (0x0C04, 0x0C04), (0x0C3C, 0x0C3C), (0x0C77, 0x0C77),
    (0x0C84, 0x0C84), (0x0D00, 0x0D00), (0x0D3B, 0x0D3C), (0x0D81, 0x0D81),
    (0x0EBA, 0x0EBA), (0x0ECE, 0x0ECE), (0x166D, 0x166D), (0x1734, 0x1734),
    (0x180F, 0x180F), (0x1885, 0x1886), (0x1ABF, 0x1ACE), (0x1B7D, 0x1B7E),
    (0x1DF6, 0x1DFB), (0x2E43, 0x2E4F), (0x2E52, 0x2E5D), (0xA82C, 0xA82C),
    (0xA8C5, 0xA8C5), (0xA8FF, 0xA8FF), (0xA9BD, 0xA9BD),
]


def test_every_bmp_code_point_matches_hf_tokenizers(uncased_vocab, uncased_tokenizer):
    """Each code point inside a word and as a word of its own, for the whole
    Basic Multilingual Plane (but surrogates and the list above): every
    cleaning, accent, case, punctuation and CJK rule, character by character."""
    skip = {c for a, b in _NEWER_UNICODE for c in range(a, b + 1)}
    code_points = [c for c in range(1, 0x10000)
                   if not 0xD800 <= c < 0xE000 and c not in skip]
    texts = [f"x{chr(c)}a {chr(c)}" for c in code_points]
    ours = uncased_tokenizer(texts).to_list()
    _assert_same_ids(ours, _reference_ids(uncased_vocab, texts, True), texts)
