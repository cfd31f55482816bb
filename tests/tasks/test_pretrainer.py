"""BertPretrainer: outputs, losses that train, and the model directory it
writes (mlm/* and nsp/* canonical weights that the loaders rebuild)."""

import json
import os

import keras
import numpy as np
import pytest

from bert_keras import BertConfig
from bert_keras.checkpoints.convert import load_model_dir
from bert_keras.heads.pretrained import build_mlm_head, build_nsp_head
from bert_keras.models.factory import build_encoder
from bert_keras.tasks.pretrainer import BertPretrainer

VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + [f"w{i}" for i in range(45)]
CONFIG = BertConfig.preset("tiny", vocab_size=50, hidden_size=32, num_heads=2,
                           intermediate_size=64, max_position_embeddings=32,
                           hidden_dropout=0.0, attention_dropout=0.0)


def batch(n=8, seq=12, preds=3, seed=0):
    rng = np.random.default_rng(seed)
    ids = rng.integers(5, 50, (n, seq)).astype("int32")
    ids[:, 0], ids[:, -1] = 2, 3
    positions = np.sort(rng.choice(np.arange(1, seq - 1), (n, preds)), axis=1).astype("int32")
    labels = np.take_along_axis(ids, positions, 1).copy()
    np.put_along_axis(ids, positions, 4, 1)
    x = {"token_ids": ids, "segment_ids": (np.arange(seq) >= seq // 2).astype("int32")[None]
         .repeat(n, 0), "padding_mask": np.ones((n, seq), "int32"), "mask_positions": positions}
    weights = np.ones((n, preds), "float32")
    weights[0, -1] = 0  # a padded prediction
    y = {"mlm": labels, "nsp": (np.arange(n) % 2).astype("int32")}
    return x, y, {"mlm": weights, "nsp": np.ones(n, "float32")}


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    keras.utils.set_random_seed(0)
    model = BertPretrainer(CONFIG)
    model.compile(keras.optimizers.Adam(3e-3))
    x, y, w = batch()
    # 60 steps on the same 8 examples, in 4 epochs (fewer epoch overheads).
    x, y, w = ({k: np.tile(v, (15,) + (1,) * (v.ndim - 1)) for k, v in d.items()}
               for d in (x, y, w))
    history = model.fit(x, y, sample_weight=w, batch_size=8, epochs=4, shuffle=False,
                        verbose=0).history
    out = str(tmp_path_factory.mktemp("pretrained") / "model")
    model.save_model_dir(out, VOCAB)
    return model, history, out


def test_outputs_and_losses_fall(trained):
    model, history, _ = trained
    x, _, _ = batch()
    out = model(x)
    assert out["mlm"].shape == (8, 3, 50) and out["nsp"].shape == (8, 2)
    for key in ("loss", "mlm_loss", "nsp_loss", "mlm_accuracy", "nsp_accuracy"):
        assert key in history, sorted(history)
    assert history["mlm_loss"][-1] < 0.5 * history["mlm_loss"][0]
    assert history["nsp_loss"][-1] < history["nsp_loss"][0]
    assert history["mlm_accuracy"][-1] > 0.5  # chance is 1/45


def test_mlm_loss_ignores_padded_predictions():
    model = BertPretrainer(CONFIG)
    model.compile("sgd")
    x, y, w = batch()
    logits = np.asarray(model(x)["mlm"], np.float64)
    logp = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    nll = -np.take_along_axis(logp, y["mlm"][..., None], -1)[..., 0]
    expected = (nll * w["mlm"]).sum() / w["mlm"].sum()
    y_bad = {"mlm": y["mlm"].copy(), "nsp": y["nsp"]}
    y_bad["mlm"][0, -1] = 7  # a label under weight 0 changes nothing
    logs = model.evaluate(x, y_bad, sample_weight=w, verbose=0, return_dict=True)
    assert logs["mlm_loss"] == pytest.approx(expected, rel=1e-4)


def test_model_dir_has_both_heads(trained):
    model, _, out = trained
    assert sorted(os.listdir(out)) == ["bert_keras.json", "model.safetensors", "vocab.txt"]
    meta = json.load(open(os.path.join(out, "bert_keras.json")))
    assert meta["heads"] == ["mlm", "nsp"]
    loaded = load_model_dir(out)
    assert {"mlm/output_bias", "mlm/transform/kernel", "nsp/kernel"} <= set(loaded.weights)
    assert loaded.weights["nsp/kernel"].shape == (32, 2)
    encoder = build_encoder(loaded)
    mlm, nsp = build_mlm_head(loaded, encoder), build_nsp_head(loaded)
    x, _, _ = batch(seed=3)
    features = {k: x[k] for k in ("token_ids", "segment_ids", "padding_mask")}
    seq = encoder(features)
    expected = model(x)
    np.testing.assert_allclose(mlm(seq["sequence_output"], mask_positions=x["mask_positions"]),
                               expected["mlm"], atol=1e-5)
    np.testing.assert_allclose(nsp(seq["pooled_output"]), expected["nsp"], atol=1e-5)
    again = BertPretrainer.from_pretrained(out)
    np.testing.assert_allclose(again(x)["mlm"], expected["mlm"], atol=1e-5)


def test_from_pretrained_without_heads(minilm_dir):
    with pytest.raises(ValueError, match="no mlm or nsp head"):
        BertPretrainer.from_pretrained(minilm_dir)
    model = BertPretrainer.from_pretrained(minilm_dir, new_heads=True)
    assert model.config.hidden_size == 384


def test_bfloat16_logits_are_float32():
    model = BertPretrainer(CONFIG, dtype="mixed_bfloat16")
    x, _, _ = batch()
    out = model(x)
    assert out["mlm"].dtype == "float32" and out["nsp"].dtype == "float32"
    assert model.encoder.dtype_policy.compute_dtype == "bfloat16"


def test_serializable():
    model = BertPretrainer(CONFIG)
    clone = BertPretrainer.from_config(model.get_config())
    assert clone.config == model.config
