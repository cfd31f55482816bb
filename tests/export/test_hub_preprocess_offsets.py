"""`preprocess.tokenize_with_offsets` of the exported preprocess SavedModel,
loaded as a TF Hub consumer would: ids as `.tokenize`, byte offsets into
the input strings (TF Model Garden's `--tokenize_with_offsets` API)."""

import pytest
import tensorflow as tf

hub = pytest.importorskip("tensorflow_hub")

TEXTS = ["The cats sat on the mat, running!", "", "Café\u200b  DOG? 中 not good",
         "hello [MASK] world"]


@pytest.fixture(scope="module")
def preprocess(tiny_exports):
    return hub.load(tiny_exports["trainable"]["preprocess"])


def test_tokenize_with_offsets_through_hub_load(preprocess, tiny_keras):
    tokenizer = tiny_keras[2]
    tokens, starts, limits = preprocess.tokenize_with_offsets(tf.constant(TEXTS))
    assert tokens.dtype == tf.int32 and starts.dtype == limits.dtype == tf.int64
    assert tokens.ragged_rank == starts.ragged_rank == limits.ragged_rank == 2
    assert tokens.to_list() == preprocess.tokenize(tf.constant(TEXTS)).to_list()
    want = tokenizer.tokenize_words_with_offsets(TEXTS, unit="BYTE")
    assert starts.to_list() == want[1].to_list()
    assert limits.to_list() == want[2].to_list()
    # Byte offsets into the UTF-8 input: each piece's source text.
    text = TEXTS[2].encode("utf-8")
    pieces = [text[s:e].decode("utf-8") for word_s, word_e in
              zip(starts.to_list()[2], limits.to_list()[2]) for s, e in zip(word_s, word_e)]
    assert pieces == ["Café", "DOG", "?", "中", "not", "good"]
    assert {k: int(v) for k, v in preprocess.tokenize_with_offsets.get_special_tokens_dict().items()} \
        == {k: int(v) for k, v in preprocess.tokenize.get_special_tokens_dict().items()}
