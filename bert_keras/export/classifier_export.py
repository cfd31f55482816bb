"""A fine-tuned classifier as ONE serving SavedModel: raw strings (or string
pairs) in, probabilities and the predicted label out.

    serving_default(text [batch] string)                       single-sentence task
    serving_default(text [batch] string, text_b [batch] string) sentence-pair task
      -> probabilities float32 [batch, classes], label_id int32 [batch],
         label string [batch] (names when the task has them, else ids)
      -> score float32 [batch]                                  regression

    $ python -c "import tensorflow as tf, tensorflow_text; \\
        f = tf.saved_model.load('OUT').signatures['serving_default']; \\
        print(f(text=tf.constant(['a gripping film'])))"

The tokenizer is in the graph (tf-text ops: loaders must
`import tensorflow_text` first, and `saved_model_cli` cannot run it; TF
Serving has the ops built in), and sequences are padded only to the
longest in a chunk, capped at the task's `sequence_length`. A request is
run `CHUNK_SIZE` texts at a time, so a batch of thousands of texts needs
the memory of one chunk, not of the whole batch. Inputs must be 1-D string
batches: any other rank fails with InvalidArgument
(`text_must_be_a_1D_batch_of_strings`), never flattened. Each weight is
stored once.

    >>> from bert_keras.export.classifier_export import export_classifier
    >>> export_classifier("out/sst2", "serving/sst2")  # doctest: +SKIP
"""

import numpy as np
import tensorflow as tf

from bert_keras.export.hub_preprocess import string_batch
from bert_keras.export.serving_graph import graph_variables
from bert_keras.utils.atomic_dir import atomic_output_dir
from bert_keras.errors import ExportCheckError

# Texts per step of the serving loop: big enough to keep the matmuls
# efficient, small enough that attention activations stay in the hundreds
# of MB for 512-token BERT-Base inputs.
CHUNK_SIZE = 64


class ClassifierServer(tf.Module):
    """Tokenizer + packer + classifier behind one `tf.function`."""

    def __init__(self, model, preprocessor, task, chunk_size=CHUNK_SIZE):
        super().__init__(name="bert_classifier")
        # The Keras model is deliberately not tracked: its Keras variables
        # would be saved beside the tf.Variables listed below, storing every
        # weight twice. Only the tf.Variables the graph captures are saved
        # (and restored, also by TF1 loaders like saved_model_cli).
        object.__setattr__(self, "_model", model)
        self.chunk_size = int(chunk_size)
        self.model_variables = graph_variables(model)
        self.tokenizer = preprocessor.tokenizer  # tracked: its tables/constants
        self._preprocessor = preprocessor
        self.regression = task.regression
        self.num_classes = int(task.num_classes)
        names = task.display_labels or [str(i) for i in range(task.num_classes)]
        self.label_names = tf.constant([str(n) for n in names])
        text = tf.TensorSpec([None], tf.string, name="text")
        if task.pair:
            text_b = tf.TensorSpec([None], tf.string, name="text_b")
            self.serve = tf.function(
                lambda text, text_b: self._chunked(
                    (string_batch(text, "text"), string_batch(text_b, "text_b"))),
                input_signature=[text, text_b], autograph=False)
        else:
            self.serve = tf.function(lambda text: self._chunked((string_batch(text, "text"),)),
                                     input_signature=[text], autograph=False)
        # autograph=False: the graph has no data-dependent Python control
        # flow, and autograph's rewriting of zero-argument super() calls in
        # the layers it converts is fragile.

    def _chunked(self, columns):
        """Runs `_outputs` on `chunk_size` texts at a time (sequentially, so
        only one chunk's activations are alive) and concatenates."""
        n = tf.shape(columns[0])[0]
        if len(columns) == 2:
            same = tf.debugging.assert_equal(
                n, tf.shape(columns[1])[0], message="text and text_b must have the same length")
            with tf.control_dependencies([same]):
                n = tf.identity(n)
        size = self.chunk_size
        chunks = (n + size - 1) // size
        padded = [tf.reshape(tf.concat([c, tf.fill([chunks * size - n], "")], 0), [-1, size])
                  for c in columns]
        spec = ({"score": tf.TensorSpec([size], tf.float32)} if self.regression else
                {"probabilities": tf.TensorSpec([size, self.num_classes], tf.float32),
                 "label_id": tf.TensorSpec([size], tf.int32),
                 "label": tf.TensorSpec([size], tf.string)})
        out = tf.map_fn(lambda row: self._outputs(row[0] if len(row) == 1 else tuple(row)),
                        tuple(padded), fn_output_signature=spec, parallel_iterations=1)
        return {k: tf.reshape(v, tf.concat([[-1], tf.shape(v)[2:]], 0))[:n]
                for k, v in out.items()}

    def _outputs(self, texts):
        logits = tf.cast(self._model(self._preprocessor(texts), training=False), tf.float32)
        if self.regression:
            return {"score": tf.reshape(logits, [-1])}
        label_id = tf.argmax(logits, axis=-1, output_type=tf.int32)
        return {"probabilities": tf.nn.softmax(logits, axis=-1), "label_id": label_id,
                "label": tf.gather(self.label_names, label_id)}


def export_classifier(src, out, overwrite=False, verify=True):
    """Exports the fine-tuned classifier directory `src` to `out` (written
    beside the target, renamed into place when complete and verified)."""
    import tensorflow_text  # noqa: F401  (registers the ops the graph uses)

    from bert_keras.tasks.classifier import load_classifier, predict

    model, preprocessor, task = load_classifier(src)
    with atomic_output_dir(out, overwrite) as tmp:
        server = ClassifierServer(model, preprocessor, task)
        tf.saved_model.save(server, tmp, signatures={"serving_default": server.serve})
        if verify:
            _verify(tmp, model, preprocessor, task, predict)
    return out


def _verify(path, model, preprocessor, task, predict):
    """The reloaded SavedModel must agree with the Keras classifier."""
    a = ["a good movie .", "it was not what i hoped for , sadly", "ok"]
    b = ["the film was fine .", "bad", "a much longer second segment that goes on"]
    serving = tf.saved_model.load(path).signatures["serving_default"]
    args = {"text": tf.constant(a)}
    if task.pair:
        args["text_b"] = tf.constant(b)
    got = serving(**args)
    want = predict(model, preprocessor, task, a, b if task.pair else None)
    if task.regression:
        expected = np.array([w["score"] for w in want])
        actual = got["score"].numpy()
    else:
        expected = np.array([w["probabilities"] for w in want])
        actual = got["probabilities"].numpy()
    if not np.allclose(actual, expected, atol=1e-4):
        raise ExportCheckError(f"exported classifier disagrees with the Keras model: "
                           f"max |diff| {np.abs(actual - expected).max():.2e}")
