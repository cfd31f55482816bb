"""Converts the embedded default model and embeds two sentences."""

import os

import numpy as np

import bert_keras

OUT = os.path.join("out", "minilm")
if not os.path.exists(os.path.join(OUT, "bert_keras.json")):
    bert_keras.convert(bert_keras.DEFAULT_MODEL, OUT, overwrite=True)
encoder = bert_keras.BertEncoder.from_pretrained(OUT)
preprocessor = bert_keras.BertPreprocessor.from_pretrained(OUT, sequence_length=32)
sentences = ["The movie was wonderful.", "I did not enjoy the film at all."]
out = encoder(preprocessor(sentences))
pooled = np.asarray(out["pooled_output"])
for s, v in zip(sentences, pooled):
    print(f"{s!r}: pooled_output[:5] = {np.round(v[:5], 4).tolist()}")
print("cosine similarity:", float(pooled[0] @ pooled[1] / np.linalg.norm(pooled[0]) / np.linalg.norm(pooled[1])))
