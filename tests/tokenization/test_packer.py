"""`BertPacker`: `[CLS] a [SEP] b [SEP]` packing, both truncation strategies
(expectations computed by hand), padding mask, dynamic length, graph mode."""

import numpy as np
import pytest
import tensorflow as tf

from bert_keras import BertPacker

CLS, SEP, PAD = 101, 102, 0


def pack(segments, sequence_length=8, **kwargs):
    packer = BertPacker(sequence_length, start_id=CLS, sep_id=SEP, pad_id=PAD, **kwargs)
    out = packer(tuple(tf.ragged.constant(s, dtype=tf.int32) for s in segments))
    assert set(out) == {"token_ids", "segment_ids", "padding_mask"}
    for v in out.values():
        assert v.dtype == tf.int32
    return {k: v.numpy().tolist() for k, v in out.items()}


A = [[1, 2, 3, 4, 5]]
B = [[11, 12, 13, 14, 15]]


def test_round_robin_pair_equal_lengths():
    # 8 - 3 specials = 5 tokens: one at a time, a first: a gets 3, b gets 2.
    out = pack([A, B], truncate="round_robin")
    assert out["token_ids"] == [[CLS, 1, 2, 3, SEP, 11, 12, SEP]]
    assert out["segment_ids"] == [[0, 0, 0, 0, 0, 1, 1, 1]]
    assert out["padding_mask"] == [[1] * 8]


def test_round_robin_is_the_default():
    assert pack([A, B]) == pack([A, B], truncate="round_robin")


def test_round_robin_short_first_segment_kept_whole():
    # a has only 2 tokens; b takes the rest of the budget (3).
    out = pack([[[1, 2]], [[11, 12, 13, 14, 15, 16, 17]]], truncate="round_robin")
    assert out["token_ids"] == [[CLS, 1, 2, SEP, 11, 12, 13, SEP]]
    assert out["segment_ids"] == [[0, 0, 0, 0, 1, 1, 1, 1]]


def test_waterfall_pair_fills_first_segment_first():
    # keras-hub / tf_text WaterfallTrimmer: a keeps all 5, b gets 0 tokens
    # but still its [SEP] (segment 1).
    out = pack([A, B], truncate="waterfall")
    assert out["token_ids"] == [[CLS, 1, 2, 3, 4, 5, SEP, SEP]]
    assert out["segment_ids"] == [[0, 0, 0, 0, 0, 0, 0, 1]]
    assert out["padding_mask"] == [[1] * 8]


def test_waterfall_pair_second_segment_gets_remainder():
    out = pack([[[1, 2, 3]], B], truncate="waterfall")
    assert out["token_ids"] == [[CLS, 1, 2, 3, SEP, 11, 12, SEP]]
    assert out["segment_ids"] == [[0, 0, 0, 0, 0, 1, 1, 1]]


@pytest.mark.parametrize("truncate", ["round_robin", "waterfall"])
def test_single_segment_truncation_and_padding(truncate):
    out = pack([[[1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2]]], truncate=truncate)
    assert out["token_ids"] == [[CLS, 1, 2, 3, 4, 5, 6, SEP],
                                [CLS, 1, 2, SEP, PAD, PAD, PAD, PAD]]
    assert out["segment_ids"] == [[0] * 8, [0] * 8]
    assert out["padding_mask"] == [[1] * 8, [1, 1, 1, 1, 0, 0, 0, 0]]


@pytest.mark.parametrize("truncate", ["round_robin", "waterfall"])
def test_pair_without_truncation_pads(truncate):
    out = pack([[[1, 2]], [[11]]], truncate=truncate)
    assert out["token_ids"] == [[CLS, 1, 2, SEP, 11, SEP, PAD, PAD]]
    assert out["segment_ids"] == [[0, 0, 0, 0, 1, 1, 0, 0]]
    assert out["padding_mask"] == [[1, 1, 1, 1, 1, 1, 0, 0]]


def test_mixed_lengths_in_one_batch():
    out = pack([[[1, 2, 3, 4, 5], [1], []], [[11, 12, 13, 14, 15], [11, 12], [11]]])
    assert out["token_ids"] == [
        [CLS, 1, 2, 3, SEP, 11, 12, SEP],
        [CLS, 1, SEP, 11, 12, SEP, PAD, PAD],
        [CLS, SEP, 11, SEP, PAD, PAD, PAD, PAD]]
    assert out["segment_ids"] == [
        [0, 0, 0, 0, 0, 1, 1, 1], [0, 0, 0, 1, 1, 1, 0, 0], [0, 0, 1, 1, 0, 0, 0, 0]]
    assert out["padding_mask"] == [
        [1] * 8, [1, 1, 1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 0, 0, 0, 0]]


def test_pad_id_inside_text_is_not_padding():
    """A `[PAD]` id among the real tokens (the text said "[PAD]") is a real
    token: the mask comes from the packing, not from comparing ids."""
    out = pack([[[PAD, 7, PAD]]])
    assert out["token_ids"] == [[CLS, PAD, 7, PAD, SEP, PAD, PAD, PAD]]
    assert out["padding_mask"] == [[1, 1, 1, 1, 1, 0, 0, 0]]
    dynamic = pack([[[PAD, PAD, PAD, 7]]], sequence_length=16, dynamic_length=True)
    assert dynamic["token_ids"] == [[CLS, PAD, PAD, PAD, 7, SEP]]
    assert dynamic["padding_mask"] == [[1] * 6]


@pytest.mark.parametrize("sequence_length", [3, 5, 16, 64, 512])
def test_any_sequence_length(sequence_length):
    rng = np.random.default_rng(sequence_length)
    a = [list(rng.integers(1000, 2000, n)) for n in (0, 1, 7, 300)]
    b = [list(rng.integers(2000, 3000, n)) for n in (4, 0, 9, 1)]
    for segments in ([a], [a, b]):
        out = pack(segments, sequence_length=sequence_length)
        ids = np.array(out["token_ids"])
        assert ids.shape == (4, sequence_length)
        mask = np.array(out["padding_mask"])
        for row, mask_row, seg_row in zip(ids, mask, np.array(out["segment_ids"])):
            n = mask_row.sum()
            assert mask_row.tolist() == [1] * n + [0] * (sequence_length - n)
            assert row[0] == CLS and row[n - 1] == SEP
            assert (row[n:] == PAD).all() and (seg_row[n:] == 0).all()
            assert (row[:n] == SEP).sum() == len(segments)
            assert n <= sequence_length


def test_sequence_length_3_keeps_only_specials():
    out = pack([[[1, 2]], [[3]]], sequence_length=3)
    # Budget 0: only [CLS] [SEP] [SEP] fit.
    assert out["token_ids"] == [[CLS, SEP, SEP]]
    assert out["segment_ids"] == [[0, 0, 1]]


def test_dynamic_length_trims_to_longest_in_batch():
    out = pack([[[1, 2], [3], [4, 5, 6]]], sequence_length=16, dynamic_length=True)
    assert out["token_ids"] == [[CLS, 1, 2, SEP, PAD], [CLS, 3, SEP, PAD, PAD],
                                [CLS, 4, 5, 6, SEP]]
    assert out["padding_mask"] == [[1, 1, 1, 1, 0], [1, 1, 1, 0, 0], [1] * 5]
    pair = pack([[[1, 2], [3]], [[5], [6, 7, 8]]], sequence_length=16, dynamic_length=True)
    assert pair["token_ids"] == [[CLS, 1, 2, SEP, 5, SEP, PAD], [CLS, 3, SEP, 6, 7, 8, SEP]]
    assert pair["segment_ids"] == [[0, 0, 0, 0, 1, 1, 0], [0, 0, 0, 1, 1, 1, 1]]
    # Never longer than sequence_length.
    capped = pack([[[1] * 40]], sequence_length=10, dynamic_length=True)
    assert len(capped["token_ids"][0]) == 10


def test_word_level_and_dense_segments():
    """Rank-3 ragged `[batch, (words), (pieces)]` (as `tokenize_words` and
    TF-Hub `tokenize` give) and dense tensors are accepted."""
    packer = BertPacker(6, start_id=CLS, sep_id=SEP, pad_id=PAD)
    words = tf.ragged.constant([[[1, 2], [3]]], dtype=tf.int32)
    assert packer(words)["token_ids"].numpy().tolist() == [[CLS, 1, 2, 3, SEP, PAD]]
    dense = tf.constant([[1, 2]], tf.int32)
    assert packer(dense)["token_ids"].numpy().tolist() == [[CLS, 1, 2, SEP, PAD, PAD]]


def test_unbatched_segments_give_1d_outputs():
    packer = BertPacker(6, start_id=CLS, sep_id=SEP, pad_id=PAD)
    out = packer((tf.constant([1, 2], tf.int32), tf.constant([3], tf.int32)))
    assert out["token_ids"].numpy().tolist() == [CLS, 1, 2, SEP, 3, SEP]
    assert out["segment_ids"].numpy().tolist() == [0, 0, 0, 0, 1, 1]
    assert out["padding_mask"].numpy().tolist() == [1] * 6


def test_bad_arguments():
    with pytest.raises(ValueError, match="at least 3"):
        BertPacker(2, start_id=CLS, sep_id=SEP, pad_id=PAD)
    with pytest.raises(ValueError, match="round_robin"):
        BertPacker(8, start_id=CLS, sep_id=SEP, pad_id=PAD, truncate="longest_first")
    packer = BertPacker(8, start_id=CLS, sep_id=SEP, pad_id=PAD)
    seg = tf.ragged.constant([[1]], dtype=tf.int32)
    with pytest.raises(ValueError, match="one or two segments"):
        packer((seg, seg, seg))


@pytest.mark.parametrize("dynamic_length", [False, True])
def test_in_tf_function_with_dynamic_shapes(dynamic_length):
    packer = BertPacker(8, start_id=CLS, sep_id=SEP, pad_id=PAD,
                        dynamic_length=dynamic_length)
    spec = tf.RaggedTensorSpec([None, None], tf.int32, ragged_rank=1)

    @tf.function(input_signature=[spec, spec])
    def pack_pair(a, b):
        return packer((a, b))

    out = pack_pair(tf.ragged.constant([[1, 2, 3, 4, 5], [1]], dtype=tf.int32),
                    tf.ragged.constant([[11, 12, 13, 14, 15], [11]], dtype=tf.int32))
    assert out["token_ids"].numpy().tolist() == [
        [CLS, 1, 2, 3, SEP, 11, 12, SEP], [CLS, 1, SEP, 11, SEP, PAD, PAD, PAD]]
    out = pack_pair(tf.ragged.constant([[1]], dtype=tf.int32),
                    tf.ragged.constant([[2]], dtype=tf.int32))
    expected = [CLS, 1, SEP, 2, SEP] + ([] if dynamic_length else [PAD] * 3)
    assert out["token_ids"].numpy().tolist() == [expected]
