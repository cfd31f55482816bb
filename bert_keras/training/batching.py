"""Input pipelines for fine-tuning: texts are tokenized and packed once,
then batched with dynamic padding and length bucketing.

Padding every batch to the longest sequence *in the batch*, and putting
sequences of similar length in the same batch, removes most of the compute
a fixed length of 128 wastes on short texts (SST-2 averages ~13 tokens).

    >>> import bert_keras
    >>> from bert_keras.data.examples import Examples
    >>> tok = bert_keras.BertTokenizer(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "good", "bad"])
    >>> enc = encode(Examples(["good", "bad bad good"], labels=[1, 0]), tok, 16)
    >>> enc.lengths.tolist()
    [3, 5]
"""

import dataclasses

import numpy as np
import tensorflow as tf

from bert_keras.tokenization.packer import BertPacker

BUCKET_BOUNDARIES = (16, 24, 32, 48, 64, 96, 128, 192, 256, 384)


@dataclasses.dataclass
class Encoded:
    """Packed examples: `token_ids`/`segment_ids` `[n, max_len]` (padded),
    `lengths` `[n]`, `labels` `[n]` or None."""

    token_ids: np.ndarray
    segment_ids: np.ndarray
    lengths: np.ndarray
    labels: np.ndarray = None

    def __len__(self):
        return len(self.lengths)


def encode(examples, tokenizer, max_seq_length, regression=False, chunk=4096):
    """Tokenizes and packs `Examples` (`[CLS] a [SEP] b [SEP]`, round-robin
    truncation to `max_seq_length`)."""
    ids = tokenizer.special_tokens_dict()
    packer = BertPacker(max_seq_length, start_id=ids["start_of_sequence_id"],
                        sep_id=ids["end_of_segment_id"], pad_id=ids["padding_id"])
    token_ids, segment_ids, lengths = [], [], []
    for start in range(0, len(examples), chunk):
        segments = [tokenizer.tokenize(tf.constant(examples.text_a[start:start + chunk]))]
        if examples.text_b is not None:
            segments.append(tokenizer.tokenize(tf.constant(examples.text_b[start:start + chunk])))
        packed = packer(tuple(segments))
        token_ids.append(packed["token_ids"].numpy())
        segment_ids.append(packed["segment_ids"].numpy())
        lengths.append(packed["padding_mask"].numpy().sum(axis=1))
    labels = None
    if examples.labels is not None:
        labels = np.asarray(examples.labels, "float32" if regression else "int32")
    return Encoded(np.concatenate(token_ids), np.concatenate(segment_ids),
                   np.concatenate(lengths).astype("int32"), labels)


def bucket_boundaries(max_seq_length):
    return [b for b in BUCKET_BOUNDARIES if b < max_seq_length]


def num_batches(lengths, batch_size, max_seq_length):
    """Batches per epoch of `train_dataset`: each bucket ends with one partial
    batch, whatever the shuffle order."""
    buckets = np.searchsorted(bucket_boundaries(max_seq_length), lengths, side="left")
    counts = np.bincount(buckets)
    return int(np.sum(-(-counts // batch_size)))


def _rows(encoded, order):
    def trim(token_ids, segment_ids, length, *label):
        x = {"token_ids": token_ids[:length], "segment_ids": segment_ids[:length],
             "padding_mask": tf.ones([length], tf.int32)}
        return (x, label[0]) if label else x

    tensors = (encoded.token_ids[order], encoded.segment_ids[order], encoded.lengths[order])
    if encoded.labels is not None:
        tensors += (encoded.labels[order],)
    return tf.data.Dataset.from_tensor_slices(tensors).map(trim)


def train_dataset(encoded, batch_size, max_seq_length, seed, pad_to_bucket=False):
    """One epoch: shuffled with `seed` (a fixed order per seed, so a resumed
    run can skip the batches it has seen), bucketed by length, dynamically
    padded. `pad_to_bucket` pads to the bucket boundary instead (few
    distinct shapes, for XLA)."""
    order = np.random.default_rng(seed).permutation(len(encoded))
    boundaries = bucket_boundaries(max_seq_length)
    ds = _rows(encoded, order).bucket_by_sequence_length(
        element_length_func=lambda x, y: tf.shape(x["token_ids"])[0],
        bucket_boundaries=[b + 1 for b in boundaries],  # buckets are [lo, hi)
        bucket_batch_sizes=[batch_size] * (len(boundaries) + 1),
        pad_to_bucket_boundary=False)
    if pad_to_bucket:
        ds = ds.map(lambda x, y: (_pad_to_multiple(x, 16, max_seq_length), y))
    # Bucketing emits the long-sentence batches together: shuffle batches.
    ds = ds.shuffle(256, seed=seed, reshuffle_each_iteration=False)
    steps = num_batches(encoded.lengths, batch_size, max_seq_length)
    return ds.apply(tf.data.experimental.assert_cardinality(steps)).prefetch(tf.data.AUTOTUNE)


def eval_dataset(encoded, batch_size, pad_multiple=None, max_seq_length=None):
    """Batches in length order (little padding); returns (dataset, order):
    outputs come back in `order`, undo with `outputs[np.argsort(order)]`."""
    order = np.argsort(encoded.lengths, kind="stable")
    plain = dataclasses.replace(encoded, labels=None)
    ds = _rows(plain, order).padded_batch(batch_size)
    if pad_multiple:
        ds = ds.map(lambda x: _pad_to_multiple(x, pad_multiple, max_seq_length))
    return ds.prefetch(tf.data.AUTOTUNE), order


def _pad_to_multiple(x, multiple, cap):
    length = tf.shape(x["token_ids"])[1]
    target = tf.minimum((length + multiple - 1) // multiple * multiple, cap)
    return {k: tf.pad(v, [[0, 0], [0, target - length]]) for k, v in x.items()}
