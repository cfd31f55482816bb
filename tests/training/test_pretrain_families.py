"""Pretraining ALBERT (masked LM + sentence order, SentencePiece) and
RoBERTa (masked LM on full-sentence blocks, byte-level BPE) on the one
`pretrain` path: the loss falls within a few seconds of training on
Google's sample text, the model directory has the family's heads and
tokenizer files, its MLM head loads back unchanged, other commands take
it, and ELECTRA is refused with the reason."""

import json
import os

import numpy as np
import pytest

from bert_keras.cli.main import main
from tests.conftest import shared_path
from tests.pretrain_families import CONFIGS, TOKENIZERS, family_vocab


@pytest.fixture(scope="module", params=["albert", "roberta"])
def pretrained(request, tmp_path_factory):
    from bert_keras.training.pretrain import pretrain

    family = request.param
    corpus = shared_path("corpus", "sample_text.txt")
    out = str(tmp_path_factory.mktemp(family) / "model")
    result = pretrain([corpus], out, config=CONFIGS[family], vocab=family_vocab(family),
                      steps=40, batch_size=8, seq_length=64, max_predictions_per_seq=10,
                      learning_rate=3e-3, warmup_steps=4, checkpoint_every=20,
                      verbose=0, log=None)
    return family, out, result


def test_loss_falls(pretrained):
    family, _, result = pretrained
    h = result["history"]
    assert len(h["mlm_loss"]) == 2
    # From about ln(vocab) (10.3 for 30k pieces, 10.8 for 50k BPE tokens):
    # 40 steps learn the frequent tokens of the text.
    assert h["mlm_loss"][-1] < h["mlm_loss"][0] - 0.5, h
    if family == "albert":
        assert {"sop_loss", "sop_accuracy"} <= set(h) and "nsp_loss" not in h
    else:
        assert not any(k.startswith(("nsp", "sop")) for k in h)


def test_model_dir_has_the_family_heads_and_tokenizer(pretrained):
    family, out, _ = pretrained
    meta = json.load(open(os.path.join(out, "bert_keras.json")))
    assert meta["config"]["model_type"] == family
    assert meta["heads"] == (["mlm", "nsp"] if family == "albert" else ["mlm"])
    assert meta["tokenizer"]["type"] == ("sentencepiece" if family == "albert" else "bpe")
    files = sorted(set(os.listdir(out)) - {"bert_keras.json", "model.safetensors", "training"})
    assert files == TOKENIZERS[family][1]
    vocab_size = {"albert": 30000, "roberta": 50265}[family]
    assert meta["config"]["vocab_size"] == vocab_size
    from safetensors.numpy import load_file

    weights = load_file(os.path.join(out, "model.safetensors"))
    assert weights["mlm/output_bias"].shape == (vocab_size,)
    assert ("nsp/kernel" in weights) == (family == "albert")  # ALBERT's sop_classifier


def test_mlm_head_loads_back(pretrained):
    """Round trip: the saved heads rebuild the trained model's logits."""
    from bert_keras.checkpoints.convert import load_model_dir
    from bert_keras.heads.pretrained import build_mlm_head
    from bert_keras.tokenization.factory import build_tokenizer
    from bert_keras.tasks.pretrainer import BertPretrainer
    from bert_keras.tokenization import BertPreprocessor

    family, out, result = pretrained
    model_dir = load_model_dir(out)
    reloaded = BertPretrainer.from_pretrained(out)
    trained = result["model"]
    for a, b in zip(trained.mlm_head.weights, reloaded.mlm_head.weights):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    features = dict(BertPreprocessor(build_tokenizer(model_dir), 16)(
        ["the man went to the store ."]))
    features = {k: np.asarray(v) for k, v in features.items()}
    features["mask_positions"] = np.array([[2, 3]], "int32")
    want = np.asarray(trained(features)["mlm"])
    np.testing.assert_allclose(np.asarray(reloaded(features)["mlm"]), want, atol=1e-5)
    # The MLM head of the loaders (fill-mask's) too.
    from bert_keras.models.factory import build_encoder

    encoder = build_encoder(model_dir)
    head = build_mlm_head(model_dir, encoder)
    sequence = encoder({k: features[k] for k in ("token_ids", "segment_ids", "padding_mask")})
    got = head(sequence["sequence_output"], mask_positions=features["mask_positions"])
    np.testing.assert_allclose(np.asarray(got), want, atol=1e-5)


def test_other_commands_take_it(pretrained, tmp_path):
    """convert re-reads it; finetune trains a classifier on it."""
    family, out, _ = pretrained
    assert main(["convert", out, str(tmp_path / "copy")]) == 0
    train = tmp_path / "train.tsv"
    train.write_text("sentence\tlabel\n" + "the man went to the store .\t1\n"
                     "he bought a gallon of milk .\t0\n" * 4)
    ft = tmp_path / "sst2"
    assert main(["finetune", out, "--task", "sst2", "--train", str(train), "--dev", str(train),
                 "--out", str(ft), "--epochs", "1", "--batch-size", "4",
                 "--max-seq-length", "16", "--no-tensorboard"]) == 0
    meta = json.loads((ft / "bert_keras.json").read_text())
    assert meta["config"]["model_type"] == family and "classifier" in meta["heads"]


@pytest.mark.parametrize("command", ["pretrain", "create-pretraining-data"])
def test_electra_is_refused_naming_why(command, tmp_path, capsys):
    corpus = shared_path("corpus", "sample_text.txt")
    out = tmp_path / "out"
    args = [command, "--corpus", corpus, "--out", str(out), "--config", "electra_small"]
    if command == "create-pretraining-data":
        args += ["--vocab-size", "100"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "replaced-token detection" in err and "generator" in err
    assert not out.exists()


def test_family_tokenizer_is_required(tmp_path, capsys):
    corpus = shared_path("corpus", "sample_text.txt")
    config = tmp_path / "roberta.json"
    config.write_text(json.dumps(CONFIGS["roberta"]))
    assert main(["pretrain", "--corpus", corpus, "--out", str(tmp_path / "o"),
                 "--config", str(config), "--steps", "1"]) == 2
    assert "byte-level BPE files (--vocab" in capsys.readouterr().err
    albert_model = family_vocab("albert")
    assert main(["pretrain", "--corpus", corpus, "--out", str(tmp_path / "o2"),
                 "--config", str(config), "--vocab", albert_model, "--steps", "1"]) == 2
    assert "a roberta model pretrains with bpe" in capsys.readouterr().err


@pytest.mark.parametrize("family", ["albert", "roberta"])
def test_shards_then_pretrain_cli(family, tmp_path, capsys):
    """create-pretraining-data with the family's tokenizer and config, then
    pretrain from the shards (static masks), from the command line."""
    corpus = shared_path("corpus", "sample_text.txt")
    config = tmp_path / "config.json"
    config.write_text(json.dumps(CONFIGS[family]))
    shards = tmp_path / "shards"
    assert main(["create-pretraining-data", "--corpus", corpus, "--out", str(shards),
                 "--config", str(config), "--vocab", family_vocab(family),
                 "--seq-length", "32", "--max-predictions-per-seq", "5"]) == 0
    info = json.loads((shards / "pretraining_data.json").read_text())
    assert info["model_type"] == family
    assert info["sentence_task"] == ("sop" if family == "albert" else None)
    assert set(TOKENIZERS[family][1]) <= set(os.listdir(shards))
    capsys.readouterr()
    out = tmp_path / "model"
    assert main(["pretrain", "--corpus", str(shards), "--out", str(out), "--config",
                 str(config), "--steps", "2", "--batch-size", "4", "--checkpoint-every", "2",
                 "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "mlm_loss=" in printed and ("sop_accuracy=" in printed) == (family == "albert")
    assert sorted(set(os.listdir(out)) & set(TOKENIZERS[family][1])) == TOKENIZERS[family][1]
    # Shards of one family are not pretraining data for another.
    assert main(["pretrain", "--corpus", str(shards), "--out", str(tmp_path / "bert"),
                 "--config", "tiny", "--steps", "1"]) == 2
    assert "the shards were made for " + family in capsys.readouterr().err


def test_continue_pretraining_from_the_model_dir(pretrained, tmp_path):
    """--init-from: the family's tokenizer files and heads carry over."""
    from safetensors.numpy import load_file

    from bert_keras.training.pretrain import pretrain

    family, out, _ = pretrained
    more = str(tmp_path / "more")
    result = pretrain([shared_path("corpus", "sample_text.txt")], more, init_from=out,
                      steps=1, batch_size=4, seq_length=32, max_predictions_per_seq=5,
                      learning_rate=1e-9, checkpoint_every=1, verbose=0, log=None)
    assert result["config"].model_type == family
    assert sorted(set(os.listdir(more)) & set(TOKENIZERS[family][1])) == TOKENIZERS[family][1]
    before, after = (load_file(os.path.join(d, "model.safetensors")) for d in (out, more))
    assert set(before) == set(after)
    # One step at a learning rate of 1e-9: the heads started from the saved ones.
    np.testing.assert_allclose(after["mlm/output_bias"], before["mlm/output_bias"], atol=1e-6)
