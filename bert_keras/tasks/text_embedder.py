"""`TextEmbedder`: texts to sentence embeddings, as sentence-transformers
computes them (Transformer -> Pooling -> Normalize).

A sentence-transformers checkpoint says how it pools in its own files
(`modules.json`, `1_Pooling/config.json`, `sentence_bert_config.json`);
`from_pretrained` reads them when they are there, so the embedded MiniLM
(all-MiniLM-L6-v2) gets mean pooling, L2 normalization and
`max_seq_length` 256, exactly as `SentenceTransformer.encode(...,
normalize_embeddings=True)`. Other BERTs get mean pooling, normalization and
their full length (at most 512).

Texts are embedded in chunks of `batch_size * 32`: each chunk is tokenized
in one call, sorted by length and cut into batches padded only to their
longest text (most of the speed on real text), and put back in input order.
Memory stays bounded by the chunk, whatever the number of texts.
"""

import json
import os

import numpy as np
import tensorflow as tf

from bert_keras.checkpoints.convert import load_model_dir
from bert_keras.models.factory import build_encoder
from bert_keras.tokenization.factory import build_tokenizer
from bert_keras.errors import InputError, InputTypeError
from bert_keras.layers.sentence_pooling import SentencePooling
from bert_keras.tokenization.packer import BertPacker

# Batches per chunk: enough to sort lengths usefully, small enough to bound
# the memory of one chunk's token ids.
CHUNK_BATCHES = 32
DEFAULT_MAX_LENGTH = 512


class TextEmbedder:
    """Texts in, one float32 vector per text out.

    Args:
        encoder: a `bert_keras.BertEncoder`.
        tokenizer: its `bert_keras.BertTokenizer`.
        sequence_length: longest input in tokens, `[CLS]` and `[SEP]`
            included; longer texts are truncated (as sentence-transformers'
            `max_seq_length`).
        pooling: `"mean"` (masked mean of `sequence_output`) or `"cls"`.
        normalize: L2-normalize the vectors (cosine similarity becomes a dot
            product).
        batch_size: texts per encoder call.

    Example:
    >>> import bert_keras
    >>> embedder = bert_keras.TextEmbedder.from_pretrained("minilm-l6-h384-uncased")
    >>> vectors = embedder.embed(["A man is playing a guitar.",
    ...                          "Someone plays the guitar.", "The stock market fell."])
    >>> vectors.shape
    (3, 384)
    >>> bool(vectors[0] @ vectors[1] > vectors[0] @ vectors[2])
    True
    """

    def __init__(self, encoder, tokenizer, sequence_length=256, pooling="mean",
                 normalize=True, batch_size=32):
        if batch_size < 1:
            raise InputError(f"batch_size must be at least 1, got {batch_size}")
        max_positions = encoder.config.max_position_embeddings
        if not 3 <= sequence_length <= max_positions:
            raise InputError(f"sequence_length must be between 3 and the model's "
                             f"max_position_embeddings ({max_positions}), got {sequence_length}")
        self.encoder = encoder
        self.tokenizer = tokenizer
        self.sequence_length = int(sequence_length)
        self.pooling = SentencePooling(pooling, normalize)
        self.batch_size = int(batch_size)
        ids = tokenizer.special_tokens_dict()
        self.packer = BertPacker(self.sequence_length, ids["start_of_sequence_id"],
                                 ids["end_of_segment_id"], ids["padding_id"],
                                 dynamic_length=True)
        ragged = tf.RaggedTensorSpec([None, None], tf.int32, ragged_rank=1,
                                     row_splits_dtype=tf.int64)
        self._tokenize = tf.function(
            lambda texts: tokenizer.tokenize(texts).with_row_splits_dtype(tf.int64),
            input_signature=[tf.TensorSpec([None], tf.string)])
        self._embed_ids = tf.function(self.embed_token_ids, input_signature=[ragged])

    @property
    def dimension(self):
        return self.encoder.config.hidden_size

    @property
    def normalize(self):
        return self.pooling.normalize

    @classmethod
    def from_pretrained(cls, src, sequence_length=None, pooling=None, normalize=None,
                        batch_size=32, dtype=None):
        """The embedder of a model directory, built-in name or checkpoint.
        Settings left `None` come from the checkpoint's sentence-transformers
        files when it has them (see `sentence_transformers_settings`)."""
        model = load_model_dir(src)
        settings = sentence_transformers_settings(
            _candidate_dirs(src, model), model.config.max_position_embeddings)
        return cls(build_encoder(model, dtype=dtype), build_tokenizer(model),
                   sequence_length=sequence_length or settings["sequence_length"],
                   pooling=pooling or settings["pooling"],
                   normalize=settings["normalize"] if normalize is None else normalize,
                   batch_size=batch_size)

    def embed_token_ids(self, token_ids):
        """Ragged WordPiece ids `[batch, (tokens)]` -> `[batch, H]` float32
        (graph-friendly: the export modules call this inside tf.function)."""
        inputs = self.packer(token_ids)
        outputs = self.encoder(inputs, training=False)
        return self.pooling(outputs["sequence_output"], inputs["padding_mask"])

    def embed_strings(self, texts):
        """A string tensor `[batch]` -> `[batch, H]`, tokenization included,
        one graph (no sorting): what the serving export runs."""
        return self.embed_token_ids(self.tokenizer.tokenize(texts))

    def __call__(self, texts):
        return self.embed(texts)

    def embed(self, texts, batch_size=None, progress=None):
        """A list of strings -> float32 array `[len(texts), H]` (a single
        string -> `[H]`). `progress(done)` is called after each batch."""
        if isinstance(texts, str):
            return self.embed([texts], batch_size)[0]
        texts = _check_texts(texts)
        chunks = list(self.iter_embed(texts, batch_size, progress))
        if not chunks:
            return np.zeros((0, self.dimension), np.float32)
        return np.concatenate(chunks)

    def iter_embed(self, texts, batch_size=None, progress=None):
        """Yields the embeddings of consecutive chunks of `texts` (any
        iterable of strings), in input order; for inputs too big to hold."""
        batch_size = int(batch_size or self.batch_size)
        chunk, done = [], 0
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                raise InputTypeError(f"text {i} is a {type(text).__name__}, not a string")
            chunk.append(text)
            if len(chunk) == batch_size * CHUNK_BATCHES:
                yield self._embed_chunk(chunk, batch_size, done, progress)
                done += len(chunk)
                chunk = []
        if chunk:
            yield self._embed_chunk(chunk, batch_size, done, progress)

    def _embed_chunk(self, texts, batch_size, done, progress):
        tokens = self._tokenize(tf.constant(texts))
        # Sort by length so each batch pads to about its own length.
        order = np.argsort(tokens.row_lengths().numpy(), kind="stable")
        out = np.empty((len(texts), self.dimension), np.float32)
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            out[idx] = self._embed_ids(tf.gather(tokens, idx)).numpy()
            if progress is not None:
                progress(done + start + len(idx))
        return out


def _check_texts(texts):
    if isinstance(texts, np.ndarray):
        texts = texts.tolist()
    texts = list(texts)
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise InputTypeError(f"text {i} is a {type(t).__name__}, not a string")
    return texts


def _candidate_dirs(src, model):
    """Where a sentence-transformers config may be: the directory given,
    the built-in checkpoint behind a name, the source a model was converted
    from."""
    from bert_keras.checkpoints.builtin import BUILTIN, resolve_builtin

    dirs = []
    if isinstance(src, (str, os.PathLike)):
        src = os.fspath(src)
        dirs.append(resolve_builtin(src) if src in BUILTIN else src)
    if model.source:
        dirs.append(model.source)
    return [d for d in dirs if os.path.isdir(d)]


def sentence_transformers_settings(dirs, max_position_embeddings):
    """`{"sequence_length", "pooling", "normalize"}` from the first of
    `dirs` that holds a sentence-transformers `modules.json`; the defaults
    (mean, normalized, full length up to 512) when none does."""
    for d in dirs:
        modules_file = os.path.join(d, "modules.json")
        if not os.path.isfile(modules_file):
            continue
        modules = _read_json(modules_file)
        types = [m.get("type", "").rsplit(".", 1)[-1] for m in modules]
        settings = {"normalize": "Normalize" in types, "pooling": "mean",
                    "sequence_length": min(DEFAULT_MAX_LENGTH, max_position_embeddings)}
        pooling = next((m for m in modules if m.get("type", "").endswith(".Pooling")), None)
        if pooling is not None:
            config_file = os.path.join(d, pooling.get("path", ""), "config.json")
            if os.path.isfile(config_file):
                settings["pooling"] = _pooling_mode(_read_json(config_file), config_file)
        bert_config = os.path.join(d, "sentence_bert_config.json")
        if os.path.isfile(bert_config):
            length = _read_json(bert_config).get("max_seq_length")
            if length:
                settings["sequence_length"] = min(int(length), max_position_embeddings)
        return settings
    return {"normalize": True, "pooling": "mean",
            "sequence_length": min(DEFAULT_MAX_LENGTH, max_position_embeddings)}


def _pooling_mode(config, path):
    if config.get("pooling_mode_mean_tokens"):
        return "mean"
    if config.get("pooling_mode_cls_token"):
        return "cls"
    used = [k for k, v in config.items() if k.startswith("pooling_mode") and v]
    raise InputError(f"{path}: pooling {used} is not supported (only mean and cls tokens); "
                     "pass pooling='mean' or 'cls' to override")


def _read_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except json.JSONDecodeError as e:
        raise InputError(f"{path}:{e.lineno}: not valid JSON ({e.msg})") from None
