"""`BertTokenizer.tokenize_with_offsets` on hand cases: spans in the original
string through every normalization step, character and byte units, shapes,
graph use; ids always those of `tokenize`."""

import pytest
import tensorflow as tf

from bert_keras import BertTokenizer
from bert_keras.errors import InputError
from tests.tokenization.test_offsets_parity import OFFSET_CASES

VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", "cafe",
         "un", "##aff", "##able", "!", ",", ".", "中", "国", "a", "##a", "=", "b"]


@pytest.fixture(scope="module")
def tokenizer():
    return BertTokenizer(VOCAB, lowercase=True)


def spans(tokenizer, text, unit="UTF8_CHAR"):
    ids, starts, ends = tokenizer.tokenize_with_offsets(text, unit=unit)
    source = text.encode("utf-8") if unit == "BYTE" else text
    return [(tokenizer.id_to_token(i), source[s:e]) for i, s, e in
            zip(ids.numpy(), starts.numpy(), ends.numpy())]


@pytest.mark.parametrize("text, expected", [
    ("HELLO, World!", [("hello", "HELLO"), (",", ","), ("world", "World"), ("!", "!")]),
    ("UnAffable", [("un", "Un"), ("##aff", "Aff"), ("##able", "able")]),
    ("  Café  CAFE\u0301!", [("cafe", "Café"), ("cafe", "CAFE"), ("!", "!")]),
    ("ca\u0301fe", [("cafe", "ca\u0301fe")]),
    ("中国hello", [("中", "中"), ("国", "国"), ("hello", "hello")]),
    ("hel\x00lo\u200b wor\ufffdld\x7f", [("hello", "hel\x00lo"), ("world", "wor\ufffdld")]),
    ("\u200bhello", [("hello", "hello")]),
    ("😀 hello xyzzy", [("[UNK]", "😀"), ("hello", "hello"), ("[UNK]", "xyzzy")]),
    ("hello[MASK]world", [("hello", "hello"), ("[MASK]", "[MASK]"), ("world", "world")]),
    ("a≠b", [("a", "a"), ("=", "≠"), ("b", "b")]),
    ("aaaa\u00a0a", [("a", "a"), ("##a", "a"), ("##a", "a"), ("##a", "a"), ("a", "a")]),
])
def test_spans_in_original_text(tokenizer, text, expected):
    assert spans(tokenizer, text) == expected


def test_byte_offsets_cover_the_same_characters(tokenizer):
    for text in ["Café 中国 hello", "😀hello\u200b, ca\u0301fe"]:
        chars = spans(tokenizer, text)
        as_bytes = spans(tokenizer, text, unit="BYTE")
        assert [(t, b.decode("utf-8")) for t, b in as_bytes] == chars


def test_too_long_word_is_one_unk_over_the_word():
    tokenizer = BertTokenizer(VOCAB, max_chars_per_word=5)
    assert spans(tokenizer, "hello Caféss!") == [
        ("hello", "hello"), ("[UNK]", "Caféss"), ("!", "!")]


def test_cased_keeps_accents_in_pieces():
    tokenizer = BertTokenizer(VOCAB + ["##\u0301"], lowercase=False)
    assert spans(tokenizer, "cafe\u0301") == [("cafe", "cafe"), ("##\u0301", "\u0301")]


def test_ids_equal_tokenize_on_hard_cases(uncased_tokenizer):
    ids, starts, ends = uncased_tokenizer.tokenize_with_offsets(OFFSET_CASES)
    assert ids.to_list() == uncased_tokenizer(OFFSET_CASES).to_list()
    for text, row_starts, row_ends in zip(OFFSET_CASES, starts.to_list(), ends.to_list()):
        assert all(0 <= s < e <= len(text) for s, e in zip(row_starts, row_ends)), text
        assert row_starts == sorted(row_starts), text


def test_shapes_dtypes_and_words(tokenizer):
    ids, starts, ends = tokenizer.tokenize_with_offsets(["hello world", "", "unaffable"])
    assert ids.dtype == tf.int32 and starts.dtype == ends.dtype == tf.int64
    assert ids.shape.rank == starts.shape.rank == 2
    assert starts.to_list() == [[0, 6], [], [0, 2, 5]]
    assert ends.to_list() == [[5, 11], [], [2, 5, 9]]
    words = tokenizer.tokenize_words_with_offsets(["unaffable hello"], unit="BYTE")
    assert words[0].to_list() == tokenizer.tokenize_words(["unaffable hello"]).to_list()
    assert words[1].to_list() == [[[0, 2, 5], [10]]]
    empty = tokenizer.tokenize_with_offsets([])
    assert [x.to_list() for x in empty] == [[], [], []]


def test_invalid_utf8_bytes_keep_byte_offsets(tokenizer):
    text = b"hel\xe4\xb8lo \xffworld"
    ids, starts, ends = tokenizer.tokenize_with_offsets([text], unit="BYTE")
    assert ids.to_list() == [[VOCAB.index("hello"), VOCAB.index("world")]]
    assert [text[s:e] for s, e in zip(starts[0].numpy(), ends[0].numpy())] == [
        b"hel\xe4\xb8lo", b"world"]


def test_in_tf_function(tokenizer):
    @tf.function(input_signature=[tf.TensorSpec([None], tf.string)])
    def with_offsets(x):
        return tokenizer.tokenize_with_offsets(x, unit="BYTE")

    ids, starts, ends = with_offsets(tf.constant(["Café, 中国", "hello"]))
    assert ids.to_list() == [[7, 12, 14, 15], [5]]
    assert starts.to_list() == [[0, 5, 7, 10], [0]]
    assert ends.to_list() == [[5, 6, 10, 13], [5]]


def test_bad_unit(tokenizer):
    with pytest.raises(InputError, match="unit"):
        tokenizer.tokenize_with_offsets(["x"], unit="CHAR")


def test_ids_equal_tokenize_on_every_bmp_code_point(uncased_tokenizer):
    """`tokenize` normalizes whole words, `tokenize_with_offsets` one
    character at a time: the same ids for every BMP code point in and
    around words (sigma included: "σ" everywhere)."""
    texts = [f"x{chr(c)}a {chr(c)}Σ" for c in range(1, 0x10000) if not 0xD800 <= c < 0xE000]
    ids, _, _ = uncased_tokenizer.tokenize_with_offsets(texts)
    assert ids.to_list() == uncased_tokenizer(texts).to_list()
    assert uncased_tokenizer(["ΟΔΟΣ."]).to_list() == uncased_tokenizer(["οδοσ."]).to_list()


def test_ids_equal_tokenize_on_invalid_utf8(uncased_tokenizer):
    texts = [b"\xff\xfe abc", b"ok \xc3( \xe2\x82 end", b"\xed\xa0\x80", b"ab\xe4\xb8cd"]
    ids, _, _ = uncased_tokenizer.tokenize_with_offsets(texts, unit="BYTE")
    assert ids.to_list() == uncased_tokenizer(texts).to_list()
