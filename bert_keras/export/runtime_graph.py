"""The graph every non-TensorFlow runtime gets: int32 token ids in, float
outputs out, with no tokenizer and no Python (a `tf.Module` whose one
signature converters read: ONNX, OpenVINO, LiteRT).

    encoder:     input_word_ids, input_mask, input_type_ids  int32 [batch, seq]
                 -> pooled_output [batch, H], sequence_output [batch, seq, H],
                    embedding [batch, H] (masked mean of sequence_output,
                    L2-normalized: sentence-transformers' encode(...,
                    normalize_embeddings=True))
    classifier:  the same inputs -> logits, probabilities [batch, classes]
                 (regression: score [batch])

    >>> from bert_keras.export.runtime_graph import load_export_source, RuntimeGraph
    >>> source = load_export_source("minilm-l6-h384-uncased")   # doctest: +SKIP
    >>> graph = RuntimeGraph(source)                            # doctest: +SKIP
    >>> sorted(graph.reference(["hello world"]))                # doctest: +SKIP
    ['embedding', 'pooled_output', 'sequence_output']
"""

import dataclasses

import numpy as np
import tensorflow as tf

INPUT_KEYS = ("input_word_ids", "input_mask", "input_type_ids")


@dataclasses.dataclass
class ExportSource:
    """What an export needs of a model directory."""
    kind: str              # "encoder" or "classifier"
    model: object          # BertEncoder, or the Keras classifier
    model_dir: object      # the BertModelDir (vocab, tokenizer settings, config)
    tokenizer: object      # bert_keras.BertTokenizer
    task: object = None    # classifier `bert_keras.data.tasks.Task`
    name: str = ""


def load_export_source(src):
    """An `ExportSource` for a model directory, built-in name or checkpoint:
    a fine-tuned classifier (with a `task` entry) or a plain encoder."""
    from bert_keras.checkpoints.builtin import BUILTIN
    from bert_keras.checkpoints.convert import load_model_dir
    from bert_keras.models.factory import build_encoder
    from bert_keras.tokenization.factory import build_tokenizer

    md = load_model_dir(src)
    name = src if isinstance(src, str) and src in BUILTIN else (md.source or md.path or str(src))
    if md.task and "classifier" in md.heads:
        from bert_keras.tasks.classifier import load_classifier

        model, preprocessor, task = load_classifier(src)
        return ExportSource("classifier", model, md, preprocessor.tokenizer, task, name)
    return ExportSource("encoder", build_encoder(md), md, build_tokenizer(md), None, name)


def _inputs_spec():
    return [tf.TensorSpec([None, None], tf.int32, name=k) for k in INPUT_KEYS]


def mean_embedding(sequence_output, input_mask):
    """Masked mean over tokens, L2-normalized (`expand_dims`, not `[..., None]`:
    a new-axis strided slice has no LiteRT builtin kernel)."""
    mask = tf.expand_dims(tf.cast(input_mask, sequence_output.dtype), -1)
    summed = tf.reduce_sum(sequence_output * mask, axis=1)
    count = tf.maximum(tf.reduce_sum(mask, axis=1), 1e-9)
    return tf.math.l2_normalize(summed / count, axis=-1, epsilon=1e-12)


class RuntimeGraph(tf.Module):
    """The model behind one `serve` signature with int32 inputs."""

    def __init__(self, source):
        super().__init__(name="bert_runtime")
        self.kind = source.kind
        self.model = source.model
        # The tf.Variables behind the Keras 3 variables, tracked so
        # `tf.saved_model.save` stores them.
        seen, self.model_variables = set(), []
        for v in source.model.variables:
            v = getattr(v, "value", v)
            if id(v) not in seen:
                seen.add(id(v))
                self.model_variables.append(v)
        self.regression = bool(source.task and source.task.regression)
        self.serve = tf.function(self._outputs, input_signature=_inputs_spec(), autograph=False)

    def _outputs(self, input_word_ids, input_mask, input_type_ids):
        inputs = {"token_ids": input_word_ids, "padding_mask": input_mask,
                  "segment_ids": input_type_ids}
        if self.kind == "encoder":
            out = self.model(inputs, training=False)
            sequence = tf.cast(out["sequence_output"], tf.float32)
            return {"pooled_output": tf.cast(out["pooled_output"], tf.float32),
                    "sequence_output": sequence,
                    "embedding": mean_embedding(sequence, input_mask)}
        logits = tf.cast(self.model(inputs, training=False), tf.float32)
        if self.regression:
            return {"score": tf.reshape(logits, [-1])}
        return {"logits": logits, "probabilities": tf.nn.softmax(logits, axis=-1)}

    def concrete_function(self):
        return self.serve.get_concrete_function()

    def save(self, path):
        """A SavedModel with the `serving_default` signature."""
        tf.saved_model.save(self, path, signatures={"serving_default": self.concrete_function()})
        return path

    def __call__(self, inputs):
        """numpy int32 inputs -> dict of numpy outputs (the reference)."""
        out = self.serve(**{k: tf.constant(inputs[k], tf.int32) for k in INPUT_KEYS})
        return {k: v.numpy() for k, v in out.items()}


def max_differences(got, want):
    """Per-output max |got - want| over the outputs both have."""
    return {k: float(np.max(np.abs(np.asarray(got[k], np.float32) - want[k])))
            if np.size(want[k]) else 0.0 for k in want if k in got}
