"""Google TF1-format ALBERT and ELECTRA checkpoints, written with the
original variable names from the golden HF models' weights, convert to the
same numbers as Hugging Face computes; ELECTRA releases have no config file,
so they convert by zoo name (`convert NAME OUT --from DIR`)."""

import dataclasses
import json
import os

import numpy as np
import pytest

import bert_keras
from bert_keras.checkpoints import zoo
from bert_keras.cli.main import main as cli_main
from tests.models.family_fixtures import inputs_of, load_golden
from tests.reference.tf1_checkpoint import write_tf1_checkpoint
from tests.reference.tf1_families import albert_tf1, electra_tf1

TOL = 1e-5


def _google_config(hf):
    keys = ("vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads",
            "intermediate_size", "max_position_embeddings", "type_vocab_size",
            "embedding_size", "num_hidden_groups", "inner_group_num",
            "hidden_dropout_prob", "attention_probs_dropout_prob")
    # Google's "gelu" is the tanh form, which is HF's "gelu_new".
    return dict({k: hf[k] for k in keys if k in hf}, hidden_act="gelu")


def _check(out, golden):
    got = bert_keras.BertEncoder.from_pretrained(out)(inputs_of(golden))
    mask = golden["attention_mask"].astype(bool)
    seq = np.asarray(got["sequence_output"])
    assert np.abs(seq[mask] - golden["sequence_output"][mask]).max() <= TOL
    assert np.abs(np.asarray(got["pooled_output"]) - golden["pooled_output"]).max() <= TOL


@pytest.mark.parametrize("family", ["albert", "albert_groups"])
def test_albert_tf1_matches_hugging_face(family, tmp_path):
    golden = load_golden(family)
    hf = golden["config"]
    weights = albert_tf1(golden["state"], hf["num_hidden_groups"], hf["inner_group_num"])
    src = write_tf1_checkpoint(str(tmp_path / "albert_uncased"), _google_config(hf), weights,
                               optimizer_slots=False, prefix="model.ckpt-best")
    os.rename(os.path.join(src, "bert_config.json"), os.path.join(src, "albert_config.json"))
    model = bert_keras.convert(src, str(tmp_path / "out"))
    assert model.config.model_type == "albert" and model.config.hidden_act == "gelu_tanh"
    _check(str(tmp_path / "out"), golden)


def _electra_release(tmp_path, golden, extra=None):
    """An ELECTRA release directory: checkpoint with generator variables, no config."""
    hf = golden["config"]
    weights = electra_tf1(golden["state"], hf["num_hidden_layers"])
    weights["generator/embeddings_project/kernel"] = np.zeros((16, 8), "float32")
    weights["discriminator_predictions/dense/kernel"] = np.zeros((32, 32), "float32")
    weights.update(extra or {})
    src = write_tf1_checkpoint(str(tmp_path / "electra_release"),
                               {"vocab_size": hf["vocab_size"]}, weights,
                               optimizer_slots=False, prefix="electra_small")
    os.remove(os.path.join(src, "bert_config.json"))
    return src, hf


def test_electra_release_converts_by_zoo_name(tmp_path, monkeypatch, capsys):
    golden = load_golden("electra")
    src, hf = _electra_release(tmp_path, golden)
    # Without a name there is no config to read.
    assert cli_main(["convert", src, str(tmp_path / "o1")]) == 2
    assert "convert NAME OUT --from DIR" in capsys.readouterr().err
    # A zoo entry of this tiny shape (the real ones are far bigger).
    config = bert_keras.BertConfig.from_hf_json(hf)
    entry = dataclasses.replace(zoo.ZOO["electra_small"], config=config)
    monkeypatch.setitem(zoo.ZOO, "electra_small", entry)
    assert cli_main(["convert", "electra_small", str(tmp_path / "out"), "--from", src]) == 0
    assert "model_type=electra" in capsys.readouterr().out
    _check(str(tmp_path / "out"), golden)


def test_named_shape_mismatch_is_a_clear_error(tmp_path, capsys):
    golden = load_golden("electra")
    src, _ = _electra_release(tmp_path, golden)
    # The real electra_small config does not fit these tiny tensors.
    assert cli_main(["convert", "electra_small", str(tmp_path / "o"), "--from", src]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "electra/embeddings/word_embeddings" in err
    assert not (tmp_path / "o").exists()


def test_hf_dir_checked_against_the_named_shape(tmp_path, capsys):
    from tests.models.family_fixtures import write_hf_dir

    src = write_hf_dir(tmp_path / "hf", load_golden("albert"))
    assert cli_main(["convert", "albert_base", str(tmp_path / "o"), "--from", src]) == 2
    err = capsys.readouterr().err
    assert "is not a albert_base" in err and "hidden_size=32 (expected 768)" in err
    assert not (tmp_path / "o").exists()


def test_unexpected_tf1_variable_named(tmp_path):
    golden = load_golden("electra")
    src, hf = _electra_release(tmp_path, golden, extra={
        "electra/encoder/layer_0/attention/self/rotary/kernel": np.zeros((2, 2), "float32")})
    config = bert_keras.BertConfig.from_hf_json(hf)
    from bert_keras.checkpoints.google_tf1 import read_google_tf1
    with pytest.raises(ValueError, match="unexpected tensors.*rotary"):
        read_google_tf1(src, config=config)


def test_download_is_explicit_and_fails_offline(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert cli_main(["convert", "roberta_base", str(tmp_path / "o"), "--download"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err
    assert "FacebookAI/roberta-base" in err and "--from DIR" in err
    assert not (tmp_path / "o").exists()


def test_models_command_lists_the_zoo(capsys):
    assert cli_main(["models"]) == 0
    out = capsys.readouterr().out
    for name in ("tiny", "large", "bert_12_768_12", "bert_24_1024_16", "albert_tiny",
                 "albert_xlarge", "electra_small", "electra_base", "roberta_base",
                 "chinese_roberta_wwm_ext", "minilm-l6-h384-uncased"):
        assert f"\n{name} " in out
    assert "109.5M" in out  # BERT-Base, computed from the layout
    assert json.dumps(bert_keras.BertConfig.preset("bert_12_768_12").to_dict())
