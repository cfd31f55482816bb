"""What a TF Hub user writes: load the exported preprocess and encoder
SavedModels with tensorflow_hub and run two sentences. It imports only
tensorflow, tensorflow_text and tensorflow_hub: bert_keras is not needed.

    python scripts/hub_consumer.py out/tfhub/minilm
"""

import sys
import warnings

# tensorflow_hub 0.16 still imports the deprecated pkg_resources.
warnings.filterwarnings("ignore", message="pkg_resources is deprecated")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tensorflow_hub as hub  # noqa: E402
import tensorflow_text  # noqa: F401,E402  (registers the ops the preprocess model uses)


def cosine(a, b):
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def main(export_dir, sentences):
    preprocess = hub.load(f"{export_dir}/preprocess")
    encoder = hub.load(f"{export_dir}/encoder")
    inputs = preprocess(tf.constant(sentences))
    outputs = encoder(inputs)                      # training=False: no dropout

    print("preprocess(sentences):")
    for key in sorted(inputs):
        print(f"  {key:15s} {inputs[key].dtype.name} {inputs[key].shape}")
    tokens = preprocess.tokenize(tf.constant(sentences[:1]))
    print(f"  tokenize({sentences[0]!r}) = {tokens.to_list()[0]}")
    length = int(tf.reduce_sum(inputs["input_mask"][0]))
    print(f"  input_word_ids[0][:{length}] = {inputs['input_word_ids'][0, :length].numpy().tolist()}")
    special = {k: int(v) for k, v in preprocess.tokenize.get_special_tokens_dict().items()}
    print(f"  special tokens: {special}")

    print("encoder(inputs):")
    print(f"  pooled_output   {outputs['pooled_output'].shape}")
    print(f"  sequence_output {outputs['sequence_output'].shape}")
    print(f"  encoder_outputs {len(outputs['encoder_outputs'])} x "
          f"{outputs['encoder_outputs'][0].shape}")
    print(f"  trainable variables: {len(encoder.trainable_variables)}, "
          f"do_lower_case: {bool(encoder.do_lower_case.numpy())}")
    pooled = outputs["pooled_output"].numpy()
    for sentence, vector in zip(sentences, pooled):
        print(f"  {sentence!r}: pooled_output[:4] = {[round(float(v), 4) for v in vector[:4]]}")

    # Mean of the token vectors over real tokens: the sentence embedding
    # all-MiniLM-L6-v2 was trained to produce.
    mask = inputs["input_mask"].numpy()[..., None].astype("float32")
    mean = (outputs["sequence_output"].numpy() * mask).sum(1) / mask.sum(1)
    print(f"cosine similarity, pooled_output:          {cosine(*pooled[:2]):.4f}")
    print(f"cosine similarity, mean of sequence_output: {cosine(*mean[:2]):.4f}")
    train = encoder(inputs, training=True)["pooled_output"].numpy()
    print(f"training=True changes pooled_output by up to {np.abs(train - pooled).max():.4f} (dropout)")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "out/tfhub/minilm",
         sys.argv[2:] or ["The movie was wonderful.", "I did not enjoy the film at all."])
