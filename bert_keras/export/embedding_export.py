"""A sentence embedder as ONE serving SavedModel: raw strings in, sentence
embeddings out, tokenizer included.

    serving_default(text: string [batch]) -> {"embedding": float32 [batch, H]}
    OUT/assets.extra/embedder.json: pooling, normalize, sequence_length, dimension

    import tensorflow as tf, tensorflow_text  # tensorflow_text registers the tokenizer ops
    model = tf.saved_model.load("OUT")
    model.signatures["serving_default"](text=tf.constant(["A man is playing a guitar."]))

Consumers need only TensorFlow and `import tensorflow_text` (the tokenizer's
ops). Each request is padded to its longest text, at most the embedder's
`sequence_length` (longer texts are truncated, as sentence-transformers does).

    >>> from bert_keras.export.embedding_export import export_embedder
    >>> export_embedder("minilm-l6-h384-uncased", "serving/minilm-embed")  # doctest: +SKIP
"""

import json
import os

import numpy as np
import tensorflow as tf

from bert_keras.errors import ExportCheckError
from bert_keras.export.serving_graph import graph_variables
from bert_keras.utils.atomic_dir import atomic_output_dir, check_output_dir

# The reloaded SavedModel must give the Keras embedder's vectors.
VERIFY_ATOL = 1e-5
VERIFY_TEXTS = ["A man is playing a guitar.", "", "ok",
                "The quick brown fox jumps over the lazy dog, again and again."]


class EmbeddingServer(tf.Module):
    """Tokenizer + packer + encoder + pooling behind one `tf.function`."""

    def __init__(self, embedder):
        super().__init__(name="bert_text_embedder")
        self._embedder = embedder
        # The tf.Variables behind the Keras 3 variables, listed so the
        # SavedModel saves and restores them (TF1 loaders included).
        self.model_variables = graph_variables(embedder.encoder)
        self.tokenizer = embedder.tokenizer  # tracked: its tables and constants
        self.serve = tf.function(
            lambda text: {"embedding": embedder.embed_strings(text)},
            input_signature=[tf.TensorSpec([None], tf.string, name="text")],
            autograph=False)


def export_embedder(src, out, overwrite=False, verify=True, sequence_length=None,
                    normalize=None, pooling=None):
    """Exports the embedder of `src` (model directory, built-in name or
    checkpoint; settings as `TextEmbedder.from_pretrained`) to `out`,
    written beside the target and renamed into place once verified.
    Returns `out`. The entry for an `export-serving --task embed`."""
    import tensorflow_text  # noqa: F401  (registers the ops the graph uses)

    from bert_keras.tasks.text_embedder import TextEmbedder

    check_output_dir(out, overwrite)  # fail before the slow work
    embedder = TextEmbedder.from_pretrained(src, sequence_length=sequence_length,
                                            pooling=pooling, normalize=normalize)
    with atomic_output_dir(out, overwrite) as tmp:
        server = EmbeddingServer(embedder)
        tf.saved_model.save(server, tmp, signatures={"serving_default": server.serve})
        extra = os.path.join(tmp, "assets.extra")
        os.makedirs(extra, exist_ok=True)
        with open(os.path.join(extra, "embedder.json"), "w", encoding="utf-8") as f:
            json.dump({"pooling": embedder.pooling.mode, "normalize": embedder.normalize,
                       "sequence_length": embedder.sequence_length,
                       "dimension": embedder.dimension, "source": str(src)}, f, indent=2)
        if verify:
            error = max_difference(tmp, embedder)
            if not error <= VERIFY_ATOL:
                raise ExportCheckError(f"exported embedder differs from the Keras model by "
                                       f"{error:.3g} (tolerance {VERIFY_ATOL}); nothing was written")
    return out


def max_difference(path, embedder, texts=VERIFY_TEXTS):
    """Largest |exported - Keras| over the embeddings of `texts`."""
    serving = tf.saved_model.load(path).signatures["serving_default"]
    got = serving(text=tf.constant(texts))["embedding"].numpy()
    return float(np.abs(got - embedder.embed(texts)).max())
