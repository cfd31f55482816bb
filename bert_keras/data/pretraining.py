"""Pretraining examples from plain text, as original BERT makes them.

Text in, batches out:

1. `read_documents(paths)`: documents as lists of sentences. Three layouts:
   `"bert"` (google-research/bert: one sentence a line, a blank line between
   documents), `"file"` (one document per file, one sentence or paragraph a
   line) and `"wikitext"` (WikiText: articles start at ` = Title = ` lines,
   paragraphs are split into sentences, `<unk>` becomes `[UNK]`). `"auto"`
   picks wikitext when a file has title lines, else bert.
2. `sentence_pairs(...)`: per document, chunks of sentences filling a target
   length (shorter with `short_seq_prob`), split into A and B at a random
   sentence; B is the true continuation half the time and text from another
   random document otherwise (label 1); the pair is trimmed from a random end
   of the longer side to fit (`create_instances_from_document` in
   google-research/bert `create_pretraining_data.py`). The family's
   objective (`bert_keras.tasks.objectives`) picks the sentence task:
   `"nsp"` as above; `"sop"` (ALBERT) keeps B the true continuation and
   swaps A and B half the time (label 1), as google-research/albert;
   None (RoBERTa, FULL-SENTENCES) packs whole sentences into one segment
   up to the length, crossing documents with a separator between them
   (`full_sentence_blocks`).
3. `PretrainingMasker`: packs `[CLS] A [SEP] B [SEP]` with the tokenizer's
   packer (RoBERTa: `<s> A </s>`; ids from its `special_tokens_dict`) and
   picks masked-LM targets with keras-hub's `MaskedLMMaskGenerator` (15% of
   the non-special tokens, at most `max_predictions_per_seq`; 80% `[MASK]`,
   10% a random token, 10% unchanged), or whole words with tensorflow-text's
   `mask_language_model` on word-level ragged ids.

`pretraining_dataset(...)` streams `(features, labels, sample_weights)`
batches for `BertPretrainer.fit`; masks are drawn anew every time an
example is seen (dynamic masking, as RoBERTa).
`write_tfrecords` / `read_tfrecords` store fixed, masked examples in shards
(`bert-keras create-pretraining-data`), like the original TFRecords.
"""

import glob
import itertools
import json
import os
import random
import re
import shutil

import numpy as np
import tensorflow as tf
import tensorflow_text as tf_text
from keras_hub.layers import MaskedLMMaskGenerator

from bert_keras.tokenization.packer import BertPacker
from bert_keras.tokenization.vocab import save_vocab
from bert_keras.utils.atomic_dir import atomic_output_dir
from bert_keras.errors import InputError, MissingFileError
from bert_keras.utils.json_file import read_json
from bert_keras.utils.progress import Progress

FORMATS = ("auto", "bert", "file", "wikitext")
NOT_NEXT = 1  # NSP label of a random B; 0 means "B follows A".
SWAPPED = 1  # SOP label of swapped segments; 0 means "in order".
SENTENCE_TASKS = ("nsp", "sop", None)
_WIKI_TITLE = re.compile(r"^ ?= [^=].* = ?$")
_WIKI_HEADING = re.compile(r"^ ?(= )+.*( =)+ ?$")
# WikiText is tokenized: sentences end at a spaced " . ", " ? " or " ! ".
_WIKI_SENTENCE_END = re.compile(r"(?<= [.?!]) (?=\S)")


class CorpusError(InputError):
    """A corpus file that cannot be read; the message names file and line."""


# -- 1. documents ---------------------------------------------------------
def _read_lines(path):
    """Lines of a UTF-8 file, with a clear error naming the bad line."""
    if not os.path.isfile(path):
        raise MissingFileError(f"corpus file not found: {path}")
    with open(path, "rb") as f:
        raw = f.read()
    lines = []
    for number, line in enumerate(raw.split(b"\n"), start=1):
        try:
            lines.append(line.decode("utf-8").rstrip("\r"))
        except UnicodeDecodeError as e:
            raise CorpusError(
                f"{path}, line {number}: not valid UTF-8 ({e.reason} at byte "
                f"{e.start}); convert the file to UTF-8") from None
    if lines and lines[0].startswith("\ufeff"):
        lines[0] = lines[0][1:]
    if not any(line.strip() for line in lines):
        raise CorpusError(f"{path}: the corpus file is empty (no text)")
    return lines


def _split_bert(lines):
    documents, current = [], []
    for line in lines:
        if line.strip():
            current.append(line.strip())
        elif current:
            documents.append(current)
            current = []
    if current:
        documents.append(current)
    return documents


def _split_wikitext(lines):
    documents, current = [], []
    for line in lines:
        if _WIKI_TITLE.match(line):
            if current:
                documents.append(current)
            current = []
        elif line.strip() and not _WIKI_HEADING.match(line):
            text = line.strip().replace("<unk>", "[UNK]")
            current.extend(s.strip() for s in _WIKI_SENTENCE_END.split(text) if s.strip())
    if current:
        documents.append(current)
    return documents


def expand_paths(paths):
    """Files named or matched by glob patterns, or inside directories."""
    if isinstance(paths, str):
        paths = [paths]
    files = []
    for path in paths:
        if os.path.isdir(path):
            files += sorted(p for p in glob.glob(os.path.join(path, "*")) if os.path.isfile(p))
        elif any(c in path for c in "*?["):
            matched = sorted(glob.glob(path))
            if not matched:
                raise MissingFileError(f"no corpus files match {path}")
            files += matched
        else:
            files.append(path)
    if not files:
        raise MissingFileError(f"no corpus files in {list(paths)}")
    return files


def read_documents(paths, doc_format="auto"):
    """Documents (lists of sentence strings) from text files.

    Example:
    >>> import tempfile
    >>> path = tempfile.mktemp(suffix=".txt")
    >>> _ = open(path, "w").write("One.\\nTwo.\\n\\nThree.\\n")
    >>> read_documents([path])
    [['One.', 'Two.'], ['Three.']]
    """
    if doc_format not in FORMATS:
        raise InputError(f"unknown corpus format {doc_format!r}; choose from {FORMATS}")
    documents = []
    files = expand_paths(paths)
    with Progress("reading the corpus", total=len(files), unit="files") as bar:
        for path in files:
            documents += _documents_of_file(path, doc_format)
            bar.update(1)
    return documents


def _documents_of_file(path, doc_format):
    """The documents of one corpus file, in `doc_format` ("auto": guessed)."""
    lines = _read_lines(path)
    kind = doc_format
    if kind == "auto":
        kind = "wikitext" if any(_WIKI_TITLE.match(l) for l in lines[:1000]) else "bert"
    if kind == "file":
        docs = [[l.strip() for l in lines if l.strip()]]
    elif kind == "wikitext":
        docs = _split_wikitext(lines)
    else:
        docs = _split_bert(lines)
    return [d for d in docs if d]


def write_documents(documents, path):
    """Writes documents (lists of sentences) in the original BERT format, one
    sentence a line and a blank line after each document: the inverse of
    `read_documents(..., "bert")`.

    Example:
    >>> import tempfile
    >>> path = write_documents([["One.", "Two."], ["Three."]], tempfile.mktemp())
    >>> read_documents([path], "bert")
    [['One.', 'Two.'], ['Three.']]
    """
    with open(path, "w", encoding="utf-8") as f:
        for doc in documents:
            f.write("\n".join(doc) + "\n\n")
    return path


def tokenize_documents(documents, tokenizer, batch_size=4096):
    """Documents of sentences to documents of id lists (tokenized in
    batches with the TF tokenizer; empty sentences are dropped)."""
    flat = [s for doc in documents for s in doc]
    ids = []
    with Progress("tokenizing", total=len(flat), unit="sentences") as bar:
        for i in range(0, len(flat), batch_size):
            ids += tokenizer.tokenize(tf.constant(flat[i:i + batch_size])).to_list()
            bar.update(len(flat[i:i + batch_size]))
    out, k = [], 0
    for doc in documents:
        sentences = [s for s in ids[k:k + len(doc)] if s]
        k += len(doc)
        if sentences:
            out.append(sentences)
    return out


# -- 2. sentence pairs ----------------------------------------------------
def _truncate_pair(a, b, max_tokens, rng):
    """Trims the longer side one token at a time, from a random end."""
    while len(a) + len(b) > max_tokens:
        longer = a if len(a) > len(b) else b
        if rng.random() < 0.5:
            del longer[0]
        else:
            longer.pop()


def pairs_from_document(documents, index, seq_length, short_seq_prob, rng,
                        random_next_prob=0.5, sentence_task="nsp"):
    """Yields `(tokens_a, tokens_b, label)` from `documents[index]`
    (documents are lists of sentences of token ids): label 1 when B is
    random (`"nsp"`) or when A and B were swapped (`"sop"`)."""
    sop = sentence_task == "sop"
    document = documents[index]
    max_tokens = seq_length - 3  # [CLS], [SEP], [SEP]
    target = max_tokens
    if rng.random() < short_seq_prob:
        target = rng.randint(2, max_tokens)
    chunk, length, i = [], 0, 0
    while i < len(document):
        chunk.append(document[i])
        length += len(document[i])
        # Unlike the original, a chunk never closes on a single sentence
        # before the document ends: such a chunk can only get a random B,
        # which skews the labels on short-sentence text.
        if i == len(document) - 1 or (length >= target and len(chunk) >= 2):
            # A lone last sentence could only take a random B, tilting the
            # labels towards "random": it is left out (as A; it still serves
            # as random B), except in one-sentence documents.
            # SOP needs two segments of one document: one-sentence chunks
            # give nothing.
            if chunk and (len(chunk) >= 2 or (len(document) == 1 and not sop)):
                a_end = rng.randint(1, len(chunk) - 1) if len(chunk) >= 2 else 1
                a = [t for s in chunk[:a_end] for t in s]
                b = []
                is_random = not sop and len(documents) > 1 and (
                    len(chunk) == 1 or rng.random() < random_next_prob)
                swapped = False
                if is_random:
                    b_target = max(target - len(a), 1)
                    other = index
                    while other == index:
                        other = rng.randrange(len(documents))
                    start = rng.randrange(len(documents[other]))
                    for s in documents[other][start:]:
                        b.extend(s)
                        if len(b) >= b_target:
                            break
                    # The unused sentences of this chunk go back in the pool.
                    i -= len(chunk) - a_end
                else:
                    b = [t for s in chunk[a_end:] for t in s]
                    # ALBERT's sentence order: the true continuation, in
                    # or out of order (google-research/albert).
                    swapped = sop and rng.random() < 0.5
                if a and b:
                    _truncate_pair(a, b, max_tokens, rng)
                    if swapped:
                        a, b = b, a
                    yield a, b, int(is_random or swapped)
            chunk, length = [], 0
            target = max_tokens
            if rng.random() < short_seq_prob:
                target = rng.randint(2, max_tokens)
        i += 1


def full_sentence_blocks(documents, seq_length, doc_separator):
    """RoBERTa's FULL-SENTENCES inputs: `(tokens, [], 0)` blocks of whole
    sentences, each filling up to `seq_length - 2` tokens (`<s>`, `</s>`
    are added by the packer), crossing document boundaries with
    `doc_separator` between documents (Liu et al. 2019, section 4.2). A
    sentence longer than a block is cut into block-sized pieces.

    >>> full_sentence_blocks([[[5, 6], [7]], [[8, 9, 10]]], 7, doc_separator=2)
    [([5, 6, 7, 2], [], 0), ([8, 9, 10], [], 0)]
    """
    max_tokens = seq_length - 2
    blocks, block = [], []

    def close():
        if block and block != [doc_separator]:
            blocks.append((list(block), [], 0))
        block.clear()

    for d, document in enumerate(documents):
        if d and block:
            if len(block) + 1 > max_tokens:
                close()
            else:
                block.append(doc_separator)
        for sentence in document:
            for start in range(0, len(sentence), max_tokens):
                piece = sentence[start:start + max_tokens]
                if len(block) + len(piece) > max_tokens:
                    close()
                block.extend(piece)
    close()
    return blocks


def sentence_pairs(documents, seq_length, short_seq_prob=0.1, seed=None,
                   dupe_factor=1, random_next_prob=0.5, sentence_task="nsp",
                   doc_separator=None):
    """All examples of one pass (`dupe_factor` passes) over the documents,
    shuffled: sentence pairs for `"nsp"`/`"sop"`, full-sentence blocks
    (one segment) when `sentence_task` is None."""
    if sentence_task not in SENTENCE_TASKS:
        raise InputError(f"unknown sentence task {sentence_task!r}; choose from "
                         f"{SENTENCE_TASKS}")
    rng = random.Random(seed)
    pairs = []
    for _ in range(dupe_factor):
        if sentence_task is None:
            pairs.extend(full_sentence_blocks(documents, seq_length, doc_separator))
            continue
        for index in range(len(documents)):
            pairs.extend(pairs_from_document(
                documents, index, seq_length, short_seq_prob, rng, random_next_prob,
                sentence_task))
    rng.shuffle(pairs)
    return pairs


# -- 3. packing and masking -----------------------------------------------
class PretrainingMasker:
    """Batches of `(tokens_a, tokens_b, next_sentence_label)` to the
    `(features, labels, sample_weights)` that `BertPretrainer` trains on.

    `features`: `token_ids` (masked), `segment_ids`, `padding_mask`,
    `mask_positions` `[batch, max_predictions_per_seq]`; `labels`:
    `{"mlm": original ids at those positions, "nsp": 0/1}`;
    `sample_weights`: `{"mlm": 1 for real predictions, 0 for padding,
    "nsp": 1}`. The sentence label is named after `sentence_task`
    (`"sop"` for ALBERT); with `sentence_task=None` only `tokens_a` is
    packed and there is no sentence label (RoBERTa).

    `special_ids` (a tokenizer's `special_tokens_dict()`) and
    `packer_class` are for tokenizers other than WordPiece; `for_tokenizer`
    fills them in.

    Example:
    >>> import tensorflow as tf
    >>> masker = PretrainingMasker(vocab=["[PAD]", "[UNK]", "[CLS]", "[SEP]",
    ...     "[MASK]"] + [f"w{i}" for i in range(20)], seq_length=12,
    ...     max_predictions_per_seq=3)
    >>> x, y, w = masker(tf.ragged.constant([[5, 6, 7]]),
    ...                  tf.ragged.constant([[8, 9]]), tf.constant([0]))
    >>> x["token_ids"].shape, x["mask_positions"].shape, y["mlm"].shape
    (TensorShape([1, 12]), TensorShape([1, 3]), TensorShape([1, 3]))
    """

    def __init__(self, vocab, seq_length=128, max_predictions_per_seq=20,
                 masked_lm_prob=0.15, mask_token_rate=0.8, random_token_rate=0.1,
                 whole_word_masking=False, sentence_task="nsp", special_ids=None,
                 packer_class=BertPacker):
        vocab = list(vocab)
        if special_ids is None:
            ids = {t: i for i, t in enumerate(vocab)}
            for token in ("[PAD]", "[CLS]", "[SEP]", "[MASK]"):
                if token not in ids:
                    raise InputError(f"the vocabulary has no {token} token")
            special_ids = {"padding_id": ids["[PAD]"], "start_of_sequence_id": ids["[CLS]"],
                           "end_of_segment_id": ids["[SEP]"], "mask_id": ids["[MASK]"]}
        pad, cls, sep = (special_ids[k] for k in (
            "padding_id", "start_of_sequence_id", "end_of_segment_id"))
        self.seq_length = seq_length
        self.max_predictions_per_seq = max_predictions_per_seq
        self.whole_word_masking = whole_word_masking
        self.sentence_task = sentence_task
        self.packer = packer_class(seq_length, start_id=cls, sep_id=sep, pad_id=pad)
        self.generator = MaskedLMMaskGenerator(
            vocabulary_size=len(vocab), mask_selection_rate=masked_lm_prob,
            mask_token_id=special_ids["mask_id"], mask_selection_length=max_predictions_per_seq,
            unselectable_token_ids=[pad, cls, sep],
            mask_token_rate=mask_token_rate, random_token_rate=random_token_rate)
        # For whole words: which ids continue the previous word (##piece).
        self._continues_word = tf.constant([t.startswith("##") for t in vocab])

    @classmethod
    def for_tokenizer(cls, tokenizer, seq_length=128, max_predictions_per_seq=20,
                      masked_lm_prob=0.15, **kwargs):
        """The masker for any tokenizer of the family: its vocabulary,
        special ids and packing (`packer_class`, RoBERTa's for BPE)."""
        from bert_keras.tokenization.tokenizer import BertTokenizer

        if kwargs.get("whole_word_masking") and not isinstance(tokenizer, BertTokenizer):
            # Words are found by WordPiece's "##" continuations; SentencePiece
            # and BPE mark word starts instead (not implemented).
            raise InputError("whole-word masking is implemented for WordPiece "
                             "vocabularies only, not for SentencePiece or BPE")
        return cls(tokenizer.get_vocabulary(), seq_length, max_predictions_per_seq,
                   masked_lm_prob, special_ids=tokenizer.special_tokens_dict(),
                   packer_class=getattr(tokenizer, "packer_class", BertPacker), **kwargs)

    def __call__(self, tokens_a, tokens_b, next_sentence_label):
        segments = (tokens_a, tokens_b) if self.sentence_task else (tokens_a,)
        packed = self.packer(segments)
        if self.whole_word_masking:
            masked = self._mask_whole_words(packed["token_ids"], packed["padding_mask"])
        else:
            masked = self.generator(packed["token_ids"])
        features = {
            "token_ids": tf.cast(masked["token_ids"], tf.int32),
            "segment_ids": packed["segment_ids"],
            "padding_mask": packed["padding_mask"],
            "mask_positions": tf.cast(masked["mask_positions"], tf.int32),
        }
        labels = {"mlm": tf.cast(masked["mask_ids"], tf.int32)}
        weights = {"mlm": tf.cast(masked["mask_weights"], tf.float32)}
        if self.sentence_task:
            task = self.sentence_task
            labels[task] = tf.cast(next_sentence_label, tf.int32)
            weights[task] = tf.ones_like(labels[task], tf.float32)
        return features, labels, weights

    def _mask_whole_words(self, token_ids, padding_mask):
        """Selects whole words (a piece and its `##` continuations) with
        tensorflow-text's item selector on `[batch, (words), (pieces)]`."""
        self.generator._maybe_initialize_tf()
        lengths = tf.reduce_sum(padding_mask, axis=1)
        pieces = tf.RaggedTensor.from_tensor(token_ids, lengths=lengths)
        flat = pieces.flat_values
        row_starts = tf.scatter_nd(
            tf.expand_dims(pieces.row_starts(), 1),
            tf.ones_like(pieces.row_starts(), tf.bool), tf.shape(flat, out_type=tf.int64))
        starts_word = tf.logical_or(
            tf.logical_not(tf.gather(self._continues_word, flat)), row_starts)
        words = tf.RaggedTensor.from_row_starts(flat, tf.where(starts_word)[:, 0])
        words_per_row = tf.math.segment_sum(
            tf.cast(starts_word, tf.int64), pieces.value_rowids())
        words = tf.RaggedTensor.from_row_lengths(words, words_per_row)
        masked_ids, positions, original = tf_text.mask_language_model(
            words, item_selector=self.generator._random_selector,
            mask_values_chooser=self.generator._mask_values_chooser)
        # A selected word may have more pieces than are left: cut at the cap.
        n = self.max_predictions_per_seq
        shape = tf.cast([-1, n], tf.int64)
        weights = tf.ones_like(positions, tf.float32)
        width = tf.shape(token_ids)[1]
        return {
            # tensorflow-text returns the ids merged back to [batch, (pieces)].
            "token_ids": masked_ids.to_tensor(
                default_value=self.packer.pad_id, shape=tf.stack([-1, width])),
            "mask_positions": positions.to_tensor(shape=shape),
            "mask_ids": original.to_tensor(shape=shape),
            "mask_weights": weights.to_tensor(shape=shape),
        }


def _pairs_dataset(pairs):
    a = tf.ragged.constant([p[0] for p in pairs], dtype=tf.int32, ragged_rank=1)
    b = tf.ragged.constant([p[1] for p in pairs], dtype=tf.int32, ragged_rank=1)
    labels = tf.constant([p[2] for p in pairs], tf.int32)
    return tf.data.Dataset.from_tensor_slices((a, b, labels))


def pretraining_dataset(documents, tokenizer, batch_size=32, seq_length=128,
                        max_predictions_per_seq=20, masked_lm_prob=0.15,
                        short_seq_prob=0.1, whole_word_masking=False, seed=None,
                        repeat=True, drop_remainder=True, sentence_task="nsp"):
    """A `tf.data.Dataset` of pretraining batches from documents of
    sentences (see `read_documents`). With `repeat`, every pass builds new
    sentence pairs and new masks. `sentence_task`: the family's (`"nsp"`,
    `"sop"`, or None for RoBERTa's full-sentence blocks).

    Example:
    >>> from bert_keras import BertTokenizer
    >>> tok = BertTokenizer(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
    ...                      "a", "b", "c", "."])
    >>> docs = [["a b c .", "c b a ."], ["b b a .", "a a ."], ["c c c ."]]
    >>> ds = pretraining_dataset(docs, tok, batch_size=2, seq_length=16,
    ...                          max_predictions_per_seq=4, seed=0)
    >>> x, y, w = next(iter(ds))
    >>> sorted(x), sorted(y)
    (['mask_positions', 'padding_mask', 'segment_ids', 'token_ids'], ['mlm', 'nsp'])
    """
    docs = tokenize_documents(documents, tokenizer)
    if not docs:
        raise InputError("the corpus has no text to pretrain on")
    masker = PretrainingMasker.for_tokenizer(
        tokenizer, seq_length, max_predictions_per_seq, masked_lm_prob,
        whole_word_masking=whole_word_masking, sentence_task=sentence_task)
    separator = tokenizer.special_tokens_dict()["end_of_segment_id"]
    first = sentence_pairs(docs, seq_length, short_seq_prob, seed,
                           sentence_task=sentence_task, doc_separator=separator)
    if not first:
        raise InputError(
            "the corpus gave no sentence pairs: documents need at least two "
            "sentences (one a line) or there must be several documents")
    size = len(first)

    def pairs_of_pass(pass_index):
        if pass_index == 0:
            return first
        pass_seed = None if seed is None else seed + pass_index
        return sentence_pairs(docs, seq_length, short_seq_prob, pass_seed,
                              sentence_task=sentence_task, doc_separator=separator)

    def generate():
        passes = itertools.count() if repeat else range(1)
        for p in passes:
            for a, b, label in pairs_of_pass(p):
                yield np.asarray(a, np.int32), np.asarray(b, np.int32), np.int32(label)

    ds = tf.data.Dataset.from_generator(generate, output_signature=(
        tf.TensorSpec([None], tf.int32), tf.TensorSpec([None], tf.int32),
        tf.TensorSpec([], tf.int32)))
    ds = ds.ragged_batch(batch_size, drop_remainder=drop_remainder)
    ds = ds.map(masker, num_parallel_calls=tf.data.AUTOTUNE)
    ds = ds.prefetch(tf.data.AUTOTUNE)
    ds.num_pairs = size  # examples in one pass (for progress and reports)
    return ds


# -- TFRecord shards ------------------------------------------------------
DATA_INFO = "pretraining_data.json"
_FEATURES = ("token_ids", "segment_ids", "padding_mask", "mask_positions")


def _int_feature(values):
    return tf.train.Feature(int64_list=tf.train.Int64List(value=list(values)))


def write_tfrecords(documents, tokenizer, out_dir, num_shards=1, seq_length=128,
                    max_predictions_per_seq=20, masked_lm_prob=0.15, short_seq_prob=0.1,
                    whole_word_masking=False, dupe_factor=1, seed=12345, progress=None,
                    sentence_task="nsp", model_type="bert", tokenizer_settings=None,
                    tokenizer_files=None):
    """Writes masked pretraining examples to `out_dir/pretrain-XXXXX-of-YYYYY.tfrecord`
    with the tokenizer's files (`vocab.txt`, or `tokenizer_files`: name ->
    path, e.g. `spiece.model`) and `pretraining_data.json` (lengths,
    casing, model type, sentence task, tokenizer settings), into a
    temporary sibling directory renamed when complete. Each pass
    of `dupe_factor` masks the text differently (the masks of one shard
    set are fixed: static masking). Returns the shard paths and the number
    of examples."""
    docs = tokenize_documents(documents, tokenizer)
    masker = PretrainingMasker.for_tokenizer(
        tokenizer, seq_length, max_predictions_per_seq, masked_lm_prob,
        whole_word_masking=whole_word_masking, sentence_task=sentence_task)
    pairs = sentence_pairs(docs, seq_length, short_seq_prob, seed, dupe_factor,
                           sentence_task=sentence_task,
                           doc_separator=tokenizer.special_tokens_dict()["end_of_segment_id"])
    if not pairs:
        raise InputError("the corpus gave no sentence pairs")
    out_dir = os.path.abspath(out_dir)
    with atomic_output_dir(out_dir, hint="choose a new directory") as tmp:
        names = [f"pretrain-{i:05d}-of-{num_shards:05d}.tfrecord" for i in range(num_shards)]
        writers = [tf.io.TFRecordWriter(os.path.join(tmp, n)) for n in names]
        tf.random.set_seed(seed)
        count = 0
        for x, y, w in _pairs_dataset(pairs).batch(256).map(masker):
            x = {k: v.numpy() for k, v in x.items()}
            mlm, weights = y["mlm"].numpy(), w["mlm"].numpy()
            nsp = (y[sentence_task].numpy() if sentence_task
                   else np.zeros(len(mlm), np.int64))
            for i in range(len(nsp)):
                feature = {k: _int_feature(x[k][i]) for k in _FEATURES}
                feature["mask_ids"] = _int_feature(mlm[i])
                feature["mask_weights"] = tf.train.Feature(
                    float_list=tf.train.FloatList(value=weights[i]))
                feature["next_sentence_label"] = _int_feature([nsp[i]])
                example = tf.train.Example(features=tf.train.Features(feature=feature))
                writers[count % num_shards].write(example.SerializeToString())
                count += 1
            if progress:
                progress(count, len(pairs))
        for w_ in writers:
            w_.close()
        # What a reader needs to parse and tokenize consistently.
        if tokenizer_files:
            for name, src in tokenizer_files.items():
                shutil.copyfile(src, os.path.join(tmp, name))
        else:
            save_vocab(tokenizer.get_vocabulary(), os.path.join(tmp, "vocab.txt"))
        info = {"seq_length": seq_length, "num_examples": count,
                "max_predictions_per_seq": max_predictions_per_seq,
                "lowercase": bool(getattr(tokenizer, "lowercase", False)),
                "whole_word_masking": whole_word_masking,
                "model_type": model_type, "sentence_task": sentence_task}
        if tokenizer_settings is not None:
            info["tokenizer"] = tokenizer_settings
        with open(os.path.join(tmp, DATA_INFO), "w", encoding="utf-8") as f:
            json.dump(info, f, indent=1)
    return [os.path.join(out_dir, n) for n in names], count


def tfrecords_info(paths):
    """The `pretraining_data.json` beside shards (empty dict if none)."""

    for path in expand_paths(paths):
        info = os.path.join(os.path.dirname(path), DATA_INFO)
        if os.path.isfile(info):
            return read_json(info)
    return {}


def read_tfrecords(paths, batch_size=32, seq_length=128, max_predictions_per_seq=20,
                   shuffle=True, repeat=True, seed=None, drop_remainder=True,
                   sentence_task="nsp"):
    """Batches `(features, labels, sample_weights)` from shards written by
    `write_tfrecords` (a directory, glob or list of files); the sentence
    label is named `sentence_task` (none when it is None)."""
    files = [f for f in expand_paths(paths) if f.endswith(".tfrecord")]
    if not files:
        raise MissingFileError(f"no .tfrecord shards in {paths}")
    n = max_predictions_per_seq
    spec = {k: tf.io.FixedLenFeature([seq_length], tf.int64)
            for k in ("token_ids", "segment_ids", "padding_mask")}
    spec.update({
        "mask_positions": tf.io.FixedLenFeature([n], tf.int64),
        "mask_ids": tf.io.FixedLenFeature([n], tf.int64),
        "mask_weights": tf.io.FixedLenFeature([n], tf.float32),
        "next_sentence_label": tf.io.FixedLenFeature([1], tf.int64),
    })

    def parse(record):
        e = tf.io.parse_single_example(record, spec)
        x = {k: tf.cast(e[k], tf.int32) for k in _FEATURES}
        y = {"mlm": tf.cast(e["mask_ids"], tf.int32)}
        w = {"mlm": e["mask_weights"]}
        if sentence_task:
            y[sentence_task] = tf.cast(e["next_sentence_label"][0], tf.int32)
            w[sentence_task] = tf.constant(1.0)
        return x, y, w

    ds = tf.data.TFRecordDataset(files)
    if shuffle:
        ds = ds.shuffle(10000, seed=seed)
    if repeat:
        ds = ds.repeat()
    ds = ds.map(parse, num_parallel_calls=tf.data.AUTOTUNE)
    return ds.batch(batch_size, drop_remainder=drop_remainder).prefetch(tf.data.AUTOTUNE)
