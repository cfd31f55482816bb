"""Issue 10, acceptance 3: the TF Hub Chinese collection's first example,
`encoder(preprocess(['你好']))`, on an `albert_tiny`-shaped Chinese model
(hidden 312, BERT's Chinese WordPiece vocabulary) exported with
`--dynamic-length`, in a fresh process that imports only tensorflow,
tensorflow_text and tensorflow_hub.

The encoder is the zoo's `albert_tiny` configuration (factorized
embedding 128 -> 312, 4 layers sharing one block) with random weights and
the vocabulary cut to the BERT Chinese one.
"""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from bert_keras.cli.main import main

hub = pytest.importorskip("tensorflow_hub")

CONSUMER = r"""
import json, sys
import tensorflow as tf
import tensorflow_hub as hub
import tensorflow_text  # noqa: F401  (registers the ops)

preprocess = hub.load(sys.argv[1] + "/preprocess")
encoder = hub.load(sys.argv[1] + "/encoder")
inputs = preprocess(tf.constant(["你好"]))
outputs = encoder(inputs)
pair = preprocess(tf.constant(["你好", "今天天气很好"]))
packed = preprocess.bert_pack_inputs([preprocess.tokenize(tf.constant(["你好"]))],
                                     seq_length=tf.constant(8))
print(json.dumps({
    "input_word_ids": inputs["input_word_ids"].numpy().tolist(),
    "sequence_output": list(outputs["sequence_output"].shape),
    "pooled_output": list(outputs["pooled_output"].shape),
    "batch_of_two": list(pair["input_word_ids"].shape),
    "bert_pack_inputs": list(packed["input_word_ids"].shape),
    "pooled": outputs["pooled_output"].numpy().tolist(),
    "modules": sorted(m for m in ("bert_keras", "keras_hub") if m in sys.modules),
}))
"""


def _albert_tiny_shaped_model(vocab_file):
    import dataclasses

    from bert_keras.checkpoints.zoo import ZOO
    from bert_keras.training.scratch import random_model_dir
    from bert_keras.tokenization.vocab import load_vocab

    vocab = load_vocab(vocab_file)
    config = dataclasses.replace(ZOO["albert_tiny"].config, vocab_size=len(vocab))
    assert config.model_type == "albert" and config.hidden_size == 312
    return random_model_dir(config, vocab, lowercase=True, seed=0)


def test_seed_example_with_dynamic_length(chinese_vocab, tmp_path, capsys):
    from bert_keras.checkpoints.model_dir import save_model_dir
    from bert_keras.tokenization import BertPreprocessor, BertTokenizer

    model_dir = save_model_dir(_albert_tiny_shaped_model(chinese_vocab), str(tmp_path / "model"))
    out = tmp_path / "hub"
    assert main(["export", model_dir, str(out), "--dynamic-length"]) == 0
    assert "padded to the longest input" in capsys.readouterr().err  # progress: stderr
    card = (out / "README.md").read_text(encoding="utf-8")
    assert "n the longest input of the batch (at most 128" in card

    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run([sys.executable, "-c", CONSUMER, str(out)], capture_output=True,
                            text=True, cwd=str(tmp_path), env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    got = json.loads(result.stdout.strip().splitlines()[-1])

    vocab = BertTokenizer(chinese_vocab)
    cls, ni, hao, sep = (vocab.token_to_id(t) for t in ("[CLS]", "你", "好", "[SEP]"))
    assert got["input_word_ids"] == [[cls, ni, hao, sep]]
    assert got["sequence_output"] == [1, 4, 312]
    assert got["pooled_output"] == [1, 312]
    assert got["batch_of_two"] == [2, 8]        # [CLS] + 6 characters + [SEP]
    assert got["bert_pack_inputs"] == [1, 8]    # an explicit length is kept
    assert got["modules"] == []                 # bert_keras is not needed

    # The same numbers as the Keras model.
    from bert_keras.checkpoints.convert import load_model_dir
    from bert_keras.models.factory import build_encoder

    model = load_model_dir(model_dir)
    inputs = BertPreprocessor(BertTokenizer(chinese_vocab), sequence_length=4)(["你好"])
    want = np.asarray(build_encoder(model)(inputs, training=False)["pooled_output"])
    np.testing.assert_allclose(got["pooled"], want, atol=1e-4)


def test_fixed_length_stays_the_default(tmp_path):
    from bert_keras.export.hub_preprocess import build_preprocess_module
    from bert_keras.tokenization import BertTokenizer
    from tests.conftest import TINY_VOCAB

    import tensorflow as tf

    tokenizer = BertTokenizer(list(TINY_VOCAB))
    vocab_file = tmp_path / "vocab.txt"
    vocab_file.write_text("\n".join(TINY_VOCAB) + "\n", encoding="utf-8")
    for dynamic, want in ((False, (2, 16)), (True, (2, 4))):
        module, _ = build_preprocess_module(tokenizer, 16, str(vocab_file),
                                            dynamic_length=dynamic)
        out = module.__call__(tf.constant(["hello world", "the"]))
        assert tuple(out["input_word_ids"].shape) == want
        empty = module.__call__(tf.constant([], tf.string))
        assert tuple(empty["input_word_ids"].shape) == ((0, 0) if dynamic else (0, 16))
