"""The tokenizer inside the LiteRT strings-in model (`litert_tokenizer.py`,
`litert_normalizer.py`), run by the LiteRT interpreter with tensorflow_text's
kernels registered: packed ids equal our `BertTokenizer` + `BertPreprocessor`
id for id on every SST-2 dev sentence, MRPC dev pairs (round-robin
truncation), TNEWS dev (Chinese vocabulary) and the tokenizer tests' hard
lists ([UNK], accents, CJK, control and format characters, Unicode spaces,
full-width forms, final sigma); and, in TensorFlow, on every code point of
the Basic Multilingual Plane. Special tokens written in the text are plain
text in the LiteRT model (the one documented difference)."""

import numpy as np
import pytest

from tests.tokenization.test_offsets_parity import OFFSET_CASES
from tests.tokenization.test_tokenizer_parity import (
    HARD_CASES, mrpc_dev_sentences, sst2_dev_sentences, tnews_dev_sentences)

pytest.importorskip("ai_edge_litert")
tf = pytest.importorskip("tensorflow")
tf_text = pytest.importorskip("tensorflow_text")

CASES = [t for t in dict.fromkeys(HARD_CASES + OFFSET_CASES)]


def _ours(vocab, **settings):
    from bert_keras import BertTokenizer

    # Special tokens in text stay text, as in the LiteRT model.
    return BertTokenizer(vocab, special_tokens_in_strings=False, **settings)


class _Converted:
    """A tokenizer-only LiteRT model (the same module the export puts in
    front of the encoder), with the interpreter that runs it."""

    def __init__(self, tokenizer, seq_length, pair=False):
        from ai_edge_litert import interpreter

        from bert_keras.export.litert_tokenizer import LiteRtTokenizer

        module = tf.Module()
        module.tok = LiteRtTokenizer(tokenizer, seq_length)
        spec = [tf.TensorSpec([None], tf.string, name="text")]
        if pair:
            spec.append(tf.TensorSpec([None], tf.string, name="text_b"))
        module.serve = tf.function(lambda *t: module.tok(*t), input_signature=spec)
        self.module = module
        converter = tf.lite.TFLiteConverter.from_concrete_functions(
            [module.serve.get_concrete_function()], module)
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
        converter.allow_custom_ops = True
        self.flatbuffer = converter.convert()
        self.runner = interpreter.InterpreterWithCustomOps(
            model_content=self.flatbuffer,
            custom_op_registerers=tf_text.tflite_registrar.SELECT_TFTEXT_OPS,
        ).get_signature_runner()

    def __call__(self, texts, texts_b=None):
        inputs = {"text": np.array(texts, dtype=object)}
        if texts_b is not None:
            inputs["text_b"] = np.array(texts_b, dtype=object)
        return self.runner(**inputs)


def _want(tokenizer, seq_length, texts, texts_b=None):
    from bert_keras.tokenization.preprocessor import BertPreprocessor

    out = BertPreprocessor(tokenizer, seq_length, dynamic_length=True)(
        (texts, texts_b) if texts_b is not None else texts)
    return {"input_word_ids": np.asarray(out["token_ids"]),
            "input_mask": np.asarray(out["padding_mask"]),
            "input_type_ids": np.asarray(out["segment_ids"])}


def _assert_same(got, want, texts):
    bad = [i for i in range(len(texts))
           if any(got[k].shape != want[k].shape or (got[k][i] != want[k][i]).any()
                  for k in want)]
    assert not bad, (f"{len(bad)} of {len(texts)} differ; first {texts[bad[0]]!r}: "
                     f"{got['input_word_ids'][bad[0]]} vs {want['input_word_ids'][bad[0]]}")


@pytest.fixture(scope="module")
def uncased(uncased_vocab):
    tokenizer = _ours(uncased_vocab, lowercase=True)
    return tokenizer, _Converted(tokenizer, 512)


def test_litert_ids_equal_ours_on_sst2_dev(uncased):
    tokenizer, converted = uncased
    texts = sst2_dev_sentences()
    _assert_same(converted(texts), _want(tokenizer, 512, texts), texts)


def test_litert_ids_equal_ours_on_hard_cases(uncased):
    tokenizer, converted = uncased
    got = converted(CASES)
    _assert_same(got, _want(tokenizer, 512, CASES), CASES)
    # The cases mean something: unknown words, stripped accents, CJK, NFKC-only forms.
    ids = {t: list(row[m.astype(bool)]) for t, row, m in
           zip(CASES, got["input_word_ids"], got["input_mask"])}
    vocab = tokenizer.get_vocabulary()
    pieces = {t: [vocab[i] for i in row] for t, row in ids.items()}
    assert "[UNK]" in pieces["ﬁ ligature ＡＢＣ！（全角）"]  # no NFKC: full-width stays unknown
    assert pieces["café Ångström naïve"][:3] == ["[CLS]", "cafe", "ang"]
    assert pieces["中文，测试。Hello世界！"][1:3] == ["中", "文"]
    assert pieces["\ue000private use"] == ["[CLS]", "private", "use", "[SEP]"]


def test_litert_pairs_truncate_round_robin(uncased):
    tokenizer, _ = uncased
    converted = _Converted(tokenizer, 24, pair=True)
    sentences = mrpc_dev_sentences()
    half = len(sentences) // 2
    a, b = sentences[:half], sentences[half:]
    a = a[:60] + ["", "short", ""] + CASES[:10]
    b = b[:60] + ["", "a much longer second segment " * 4, "x"] + CASES[10:20]
    got = converted(a, b)
    _assert_same(got, _want(tokenizer, 24, a, b), a)
    assert got["input_word_ids"].shape[1] == 24  # truncation happened


def test_litert_single_segment_truncates(uncased):
    tokenizer, _ = uncased
    converted = _Converted(tokenizer, 8)
    texts = sst2_dev_sentences()[:50] + ["", "bad"]
    got = converted(texts)
    _assert_same(got, _want(tokenizer, 8, texts), texts)
    assert got["input_word_ids"].shape == (52, 8)


def test_litert_chinese_vocab_on_tnews(chinese_vocab):
    tokenizer = _ours(chinese_vocab, lowercase=True)
    texts = tnews_dev_sentences()[:1000] + CASES
    _assert_same(_Converted(tokenizer, 512)(texts), _want(tokenizer, 512, texts), texts)


@pytest.mark.parametrize("settings", [dict(lowercase=False),
                                      dict(lowercase=True, strip_accents=False),
                                      dict(lowercase=False, strip_accents=True)])
def test_litert_other_normalization_settings(uncased_vocab, settings):
    """Cased, lowercase keeping accents, accents stripped keeping case."""
    tokenizer = _ours(uncased_vocab, **settings)
    texts = sst2_dev_sentences()[:200] + CASES
    got = _Converted(tokenizer, 512)(texts)
    _assert_same(got, _want(tokenizer, 512, texts), texts)


# Punctuation new in Unicode 16: ICU in tensorflow_text's WordPiece kernel
# splits them as punctuation, RE2 (our tokenizer's split) does not know them.
# Over all of Unicode, these 13 are the only code points that differ.
UNICODE_16_PUNCTUATION = [0x1B4E, 0x1B4F, 0x1B7F, 0x10D6E, 0x113D4, 0x113D5, 0x113D7,
                          0x113D8, 0x11BE1, 0x16D6D, 0x16D6E, 0x16D6F, 0x1E5FF]


def test_every_bmp_code_point_normalizes_as_ours(uncased):
    """Each code point inside a word and as a word of its own, through the
    same normalizer + WordPiece ops in TensorFlow (the LiteRT kernels are
    the same C++ code)."""
    tokenizer, converted = uncased
    points = [c for c in range(1, 0x10000)
              if not 0xD800 <= c < 0xE000 and c not in UNICODE_16_PUNCTUATION]
    texts = [f"x{chr(c)}a {chr(c)}" for c in points]
    ids, starts, lengths = converted.module.tok.tokenize(tf.constant(texts))
    got = tf.RaggedTensor.from_row_lengths(ids, lengths).to_list()
    want = tokenizer(texts).to_list()
    bad = [hex(c) for c, g, w in zip(points, got, want) if g != w]
    assert not bad, f"{len(bad)} code points differ: {bad[:20]}"


def test_special_tokens_in_text_are_plain_text(uncased):
    """The documented difference: "[MASK]" written in a text is "[", "mask", "]"."""
    tokenizer, converted = uncased
    got = converted(["the [MASK] is"])["input_word_ids"][0]
    vocab = tokenizer.get_vocabulary()
    assert [vocab[i] for i in got] == ["[CLS]", "the", "[", "mask", "]", "is", "[SEP]"]


def test_unsupported_tokenizer_is_refused(uncased_vocab):
    from bert_keras.export.litert_tokenizer import unsupported_reason

    assert unsupported_reason(_ours(uncased_vocab, lowercase=True)) is None
    reason = unsupported_reason(_ours(uncased_vocab, lowercase=True, tokenize_chinese_chars=False))
    assert "tokenize_chinese_chars" in reason
