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

The WordPiece tokenizer is in the graph (tf-text ops: loaders must
`import tensorflow_text` first, and `saved_model_cli` cannot run it; TF
Serving has the ops built in), and sequences are
padded only to the longest in the request, capped at the task's
`sequence_length`.

    >>> from bert_keras.export.classifier_export import export_classifier
    >>> export_classifier("out/sst2", "serving/sst2")  # doctest: +SKIP
"""

import numpy as np
import tensorflow as tf

from bert_keras.utils.atomic_dir import atomic_output_dir
from bert_keras.errors import ExportCheckError


class ClassifierServer(tf.Module):
    """Tokenizer + packer + classifier behind one `tf.function`."""

    def __init__(self, model, preprocessor, task):
        super().__init__(name="bert_classifier")
        self.model = model
        # The tf.Variables behind the Keras 3 variables, listed so the
        # SavedModel's object graph (and TF1 loaders like saved_model_cli)
        # saves and restores them.
        seen = set()
        self.model_variables = []
        for v in model.variables:
            v = getattr(v, "value", v)
            if id(v) not in seen:
                seen.add(id(v))
                self.model_variables.append(v)
        self.tokenizer = preprocessor.tokenizer  # tracked: its tables/constants
        self._preprocessor = preprocessor
        self.regression = task.regression
        names = task.display_labels or [str(i) for i in range(task.num_classes)]
        self.label_names = tf.constant([str(n) for n in names])
        text = tf.TensorSpec([None], tf.string, name="text")
        if task.pair:
            text_b = tf.TensorSpec([None], tf.string, name="text_b")
            self.serve = tf.function(
                lambda text, text_b: self._outputs((text, text_b)),
                input_signature=[text, text_b], autograph=False)
        else:
            self.serve = tf.function(lambda text: self._outputs(text), input_signature=[text],
                                     autograph=False)
        # autograph=False: the graph has no data-dependent Python control
        # flow, and autograph's rewriting of zero-argument super() calls in
        # the layers it converts is fragile.

    def _outputs(self, texts):
        logits = tf.cast(self.model(self._preprocessor(texts), training=False), tf.float32)
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
