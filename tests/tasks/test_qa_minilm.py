"""Real-model check: the embedded MiniLM fine-tuned on 300 SQuAD questions
answers held-out questions far better than chance (non-trivial F1). Several
minutes on a CPU: runs with BERT_KERAS_SLOW_TESTS=1."""

import os

import pytest

from tests.tiny_qa import write_squad_slice

SLOW = os.environ.get("BERT_KERAS_SLOW_TESTS") == "1"


@pytest.mark.skipif(not SLOW, reason="slow MiniLM fine-tuning: set BERT_KERAS_SLOW_TESTS=1")
def test_minilm_on_300_questions_gives_non_trivial_f1(minilm_path, tmp_path):
    from bert_keras.training.finetune import FinetuneOptions, finetune

    train = write_squad_slice(tmp_path / "train.json", 300)
    dev = write_squad_slice(tmp_path / "dev.json", 100,
                            source=("SQuAD", "eval-split-v1.1.json"))
    result = finetune("minilm-l6-h384-uncased", "squad", train, dev, str(tmp_path / "out"),
                      FinetuneOptions(epochs=2, learning_rate=1e-4, batch_size=32,
                                      precision="bf16", tensorboard=False, verbose=0),
                      log=lambda m: None)
    metrics = result["best"]["metrics"]
    # An untrained span head scores F1 of a few points; 300 questions teach far more.
    assert metrics["f1"] > 20, metrics
