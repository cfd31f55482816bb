"""The preprocess SavedModel: raw strings to the encoder's three inputs, with
the interface of TF Hub's `bert_en_uncased_preprocess/3`.

    preprocess(strings [batch])            -> dict of int32 [batch, seq_length]
    preprocess.tokenize(strings [batch])   -> int32 ragged [batch, (words), (pieces)]
    preprocess.tokenize.get_special_tokens_dict() -> scalar int32 ids
    preprocess.tokenize_with_offsets(strings [batch]) -> (tokens, start, limit):
        ragged [batch, (words), (pieces)], int32 ids and int64 byte offsets
        of each piece in the input string (limit exclusive)
    preprocess.bert_pack_inputs([seg_a(, seg_b)], seq_length=...) -> dict

The same interface for every tokenizer type (WordPiece, SentencePiece,
byte-level BPE; see `tokenizer_parts`). WordPiece's `tokenize` keeps the word
level, `[batch, (words), (pieces)]`; SentencePiece and BPE give
`[batch, (tokens)]`, as TF Hub's ALBERT preprocessors do. With
`dynamic_length` the root call pads to the longest input of the batch
(still truncating at `seq_length`) instead of always to `seq_length`.

The WordPiece model is embedded in the graph (tf-text's FastWordpieceTokenizer
serializes it as a constant), so the SavedModel never reads a file at run
time: moving it, or re-saving a model that wraps it, cannot break a path
(the failure of tensorflow/hub#719). The vocabulary is also kept as a
SavedModel Asset (`preprocess.vocab_file`) for consumers that read it.
"""

import json
import os

import tensorflow as tf
import tensorflow_text as tf_text

from bert_keras.errors import InputError
from bert_keras.tokenization.bpe_tokenizer import ByteLevelBpeTokenizer
from bert_keras.tokenization.sentencepiece_tokenizer import SentencePieceTokenizer

# A bare trackable object: unlike tf.Module, it has no computed `variables`
# property, so the Reusable SavedModel attributes can be set explicitly.
AutoTrackable = tf.__internal__.tracking.AutoTrackable

STRINGS = tf.TensorSpec([None], tf.string, name="sentences")
SEQ_LENGTH = tf.TensorSpec([], tf.int32, name="seq_length")
INPUT_KEYS = ("input_word_ids", "input_mask", "input_type_ids")


def string_batch(strings, name="sentences"):
    """`strings` checked at run time to be a 1-D batch `[batch]`.

    A signature's input shape is not enforced when a SavedModel is run
    through its `signatures` (TF Serving, saved_model_cli): a `[2, 3]`
    tensor would be flattened into 6 texts. `EnsureShape` fails such a call
    with InvalidArgument naming the node below and the expected shape `[?]`.
    """
    return tf.ensure_shape(strings, [None], name=f"{name}_must_be_a_1D_batch_of_strings")


def bert_pack_inputs(segments, seq_length, special_ids, max_seq_length=None):
    """Packs 1 or 2 ragged segments as `[CLS] a [SEP] b [SEP]` + padding.

    Round-robin trimming (each segment keeps about half of the budget, as
    original BERT), done with tf-text ops that accept a *tensor* length.
    `max_seq_length` (the encoder's `max_position_embeddings`) bounds the
    `seq_length` a caller may ask for: longer inputs would only fail later,
    inside the encoder.
    """
    segments = [s.merge_dims(-2, -1) if s.ragged_rank == 2 else s for s in segments]
    segments = [tf.cast(s, tf.int32) for s in segments]
    seq_length = tf.convert_to_tensor(seq_length, tf.int32)
    tf.debugging.assert_greater_equal(
        seq_length, len(segments) + 1,
        message="seq_length is too short for [CLS] and the [SEP]s")
    if max_seq_length is not None:
        tf.debugging.assert_less_equal(
            seq_length, tf.constant(int(max_seq_length), tf.int32),
            message=f"seq_length is more than the encoder's max_position_embeddings "
                    f"({int(max_seq_length)})")
    budget = seq_length - (len(segments) + 1)
    trimmed = tf_text.RoundRobinTrimmer(max_seq_length=budget).trim(segments)
    ids, type_ids = tf_text.combine_segments(
        trimmed, start_of_sequence_id=special_ids["start_of_sequence_id"],
        end_of_segment_id=special_ids["end_of_segment_id"])
    word_ids, mask = tf_text.pad_model_inputs(
        ids, max_seq_length=seq_length, pad_value=special_ids["padding_id"])
    type_ids, _ = tf_text.pad_model_inputs(type_ids, max_seq_length=seq_length, pad_value=0)
    shape = tf.stack([-1, seq_length])
    return {
        "input_word_ids": tf.reshape(tf.cast(word_ids, tf.int32), shape),
        "input_mask": tf.reshape(tf.cast(mask, tf.int32), shape),
        "input_type_ids": tf.reshape(tf.cast(type_ids, tf.int32), shape),
    }


def _ragged_spec(rank):
    return tf.RaggedTensorSpec([None] * (rank + 1), tf.int32, ragged_rank=rank,
                               row_splits_dtype=tf.int64)


def roberta_pack_inputs(segments, seq_length, special_ids, max_seq_length=None):
    """Packs 1 or 2 ragged segments as `<s> a </s></s> b </s>` + padding,
    all token types 0 (RoBERTa has one). Same trimming as `bert_pack_inputs`,
    with one more special token to leave room for."""
    segments = [s.merge_dims(-2, -1) if s.ragged_rank == 2 else s for s in segments]
    segments = [tf.cast(s, tf.int32) for s in segments]
    if len(segments) == 2:
        seq_length = tf.convert_to_tensor(seq_length, tf.int32)
        tf.debugging.assert_greater_equal(
            seq_length, 4, message="seq_length is too short for <s> and the </s>s")
        first, second = tf_text.RoundRobinTrimmer(max_seq_length=seq_length - 4).trim(segments)
        sep = tf.fill([second.nrows(), 1], tf.constant(special_ids["end_of_segment_id"], tf.int32))
        # The second segment, after trimming, starts with the extra </s>:
        # bert_pack_inputs then has nothing left to trim.
        segments = [first, tf.concat([sep, second], axis=1)]
    packed = bert_pack_inputs(segments, seq_length, special_ids, max_seq_length)
    packed["input_type_ids"] = tf.zeros_like(packed["input_type_ids"])
    return packed


def pad_to_longest(packed):
    """Cuts the padding columns no input of the batch needs."""
    length = tf.reduce_max(tf.reduce_sum(packed["input_mask"], axis=1))
    length = tf.maximum(length, 0)  # an empty batch has no maximum
    return {k: v[:, :length] for k, v in packed.items()}


def tokenizer_parts(tokenizer):
    """`(tokenize, pack, resources)` for a tokenizer of any type: its
    strings-to-ragged-ids function (int64 row splits, as tf-text's own
    tokenizers return), its packing function, and the TF resources its graph
    uses (lookup tables, the SentencePiece model), which the SavedModel must
    track."""
    if isinstance(tokenizer, SentencePieceTokenizer):
        # An eager call loads the model resource again if a seed reset
        # dropped it; the graphs below capture the live one.
        tokenizer.tokenize(tf.constant([""]))
        return (lambda s: tokenizer.tokenize(s).with_row_splits_dtype(tf.int64),
                bert_pack_inputs, [tokenizer._sentence_piece])
    if isinstance(tokenizer, ByteLevelBpeTokenizer):
        resources = [tokenizer.byte2unicode, tokenizer.unicode2byte, tokenizer.cache,
                     tokenizer.token_to_id_map, tokenizer.id_to_token_map,
                     tokenizer.merge_ranks]
        return (lambda s: tokenizer._tokenize_graph(s).with_row_splits_dtype(tf.int64),
                roberta_pack_inputs, resources)

    def tokenize_words(strings):
        return tf.cast(tokenizer.tokenize_words(strings), tf.int32).with_row_splits_dtype(tf.int64)
    return tokenize_words, bert_pack_inputs, []


def tokenizer_kind(tokenizer):
    """`"wordpiece"`, `"sentencepiece"` or `"bpe"` (the factory's types)."""
    if isinstance(tokenizer, SentencePieceTokenizer):
        return "sentencepiece"
    if isinstance(tokenizer, ByteLevelBpeTokenizer):
        return "bpe"
    return "wordpiece"


def write_tokenizer_assets(tokenizer, directory):
    """Writes the files of a SentencePiece or BPE tokenizer into `directory`,
    as `{asset attribute: path}` (`sp_model_file`, as TF Hub's ALBERT;
    `vocab_file` + `merges_file` for BPE). WordPiece's `vocab_file` is the
    exporter's."""
    if isinstance(tokenizer, SentencePieceTokenizer):
        path = os.path.join(directory, "spiece.model")
        with open(path, "wb") as f:
            f.write(tokenizer.proto)
        return {"sp_model_file": path}
    if isinstance(tokenizer, ByteLevelBpeTokenizer):
        vocab, merges = os.path.join(directory, "vocab.json"), os.path.join(directory, "merges.txt")
        with open(vocab, "w", encoding="utf-8") as f:
            json.dump(tokenizer.vocabulary, f, ensure_ascii=False)
        with open(merges, "w", encoding="utf-8") as f:
            f.write("#version: 0.2\n" + "".join(m + "\n" for m in tokenizer.merges))
        return {"vocab_file": vocab, "merges_file": merges}
    return {}


def build_preprocess_module(tokenizer, seq_length, vocab_file, max_seq_length=None,
                            dynamic_length=False, assets=None):
    """The preprocess model, as `(root, signatures)` for `tf.saved_model.save`.

    Args:
        tokenizer: a `BertTokenizer`, `SentencePieceTokenizer` or
            `ByteLevelBpeTokenizer` (its settings are baked in).
        seq_length: length of the root call's outputs (the most with
            `dynamic_length`) and the default of `bert_pack_inputs`.
        vocab_file: path of the `vocab.txt` to store as an Asset.
        max_seq_length: the encoder's `max_position_embeddings`; a larger
            `seq_length` is refused (here, and at run time by
            `bert_pack_inputs`).
        dynamic_length: the root call pads to the batch's longest input.
        assets: `{attribute: path}` Assets to store instead of `vocab_file`
            (see `write_tokenizer_assets`).
    """
    ids = {k: int(v) for k, v in tokenizer.special_tokens_dict().items()}
    default_length = int(seq_length)
    if max_seq_length is not None and default_length > max_seq_length:
        raise InputError(f"seq_length {default_length} is more than the model's "
                         f"max_position_embeddings ({max_seq_length})")
    tokenize_ragged, pack_inputs, resources = tokenizer_parts(tokenizer)

    # Traced once; the root call and the packers call these graphs rather
    # than re-tracing them (smaller SavedModel, faster export and load).
    # No AutoGraph: the tokenizers write their control flow with tf ops.
    tokenize = tf.function(lambda strings: tokenize_ragged(string_batch(strings)),
                           input_signature=[STRINGS], autograph=False)

    def tokenize_with_offsets(strings):
        tokens, starts, limits = tokenizer.tokenize_words_with_offsets(
            string_batch(strings), unit="BYTE")
        return (tf.cast(tokens, tf.int32).with_row_splits_dtype(tf.int64),
                starts.with_row_splits_dtype(tf.int64), limits.with_row_splits_dtype(tf.int64))
    pack_with_length = tf.function(
        lambda segments, seq_length: pack_inputs(segments, seq_length, ids, max_seq_length),
        autograph=False)

    def special_tokens_dict():
        return {k: tf.constant(v, tf.int32) for k, v in ids.items()}

    def pack(inputs, seq_length=None):
        segments = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        if seq_length is None:
            seq_length = default_length
        return pack_with_length(segments, tf.convert_to_tensor(seq_length, tf.int32))

    def call(sentences):
        packed = pack_with_length([tokenize(sentences)], tf.constant(default_length))
        return pad_to_longest(packed) if dynamic_length else packed

    root = AutoTrackable()
    for name, path in (assets or {"vocab_file": vocab_file}).items():
        setattr(root, name, tf.saved_model.Asset(path))
    root.tokenizer_resources = resources
    root.tokenize = AutoTrackable()
    root.tokenize.__call__ = tokenize
    root.tokenize.get_special_tokens_dict = tf.function(special_tokens_dict, input_signature=[])
    if hasattr(tokenizer, "tokenize_words_with_offsets"):  # WordPiece
        root.tokenize_with_offsets = AutoTrackable()
        root.tokenize_with_offsets.__call__ = tf.function(
            tokenize_with_offsets, input_signature=[STRINGS])
        root.tokenize_with_offsets.get_special_tokens_dict = root.tokenize.get_special_tokens_dict
    root.bert_pack_inputs = AutoTrackable()
    root.bert_pack_inputs.__call__ = tf.function(pack, autograph=False)
    for num_segments in (1, 2):
        for rank in (1, 2):
            specs = [_ragged_spec(rank)] * num_segments
            root.bert_pack_inputs.__call__.get_concrete_function(specs)
            root.bert_pack_inputs.__call__.get_concrete_function(specs, SEQ_LENGTH)
    root.__call__ = tf.function(call, input_signature=[STRINGS])
    # Reusable SavedModel attributes: nothing to train.
    root.variables = []
    root.trainable_variables = []
    root.regularization_losses = []
    # For TF Serving (a binary with the tf-text ops): strings -> the 3 inputs.
    signatures = {"serving_default": root.__call__.get_concrete_function()}
    return root, signatures
