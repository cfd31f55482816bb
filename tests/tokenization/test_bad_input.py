"""Bad input: odd strings give valid ids and never crash; wrong types,
ranks, keys, configs and paths give clear errors saying what was expected."""

import numpy as np
import pytest
import tensorflow as tf

from bert_keras import BertConfig, BertEncoder, BertPreprocessor, BertTokenizer

ODD_STRINGS = [
    "",
    "   \t\n\r  \u3000 ",
    "x" * 100_000,
    "word " * 20_000,
    b"\xff\xfe abc",
    b"ok \xc3\x28 \xe2\x82 end",  # truncated / invalid UTF-8 sequences
    "I love 🤗 and 🎉!! 👩‍👩‍👧‍👦",
    "Hello мир 世界 مرحبا שלום こんにちは 안녕 ελληνικά",
    "\x00\x01r\x02e\x1b\x7fd\u200b\u200e\ufeff",
    "the [MASK] is [CLS] not [SEP] [PAD] [UNK]",
    "\ud800".encode("utf-8", "surrogatepass"),  # lone surrogate bytes
]
SEQUENCE_LENGTH = 16


@pytest.fixture(scope="module")
def preprocessor(uncased_tokenizer):
    return BertPreprocessor(uncased_tokenizer, sequence_length=SEQUENCE_LENGTH)


def test_tokenizer_gives_valid_ids(uncased_tokenizer):
    out = uncased_tokenizer(ODD_STRINGS)
    assert out.nrows() == len(ODD_STRINGS)
    flat = out.flat_values.numpy()
    assert flat.dtype == np.int32
    assert ((flat >= 0) & (flat < 30522)).all()
    rows = out.to_list()
    assert rows[0] == [] and rows[1] == []
    assert rows[2] == [100]  # one word longer than 100 characters: [UNK]
    assert rows[3] == [2773] * 20_000  # "word"
    assert rows[4] == [5925]  # invalid bytes dropped, "abc" kept
    assert rows[5][0] == 7929 and rows[5][-1] == 2203  # "ok" ... "end"
    assert rows[8] == [2417]  # control characters dropped: "red"
    # Special tokens written in text map to their ids.
    assert rows[9] == [1996, 103, 2003, 101, 2025, 102, 0, 100]
    for i, text in enumerate(ODD_STRINGS):  # one at a time too (scalars)
        assert uncased_tokenizer(text).numpy().tolist() == rows[i], i


def test_preprocessor_gives_valid_features(preprocessor):
    out = preprocessor(ODD_STRINGS)
    for name in ("token_ids", "segment_ids", "padding_mask"):
        assert tuple(out[name].shape) == (len(ODD_STRINGS), SEQUENCE_LENGTH), name
        assert out[name].dtype == tf.int32
    ids = out["token_ids"].numpy()
    mask = out["padding_mask"].numpy()
    assert (ids[:, 0] == 101).all()
    lengths = mask.sum(axis=1)
    assert (ids[np.arange(len(ids)), lengths - 1] == 102).all()
    assert ids[0].tolist() == [101, 102] + [0] * (SEQUENCE_LENGTH - 2)
    assert mask[0].tolist() == [1, 1] + [0] * (SEQUENCE_LENGTH - 2)
    assert lengths[3] == SEQUENCE_LENGTH  # long input truncated
    # "[PAD]" written in the text is a real (attended) token.
    assert ids[9, 7] == 0 and mask[9, 7] == 1
    pairs = preprocessor((ODD_STRINGS, ODD_STRINGS[::-1]))
    assert tuple(pairs["token_ids"].shape) == (len(ODD_STRINGS), SEQUENCE_LENGTH)
    assert (pairs["segment_ids"].numpy().max(axis=1) == 1).all()


def test_empty_batch(uncased_tokenizer, preprocessor):
    assert uncased_tokenizer([]).to_list() == []
    for batch in ([], np.array([], dtype=str), tf.constant([], tf.string)):
        out = preprocessor(batch)
        assert tuple(out["token_ids"].shape) == (0, SEQUENCE_LENGTH)
    empty = tf.constant([], tf.string)
    pairs = preprocessor((empty, empty))
    assert tuple(pairs["segment_ids"].shape) == (0, SEQUENCE_LENGTH)


@pytest.mark.parametrize("bad", [[1, 2], np.array([1.5]), tf.constant([3]), 5, None])
def test_tokenizer_rejects_non_strings(uncased_tokenizer, bad):
    with pytest.raises(TypeError, match="expects strings"):
        uncased_tokenizer(bad)


@pytest.mark.parametrize("bad", [[["a", "b"], ["c", "d"]], tf.constant([["a"]]),
                                 tf.ragged.constant([["a"], ["b", "c"]])])
def test_tokenizer_rejects_wrong_rank(uncased_tokenizer, bad):
    with pytest.raises(ValueError, match="1-D batch of strings"):
        uncased_tokenizer(bad)


def test_missing_vocab_file(tmp_path):
    missing = str(tmp_path / "nope" / "vocab.txt")
    with pytest.raises(FileNotFoundError, match="nope"):
        BertTokenizer(missing)


def test_vocab_without_special_tokens(tmp_path):
    path = tmp_path / "vocab.txt"
    path.write_text("hello\nworld\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"\[UNK\]"):
        BertTokenizer(str(path))


# -- encoder ----------------------------------------------------------------

@pytest.fixture(scope="module")
def encoder():
    return BertEncoder(BertConfig.preset(
        "tiny", vocab_size=60, hidden_size=32, num_heads=2, intermediate_size=64,
        max_position_embeddings=32))


def _inputs(**overrides):
    x = {"token_ids": np.array([[2, 5, 6, 3]], "int32"),
         "segment_ids": np.zeros((1, 4), "int32"),
         "padding_mask": np.ones((1, 4), "int32")}
    x.update(overrides)
    return x


def test_encoder_accepts_good_input(encoder):
    assert tuple(encoder(_inputs())["sequence_output"].shape) == (1, 4, 32)


@pytest.mark.parametrize("name", ["token_ids", "segment_ids", "padding_mask"])
def test_encoder_rejects_float(encoder, name):
    with pytest.raises(TypeError, match=f"'{name}' must be an integer tensor.*float32"):
        encoder(_inputs(**{name: np.ones((1, 4), "float32")}))


def test_encoder_rejects_strings(encoder):
    with pytest.raises(TypeError, match="must be an integer tensor"):
        encoder(_inputs(token_ids=np.array([["a", "b", "c", "d"]])))


@pytest.mark.parametrize("shape", [(4,), (1, 4, 1)])
def test_encoder_rejects_wrong_rank(encoder, shape):
    with pytest.raises(ValueError, match=r"'token_ids' must have rank 2 \[batch, seq\]"):
        encoder(_inputs(token_ids=np.ones(shape, "int32")))


def test_encoder_rejects_mismatched_shapes(encoder):
    with pytest.raises(ValueError, match="same shape"):
        encoder(_inputs(padding_mask=np.ones((1, 5), "int32")))


def test_encoder_rejects_too_long(encoder):
    x = {k: np.ones((1, 40), "int32") for k in ("token_ids", "segment_ids", "padding_mask")}
    with pytest.raises(ValueError, match="max_position_embeddings=32"):
        encoder(x)


def test_encoder_rejects_zero_length(encoder):
    x = {k: np.zeros((2, 0), "int32") for k in ("token_ids", "segment_ids", "padding_mask")}
    with pytest.raises(ValueError, match="sequence length 0"):
        encoder(x)


def test_encoder_accepts_empty_batch_and_all_padding_rows(encoder):
    empty = {k: np.zeros((0, 4), "int32") for k in ("token_ids", "segment_ids", "padding_mask")}
    assert tuple(encoder(empty)["pooled_output"].shape) == (0, 32)
    x = _inputs(padding_mask=np.array([[1, 1, 0, 0]], "int32"))
    all_padding = {k: np.concatenate([v, np.zeros_like(v)]) for k, v in x.items()}
    out = encoder(all_padding)
    assert np.isfinite(np.asarray(out["sequence_output"])).all()
    assert np.isfinite(np.asarray(out["pooled_output"])).all()


def test_encoder_rejects_missing_key(encoder):
    x = _inputs()
    del x["segment_ids"]
    with pytest.raises((KeyError, ValueError), match="segment_ids"):
        encoder(x)


@pytest.mark.parametrize("bad", [np.ones((1, 4), "int32"), [np.ones((1, 4), "int32")] * 3])
def test_encoder_rejects_non_dict(encoder, bad):
    with pytest.raises((TypeError, ValueError), match="token_ids"):
        encoder(bad)


def test_weights_that_do_not_match_the_config(encoder):
    """Weights of one size written into an encoder of another: the error
    names the tensor and both shapes."""
    from bert_keras.checkpoints import canonical

    weights = canonical.read_encoder(encoder)
    bigger = BertEncoder(BertConfig.preset(
        "tiny", vocab_size=60, hidden_size=64, num_heads=2, intermediate_size=64,
        max_position_embeddings=32))
    with pytest.raises(ValueError, match=r"embeddings/word_embeddings.*\(60, 32\).*\(60, 64\)"):
        canonical.assign_encoder(bigger, weights, source="test")
    fewer_layers = BertEncoder(BertConfig.from_dict(dict(encoder.config.to_dict(), num_layers=1)))
    more_layers = BertEncoder(BertConfig.from_dict(dict(encoder.config.to_dict(), num_layers=3)))
    canonical.assign_encoder(fewer_layers, weights, source="test")  # subset is fine...
    with pytest.raises(KeyError, match="layer_2/query/kernel"):
        canonical.assign_encoder(more_layers, weights, source="test")
    wider_ffn = BertEncoder(BertConfig.from_dict(dict(encoder.config.to_dict(), intermediate_size=128)))
    with pytest.raises(ValueError, match="layer_0/intermediate/kernel"):
        canonical.assign_encoder(wider_ffn, weights, source="test")


@pytest.mark.parametrize("change, message", [
    (dict(hidden_size=192), r"embeddings/word_embeddings.*\(30522, 384\).*\(30522, 192\)"),
    (dict(num_layers=7), r"layer_6/"),
    (dict(num_layers=5), r"unexpected.*layer_5/"),
], ids=["hidden_size", "more_layers", "fewer_layers"])
def test_model_dir_config_that_does_not_match_its_weights(minilm_dir, tmp_path, change, message):
    """A converted model directory whose bert_keras.json was edited: loading
    fails with an error naming the tensor, not with garbage outputs."""
    import json
    import os

    bad = tmp_path / "bad_model"
    bad.mkdir()
    for name in os.listdir(minilm_dir):
        if name != "bert_keras.json":
            os.symlink(os.path.join(minilm_dir, name), bad / name)
    with open(os.path.join(minilm_dir, "bert_keras.json"), encoding="utf-8") as f:
        meta = json.load(f)
    meta["config"].update(change)
    (bad / "bert_keras.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises((ValueError, KeyError), match=message):
        BertEncoder.from_pretrained(str(bad))


def test_bad_config_values():
    with pytest.raises(ValueError, match="hidden_act"):
        BertConfig(hidden_act="gelu_fast")
    with pytest.raises(ValueError, match="divisible"):
        BertConfig(hidden_size=100, num_heads=3)
    with pytest.raises(ValueError, match="num_layers"):
        BertConfig(num_layers=0)
    with pytest.raises(TypeError, match="BertConfig"):
        BertEncoder("base")
