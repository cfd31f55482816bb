"""Offsets of `BertTokenizer.tokenize_with_offsets` against Hugging Face
`tokenizers` (`BertWordPieceTokenizer`, which aligns every normalized
character with the original string) on every sentence of SST-2 dev, MRPC
dev and TNEWS dev, and on a hand-written list of hard cases.

Known tokenization divergences (see `test_tokenizer_parity.py`) are not in
these texts; the ids are checked too, so any that appears would show.
"""

import pytest

from tests.tokenization.test_tokenizer_parity import (
    HARD_CASES, mrpc_dev_sentences, sst2_dev_sentences, tnews_dev_sentences)

tokenizers = pytest.importorskip("tokenizers")

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

OFFSET_CASES = HARD_CASES + [
    "Café naïve résumé Ångström", "cafe\u0301 e\u0301\u0301x \u0301lead",
    "ΟΔΟΣ. Σίσυφος", "İstanbul ǅemal ß", "안녕하세요 세계", "مرحبا بالعالم، كيف الحال؟",
    "עִבְרִית with niqqud", "हिन्दी भाषा", "中文，测试。Hello世界！", "😀😃 👍🏽 🇫🇷 flags",
    "zero\u200bwidth\u200c joiners\u200d \ufeffbom", "a\u00adsoft hyphen", "x \u200b y",
    ".\u200bafter punct 中\u200b", "many     spaces\t\t and\n\nlines",
    "xyzzyplugh qwertzuiop [UNK] words", "≠ a≠b ≮ ≯ \u1fef", "e\u0301\u0323 stacked",
    "\x00\x01start control\x7f", "trailing removed\u200b\u200b",
]


def _reference(vocab_file, texts, lowercase=True):
    reference = tokenizers.BertWordPieceTokenizer(vocab_file, lowercase=lowercase)
    out = []
    for e in reference.encode_batch(texts):
        out.append((e.ids[1:-1], [list(o) for o in e.offsets[1:-1]]))
    return out


def _assert_same_offsets(tokenizer, vocab_file, texts):
    ids, starts, ends = tokenizer.tokenize_with_offsets(texts)
    ids, starts, ends = ids.to_list(), starts.to_list(), ends.to_list()
    bad = []
    for i, (text, (ref_ids, ref_offsets)) in enumerate(zip(texts, _reference(vocab_file, texts))):
        ours = [[s, e] for s, e in zip(starts[i], ends[i])]
        if ids[i] != ref_ids or ours != ref_offsets:
            bad.append((text, ids[i], ours, ref_ids, ref_offsets))
    assert not bad, f"{len(bad)} of {len(texts)} texts differ; first: {bad[0]}"


@pytest.mark.parametrize("corpus", ["sst2", "mrpc"])
def test_uncased_offsets_match_hf_tokenizers(corpus, uncased_vocab, uncased_tokenizer):
    texts = {"sst2": sst2_dev_sentences, "mrpc": mrpc_dev_sentences}[corpus]()
    _assert_same_offsets(uncased_tokenizer, uncased_vocab, texts)


def test_chinese_offsets_match_hf_tokenizers(chinese_vocab, chinese_tokenizer):
    _assert_same_offsets(chinese_tokenizer, chinese_vocab, tnews_dev_sentences())


def test_hard_case_offsets_match_hf_tokenizers(uncased_vocab, uncased_tokenizer):
    _assert_same_offsets(uncased_tokenizer, uncased_vocab, OFFSET_CASES)


def test_hard_case_offsets_chinese_vocab(chinese_vocab, chinese_tokenizer):
    _assert_same_offsets(chinese_tokenizer, chinese_vocab, OFFSET_CASES)
