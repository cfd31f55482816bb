"""pretrain(): a short run on a WikiText slice learns (MLM loss falls),
writes a model directory, and resumes after an interruption."""

import json
import os

import keras
import pytest

from bert_keras.training.pretrain import pretrain
from tests.conftest import shared_path

SMALL = dict(hidden_size=64, num_heads=2, intermediate_size=128, num_layers=2)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The first 15 articles of WikiText-2 valid, in the BERT layout."""
    from bert_keras.data.pretraining import read_documents

    docs = read_documents([shared_path("corpus", "wikitext-2", "valid.txt")])[:15]
    path = tmp_path_factory.mktemp("corpus") / "wiki.txt"
    path.write_text("".join("\n".join(d) + "\n\n" for d in docs), encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def vocab(tmp_path_factory, corpus):
    """A small WordPiece vocabulary trained once on the slice."""
    from bert_keras.data.pretraining import read_documents
    from bert_keras.tokenization.vocab import save_vocab, train_vocab

    docs = read_documents([corpus])
    tokens = train_vocab([s.replace("[UNK]", " ") for d in docs for s in d], 1500)
    path = str(tmp_path_factory.mktemp("vocab") / "vocab.txt")
    save_vocab(tokens, path)
    return path


def test_short_run_learns(tmp_path, corpus, vocab):
    out = str(tmp_path / "model")
    result = pretrain([corpus], out, vocab=vocab, steps=300, batch_size=16, seq_length=64,
                      max_predictions_per_seq=10, learning_rate=2e-3,
                      checkpoint_every=50, config_overrides=SMALL, verbose=0, log=None)
    h = result["history"]
    assert result["steps"] == 300 and len(h["mlm_loss"]) == 6
    # From ln(1500) = 7.3 at the start, the tiny model learns word frequencies
    # and some context within a few hundred steps.
    assert h["mlm_loss"][-1] < h["mlm_loss"][0] - 0.4
    assert h["mlm_loss"][-1] < 6.1
    assert h["mlm_accuracy"][-1] > 0.02  # chance is 1/1500
    meta = json.load(open(os.path.join(out, "bert_keras.json")))
    assert meta["heads"] == ["mlm", "nsp"] and meta["config"]["hidden_size"] == 64
    # The big checkpoint is removed after success; the run's settings stay.
    assert sorted(os.listdir(os.path.join(out, "training"))) == ["run.json", "state.json",
                                                                 "vocab.txt"]


class _Interrupt(keras.callbacks.Callback):
    """Simulates Ctrl-C when the third checkpoint interval starts."""

    def on_train_batch_begin(self, batch, logs=None):
        if int(self.model.optimizer.iterations.numpy()) == 20:
            raise KeyboardInterrupt


class _StartIteration(keras.callbacks.Callback):
    """The optimizer's step count when this run's training starts."""

    iterations = None

    def on_train_begin(self, logs=None):
        if self.iterations is None:
            self.iterations = int(self.model.optimizer.iterations.numpy())


def test_interrupted_run_resumes(tmp_path, corpus, vocab):
    out = str(tmp_path / "model")
    args = dict(vocab=vocab, steps=40, batch_size=4, seq_length=32,
                max_predictions_per_seq=5, checkpoint_every=10, config_overrides=SMALL,
                verbose=0, log=None)
    with pytest.raises(KeyboardInterrupt):
        pretrain([corpus], out, callbacks=[_Interrupt()], **args)
    state = os.path.join(out, "training")
    assert not os.path.exists(os.path.join(out, "bert_keras.json"))  # no model yet
    assert {"vocab.txt", "run.json", "checkpoint.npz"} <= set(os.listdir(state))
    start = _StartIteration()
    result = pretrain([corpus], out, callbacks=[start], **args)
    assert result["initial_step"] == 20 and start.iterations == 20  # optimizer restored
    assert len(result["history"]["loss"]) == 2  # only the remaining two intervals ran
    assert os.path.isfile(os.path.join(out, "model.safetensors"))
    # A resumed run must use the same settings as the checkpoints' run.
    other = str(tmp_path / "other")
    os.makedirs(os.path.join(other, "training"))
    with open(os.path.join(other, "training", "run.json"), "w") as f:
        json.dump({"settings": {"batch_size": 8}}, f)
    with pytest.raises(ValueError, match="other settings.*batch_size: 8 in the stored run, 4 now"):
        pretrain([corpus], other, **args)
