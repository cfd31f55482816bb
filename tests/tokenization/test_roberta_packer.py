"""`RobertaPacker`: `<s> a </s></s> b </s>`, one token type, BERT's trimming."""

import doctest

import tensorflow as tf

from bert_keras.tokenization import roberta_packer
from bert_keras.tokenization.roberta_packer import RobertaPacker


def test_pair_single_and_truncation():
    packer = RobertaPacker(8, start_id=0, sep_id=2, pad_id=1)
    single = packer(tf.ragged.constant([[5, 6, 7], [5]]))
    assert single["token_ids"].numpy().tolist() == [[0, 5, 6, 7, 2, 1, 1, 1], [0, 5, 2, 1, 1, 1, 1, 1]]
    assert single["padding_mask"].numpy().tolist()[1] == [1, 1, 1, 0, 0, 0, 0, 0]
    # 4 special tokens leave 4 places, shared round-robin as in BERT.
    pair = packer((tf.ragged.constant([[11, 12, 13, 14]]), tf.ragged.constant([[21, 22, 23]])))
    assert pair["token_ids"].numpy().tolist() == [[0, 11, 12, 2, 2, 21, 22, 2]]
    assert not pair["segment_ids"].numpy().any()


def test_unbatched_and_dynamic_length():
    packer = RobertaPacker(16, start_id=0, sep_id=2, pad_id=1, dynamic_length=True)
    out = packer((tf.constant([5, 6]), tf.constant([7])))
    assert out["token_ids"].numpy().tolist() == [0, 5, 6, 2, 2, 7, 2]


def test_docstring_example_runs():
    assert doctest.testmod(roberta_packer).failed == 0
