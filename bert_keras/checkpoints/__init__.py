"""Checkpoints in and out: this package's model directory, and converters
from Hugging Face, Google TF1 and keras-hub checkpoints."""

from bert_keras.checkpoints.convert import convert, load_model_dir
from bert_keras.checkpoints.model_dir import BertModelDir, save_model_dir
