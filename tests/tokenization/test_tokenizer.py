"""`BertTokenizer` behaviour on a small hand-made vocabulary: each
normalization step of original BERT, options, shapes, and graph use."""

import numpy as np
import pytest
import tensorflow as tf

from bert_keras import BertTokenizer

VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
         "hello", "world", "cafe", "café", "Hello", "un", "##aff", "##able",
         "!", ",", ".", "'", "-", "中", "国", "a", "##a", "is"]
ID = {t: i for i, t in enumerate(VOCAB)}


@pytest.fixture(scope="module")
def tokenizer():
    return BertTokenizer(VOCAB, lowercase=True)


def ids(tokenizer, text):
    return tokenizer([text]).to_list()[0]


def test_wordpiece_greedy_longest_match(tokenizer):
    assert ids(tokenizer, "unaffable") == [ID["un"], ID["##aff"], ID["##able"]]


def test_lowercase_and_strip_accents(tokenizer):
    assert ids(tokenizer, "HELLO Café") == [ID["hello"], ID["cafe"]]


def test_cased_keeps_case_and_accents():
    cased = BertTokenizer(VOCAB, lowercase=False)
    assert ids(cased, "Hello café") == [ID["Hello"], ID["café"]]
    assert ids(cased, "HELLO") == [ID["[UNK]"]]


def test_strip_accents_without_lowercase():
    tokenizer = BertTokenizer(VOCAB, lowercase=False, strip_accents=True)
    assert ids(tokenizer, "Hello café") == [ID["Hello"], ID["cafe"]]


def test_punctuation_is_split_and_kept(tokenizer):
    assert ids(tokenizer, "hello,world!") == [ID["hello"], ID[","], ID["world"], ID["!"]]
    assert ids(tokenizer, "a-a'a.") == [ID["a"], ID["-"], ID["a"], ID["'"], ID["a"], ID["."]]


def test_each_cjk_character_is_a_word(tokenizer):
    assert ids(tokenizer, "中国hello") == [ID["中"], ID["国"], ID["hello"]]
    no_split = BertTokenizer(VOCAB, tokenize_chinese_chars=False)
    assert ids(no_split, "中国") == [ID["[UNK]"]]


def test_unknown_word_is_one_unk(tokenizer):
    assert ids(tokenizer, "hello xyzzy world") == [ID["hello"], ID["[UNK]"], ID["world"]]


def test_max_chars_per_word():
    tokenizer = BertTokenizer(VOCAB, max_chars_per_word=5)
    assert ids(tokenizer, "aaaaa") == [ID["a"]] + [ID["##a"]] * 4
    assert ids(tokenizer, "aaaaaa") == [ID["[UNK]"]]


def test_control_and_format_characters_are_removed(tokenizer):
    # \u200b (zero-width space) is a format character: removed, not a space.
    assert ids(tokenizer, "hel\x00lo\u200b\x7f wor\ufffdld") == [ID["hello"], ID["world"]]
    assert ids(tokenizer, "hello\tworld\nhello\u00a0world\u3000!") == [
        ID["hello"], ID["world"], ID["hello"], ID["world"], ID["!"]]


def test_special_tokens_in_text(tokenizer):
    assert ids(tokenizer, "hello [MASK] world[SEP]") == [
        ID["hello"], ID["[MASK]"], ID["world"], ID["[SEP]"]]
    # Lowercase "[mask]" is ordinary text: punctuation and an unknown word.
    assert ids(tokenizer, "[mask]") == [ID["[UNK]"], ID["[UNK]"], ID["[UNK]"]]
    literal = BertTokenizer(VOCAB, special_tokens_in_strings=False)
    assert ids(literal, "[MASK]") == [ID["[UNK]"]] * 3


def test_private_use_characters_cannot_forge_special_tokens(tokenizer):
    # Special tokens are swapped for private-use sentinels internally;
    # private-use characters in the input are removed first.
    assert ids(tokenizer, "\ue000\ue001 hello \ue004") == [ID["hello"]]


def test_shapes_and_dtypes(tokenizer):
    out = tokenizer(["hello world", "", "unaffable !"])
    assert isinstance(out, tf.RaggedTensor)
    assert out.dtype == tf.int32
    assert out.shape.rank == 2
    assert out.row_lengths().numpy().tolist() == [2, 0, 4]
    scalar = tokenizer("hello world")
    assert isinstance(scalar, tf.Tensor) and scalar.shape.rank == 1
    assert scalar.numpy().tolist() == [ID["hello"], ID["world"]]
    assert tokenizer(np.array(["hello", "world"])).to_list() == [[ID["hello"]], [ID["world"]]]
    assert tokenizer(tf.constant([b"hello"])).to_list() == [[ID["hello"]]]


def test_tokenize_words_keeps_word_level(tokenizer):
    words = tokenizer.tokenize_words(["unaffable hello", "world"])
    assert words.ragged_rank == 2
    assert words.to_list() == [
        [[ID["un"], ID["##aff"], ID["##able"]], [ID["hello"]]], [[ID["world"]]]]


def test_special_tokens_dict_and_lookups(tokenizer):
    assert tokenizer.special_tokens_dict() == {
        "vocab_size": len(VOCAB), "padding_id": 0, "start_of_sequence_id": 2,
        "end_of_segment_id": 3, "mask_id": 4}
    assert tokenizer.token_to_id("hello") == ID["hello"]
    assert tokenizer.id_to_token(ID["##aff"]) == "##aff"
    assert tokenizer.get_vocabulary() == VOCAB
    assert tokenizer.vocabulary_size() == len(VOCAB)


def test_special_tokens_dict_of_real_vocab(uncased_tokenizer):
    assert uncased_tokenizer.special_tokens_dict() == {
        "vocab_size": 30522, "padding_id": 0, "start_of_sequence_id": 101,
        "end_of_segment_id": 102, "mask_id": 103}


def test_vocab_file_path(tmp_path):
    path = tmp_path / "vocab.txt"
    path.write_text("\n".join(VOCAB) + "\n", encoding="utf-8")
    assert ids(BertTokenizer(str(path)), "hello") == [ID["hello"]]


def test_get_config_and_assets_round_trip(tmp_path):
    """As `.keras` saving does: config, then the vocabulary as an asset."""
    tokenizer2 = BertTokenizer(VOCAB, lowercase=False, strip_accents=True,
                               tokenize_chinese_chars=False,
                               special_tokens_in_strings=False, max_chars_per_word=7)
    tokenizer2.save_assets(str(tmp_path))
    restored = BertTokenizer.from_config(tokenizer2.get_config())
    restored.load_assets(str(tmp_path))
    for attr in ("lowercase", "strip_accents", "tokenize_chinese_chars",
                 "special_tokens_in_strings", "max_chars_per_word"):
        assert getattr(restored, attr) == getattr(tokenizer2, attr), attr
    text = ["Hello café [MASK] 中国 aaaaaaaa"]
    assert restored(text).to_list() == tokenizer2(text).to_list()


def test_assets_keep_whitespace_tokens(chinese_tokenizer, tmp_path):
    """Google's Chinese vocabulary holds "\u2028" and "##\u2028": reloading
    must not strip them (ids after them would shift meaning)."""
    vocab = chinese_tokenizer.get_vocabulary()
    assert "\u2028" in vocab and "##\u2028" in vocab
    chinese_tokenizer.save_assets(str(tmp_path))
    restored = BertTokenizer.from_config(chinese_tokenizer.get_config())
    restored.load_assets(str(tmp_path))
    assert restored.get_vocabulary() == vocab


def test_in_tf_function_and_tf_data(tokenizer):
    @tf.function(input_signature=[tf.TensorSpec([None], tf.string)])
    def tokenize(x):
        return tokenizer(x)

    assert tokenize(tf.constant(["hello world", "café"])).to_list() == [
        [ID["hello"], ID["world"]], [ID["cafe"]]]
    ds = tf.data.Dataset.from_tensor_slices(["hello", "unaffable world", ""]).batch(2)
    got = [row for batch in ds.map(tokenizer) for row in batch.to_list()]
    assert got == [[ID["hello"]], [ID["un"], ID["##aff"], ID["##able"], ID["world"]], []]


def test_detokenize(tokenizer):
    text = tokenizer.detokenize(tokenizer(["unaffable hello"]))
    assert text.numpy().tolist() == [b"unaffable hello"]


def test_from_pretrained_model_dir(minilm_dir):
    tokenizer = BertTokenizer.from_pretrained(minilm_dir)
    assert tokenizer.lowercase
    assert tokenizer.special_tokens_dict()["vocab_size"] == 30522
    assert tokenizer(["Hello, world!"]).to_list() == [[7592, 1010, 2088, 999]]


def test_docstring_examples():
    import doctest

    from bert_keras.tokenization import packer, preprocessor, tokenizer, vocab
    for module in (tokenizer, packer, preprocessor, vocab,):
        result = doctest.testmod(module, verbose=False)
        assert result.attempted > 0 and result.failed == 0, module.__name__
