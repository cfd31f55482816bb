"""The encoder's `serving_default` signature, for TF Serving,
`saved_model_cli` and `keras.layers.TFSMLayer`.

Signatures take and return flat dicts of tensors (no lists), so the
per-layer `encoder_outputs` list becomes `encoder_outputs_0` ...
`encoder_outputs_{L-1}`; the names are semantic, not layer names
(tensorflow/hub#577).
"""

import tensorflow as tf

from bert_keras.export.hub_preprocess import INPUT_KEYS


def flat_outputs(outputs):
    flat = {
        "pooled_output": outputs["pooled_output"],
        "sequence_output": outputs["sequence_output"],
    }
    for i, x in enumerate(outputs["encoder_outputs"]):
        flat[f"encoder_outputs_{i}"] = x
    if "mlm_logits" in outputs:
        flat["mlm_logits"] = outputs["mlm_logits"]
    return flat


def serving_signature(call):
    """A concrete function with named int32 `[batch, seq]` inputs that runs
    `call(inputs, training=False)` and returns flat outputs."""

    @tf.function(input_signature=[
        tf.TensorSpec([None, None], tf.int32, name=k) for k in INPUT_KEYS])
    def serve(input_word_ids, input_mask, input_type_ids):
        inputs = {"input_word_ids": input_word_ids, "input_mask": input_mask,
                  "input_type_ids": input_type_ids}
        return flat_outputs(call(inputs, training=False))

    return serve.get_concrete_function()
