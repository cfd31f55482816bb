"""ALBERT, ELECTRA and RoBERTa encoders against Hugging Face: tiny
random-init models made by transformers (golden fixtures from
`scripts/make_golden_families.py`), converted from their HF directories.
Sequence and pooled outputs within 1e-5 (fp32), bf16 within its tolerance."""

import json

import keras
import numpy as np
import pytest

import bert_keras
from bert_keras.models import AlbertEncoder, ElectraEncoder, RobertaEncoder, make_encoder
from tests.models.family_fixtures import FAMILIES, inputs_of, load_golden, write_hf_dir

TOL = 1e-5
CLASSES = {"albert": AlbertEncoder, "albert_groups": AlbertEncoder,
           "electra": ElectraEncoder, "roberta": RobertaEncoder}


def _max_diff(a, b, mask=None):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if mask is not None:
        a, b = a[mask.astype(bool)], b[mask.astype(bool)]
    return float(np.abs(a - b).max())


@pytest.fixture(scope="module", params=FAMILIES)
def converted(request, tmp_path_factory):
    golden = load_golden(request.param)
    src = write_hf_dir(tmp_path_factory.mktemp("hf") / request.param, golden)
    out = str(tmp_path_factory.mktemp("ours") / request.param)
    bert_keras.convert(src, out)
    return request.param, golden, out


def test_matches_hugging_face(converted):
    family, golden, out = converted
    encoder = bert_keras.BertEncoder.from_pretrained(out)
    assert type(encoder) is CLASSES[family]
    got = encoder(inputs_of(golden))
    mask = golden["attention_mask"]
    assert _max_diff(got["sequence_output"], golden["sequence_output"], mask) <= TOL
    assert _max_diff(got["pooled_output"], golden["pooled_output"]) <= TOL
    assert len(got["encoder_outputs"]) == golden["config"]["num_hidden_layers"]
    np.testing.assert_array_equal(got["encoder_outputs"][-1], got["sequence_output"])


def test_bfloat16_within_tolerance(converted):
    _, golden, out = converted
    encoder = bert_keras.BertEncoder.from_pretrained(out, dtype="mixed_bfloat16")
    seq = keras.ops.convert_to_numpy(
        keras.ops.cast(encoder(inputs_of(golden))["sequence_output"], "float32"))
    mask = golden["attention_mask"].astype(bool)
    diff = np.abs(seq[mask] - golden["sequence_output"][mask])
    assert diff.max() < 0.15 and diff.mean() < 0.03


def test_model_dir_records_model_type(converted):
    family, golden, out = converted
    with open(f"{out}/bert_keras.json") as f:
        meta = json.load(f)
    assert meta["config"]["model_type"] == golden["config"]["model_type"]
    expected = "bpe" if family == "roberta" else "wordpiece"
    assert meta["tokenizer"]["type"] == expected
    if expected == "bpe":
        import os
        assert {"vocab.json", "merges.txt"} <= set(os.listdir(out))


def test_electra_pooled_output_is_the_cls_state():
    golden = load_golden("electra")
    config = bert_keras.BertConfig.from_hf_json(golden["config"])
    encoder = make_encoder(config)
    out = encoder(inputs_of(golden))
    np.testing.assert_array_equal(out["pooled_output"], out["sequence_output"][:, 0])
    assert encoder.pooled_dense is None


def test_albert_shares_blocks_across_layers():
    golden = load_golden("albert_groups")
    config = bert_keras.BertConfig.from_hf_json(golden["config"])
    encoder = make_encoder(config)
    assert len(encoder.transformer_layers) == 4  # 2 groups x 2 blocks, 4 layers
    schedule = [[b.name for b in blocks] for blocks in encoder._layer_schedule(config)]
    assert schedule == [["transformer_layer_0", "transformer_layer_1"]] * 2 + [
        ["transformer_layer_2", "transformer_layer_3"]] * 2
    single = make_encoder(bert_keras.BertConfig.preset("albert_tiny", vocab_size=50))
    per_block = sum(int(np.prod(w.shape)) for w in single.transformer_layers[0].weights)
    assert len(single.transformer_layers) == 1
    assert single.count_params() < 4 * per_block  # 4 layers, one set of weights


def test_roberta_positions_start_after_the_pad_id():
    golden = load_golden("roberta")
    config = bert_keras.BertConfig.from_hf_json(golden["config"])
    encoder = make_encoder(config)
    table = encoder.embeddings.position_embedding.position_embeddings
    # Zero every row except pad_id + 1: only the first real token changes.
    values = np.zeros(table.shape, "float32")
    # (not a constant row: LayerNorm would remove it)
    values[config.pad_token_id + 1] = np.random.default_rng(0).standard_normal(table.shape[1])
    table.assign(values)
    x = {"token_ids": np.array([[0, 5, 6, 1]]), "segment_ids": np.zeros((1, 4), "int32"),
         "padding_mask": np.array([[1, 1, 1, 0]])}
    emb = keras.ops.convert_to_numpy(encoder.embeddings(x["token_ids"], x["segment_ids"]))
    tokens = keras.ops.convert_to_numpy(encoder.embeddings.token_embedding(x["token_ids"]))
    segments = encoder.embeddings.segment_embedding(x["segment_ids"])
    shifted = encoder.embeddings.layer_norm(tokens + values[config.pad_token_id + 1] + segments)
    np.testing.assert_allclose(emb[0, 0], keras.ops.convert_to_numpy(shifted)[0, 0], atol=1e-6)
    assert not np.allclose(emb[0, 1], keras.ops.convert_to_numpy(shifted)[0, 1], atol=1e-3)


def test_keras_save_load_round_trip(tmp_path):
    config = bert_keras.BertConfig.preset("albert_tiny", vocab_size=50, num_layers=2)
    encoder = make_encoder(config)
    x = {"token_ids": np.array([[2, 7, 3]]), "segment_ids": np.zeros((1, 3), "int32"),
         "padding_mask": np.ones((1, 3), "int32")}
    encoder.save(str(tmp_path / "albert.keras"))
    clone = keras.models.load_model(str(tmp_path / "albert.keras"))
    assert type(clone) is AlbertEncoder
    np.testing.assert_allclose(clone(x)["sequence_output"], encoder(x)["sequence_output"],
                               atol=1e-6)


def test_wrong_class_for_config_refused():
    with pytest.raises(ValueError, match="make_encoder"):
        bert_keras.BertEncoder(bert_keras.BertConfig.preset("albert_tiny"))


@pytest.mark.parametrize("family", ["albert", "electra", "roberta"])
def test_live_against_transformers(family, tmp_path):
    """With torch installed: the HF model itself, loaded from the rebuilt dir."""
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    golden = load_golden(family)
    src = write_hf_dir(tmp_path / "hf", golden)
    model = transformers.AutoModel.from_pretrained(src).eval()
    with torch.no_grad():
        o = model(input_ids=torch.tensor(golden["input_ids"], dtype=torch.long),
                  token_type_ids=torch.tensor(golden["token_type_ids"], dtype=torch.long),
                  attention_mask=torch.tensor(golden["attention_mask"], dtype=torch.long))
    mask = golden["attention_mask"]
    ours = bert_keras.BertEncoder.from_pretrained(src)(inputs_of(golden))
    assert _max_diff(ours["sequence_output"], o.last_hidden_state.numpy(), mask) <= TOL


def test_albert_masked_lm_head(tmp_path):
    """AlbertForMaskedLM names (`albert.` prefix, `predictions.*`, tied
    decoder): the head reads H -> E, then the E-wide token table."""
    from bert_keras.checkpoints.convert import load_model_dir
    from bert_keras.heads.pretrained import build_mlm_head

    golden = load_golden("albert")
    config = golden["config"]
    e, h, v = config["embedding_size"], config["hidden_size"], config["vocab_size"]
    rng = np.random.default_rng(1)
    state = {f"albert.{k}": val for k, val in golden["state"].items()}
    head = {"predictions.dense.weight": rng.standard_normal((e, h)) / np.sqrt(h),
            "predictions.dense.bias": 0.1 * rng.standard_normal(e),
            "predictions.LayerNorm.weight": 1 + 0.2 * rng.standard_normal(e),
            "predictions.LayerNorm.bias": 0.1 * rng.standard_normal(e),
            "predictions.bias": 0.1 * rng.standard_normal(v)}
    head["predictions.decoder.bias"] = head["predictions.bias"]
    head["predictions.decoder.weight"] = golden["state"]["embeddings.word_embeddings.weight"]
    state.update({k: np.asarray(val, "float32") for k, val in head.items()})
    out = str(tmp_path / "out")
    model = bert_keras.convert(write_hf_dir(tmp_path / "hf", golden, state), out)
    assert model.heads == ["mlm"]
    encoder = bert_keras.BertEncoder.from_pretrained(out)
    positions = np.array([[1, 3], [2, 5]], "int32")
    logits = np.asarray(build_mlm_head(load_model_dir(out), encoder)(
        golden["sequence_output"], mask_positions=positions))
    # Reference: Hugging Face's AlbertMLMHead in numpy.
    x = np.take_along_axis(golden["sequence_output"], positions[..., None], axis=1)
    x = x @ head["predictions.dense.weight"].T + head["predictions.dense.bias"]
    x = 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))  # gelu_new
    x = (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + 1e-12)
    x = x * head["predictions.LayerNorm.weight"] + head["predictions.LayerNorm.bias"]
    want = x @ head["predictions.decoder.weight"].T + head["predictions.bias"]
    assert _max_diff(logits, want) <= 1e-4
