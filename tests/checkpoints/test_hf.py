"""Hugging Face BERT directories (written by hand here: config.json,
model.safetensors with `bert.`-prefixed names and the pretraining heads,
vocab.txt, tokenizer_config.json) convert to outputs that match the numpy
reference, and `transformers.BertForPreTraining` when it is installed."""

import json
import os
import shutil

import numpy as np
import pytest
from safetensors.numpy import load_file, save_file

import bert_keras
from bert_keras.checkpoints.convert import load_model_dir
from bert_keras.heads.pretrained import build_mlm_head, build_nsp_head
from tests.reference import numpy_bert
from tests.reference.tf1_checkpoint import tiny_vocab

TOL = 1e-5
H, I, V, P, L = 64, 128, 100, 40, 2
HF_CONFIG = {
    "architectures": ["BertForPreTraining"], "model_type": "bert", "hidden_act": "gelu",
    "hidden_size": H, "intermediate_size": I, "vocab_size": V, "max_position_embeddings": P,
    "num_hidden_layers": L, "num_attention_heads": 4, "type_vocab_size": 2,
    "layer_norm_eps": 1e-12, "hidden_dropout_prob": 0.1,
    "attention_probs_dropout_prob": 0.1, "initializer_range": 0.02, "pad_token_id": 0,
    "position_embedding_type": "absolute",
}


def hf_state(seed=0):
    """A BertForPreTraining state dict in torch layout (Linear weights are
    [out, in]), random values of a size that makes every term matter."""
    shapes = {
        "bert.embeddings.word_embeddings.weight": (V, H),
        "bert.embeddings.position_embeddings.weight": (P, H),
        "bert.embeddings.token_type_embeddings.weight": (2, H),
        "bert.embeddings.LayerNorm.weight": (H,), "bert.embeddings.LayerNorm.bias": (H,),
        "bert.pooler.dense.weight": (H, H), "bert.pooler.dense.bias": (H,),
        "cls.predictions.transform.dense.weight": (H, H),
        "cls.predictions.transform.dense.bias": (H,),
        "cls.predictions.transform.LayerNorm.weight": (H,),
        "cls.predictions.transform.LayerNorm.bias": (H,),
        "cls.predictions.bias": (V,),
        "cls.seq_relationship.weight": (2, H), "cls.seq_relationship.bias": (2,),
    }
    for i in range(L):
        p = f"bert.encoder.layer.{i}."
        for name, (out, inp) in (("attention.self.query", (H, H)), ("attention.self.key", (H, H)),
                                 ("attention.self.value", (H, H)),
                                 ("attention.output.dense", (H, H)),
                                 ("intermediate.dense", (I, H)), ("output.dense", (H, I))):
            shapes[p + name + ".weight"] = (out, inp)
            shapes[p + name + ".bias"] = (out,)
        for ln in ("attention.output.LayerNorm", "output.LayerNorm"):
            shapes[p + ln + ".weight"] = (H,)
            shapes[p + ln + ".bias"] = (H,)
    rng = np.random.default_rng(seed)
    state = {}
    for name, shape in shapes.items():
        if "LayerNorm.weight" in name:
            value = 1.0 + 0.2 * rng.standard_normal(shape)
        elif name.endswith("bias"):
            value = 0.1 * rng.standard_normal(shape)
        elif "embeddings" in name:
            value = 0.2 * rng.standard_normal(shape)
        else:
            value = rng.standard_normal(shape) / np.sqrt(shape[1])
        state[name] = value.astype(np.float32)
    return state


def write_hf_dir(path, state, config=HF_CONFIG, do_lower_case=True):
    os.makedirs(path, exist_ok=True)
    save_file(state, os.path.join(path, "model.safetensors"))
    with open(os.path.join(path, "config.json"), "w") as f:
        json.dump(config, f)
    with open(os.path.join(path, "tokenizer_config.json"), "w") as f:
        json.dump({"do_lower_case": do_lower_case, "tokenizer_class": "BertTokenizer"}, f)
    with open(os.path.join(path, "vocab.txt"), "w") as f:
        f.write("\n".join(tiny_vocab(V)) + "\n")
    return str(path)


@pytest.fixture(scope="module")
def hf_dir(tmp_path_factory):
    return write_hf_dir(tmp_path_factory.mktemp("hf") / "bert", hf_state())


@pytest.fixture(scope="module")
def converted(hf_dir, tmp_path_factory):
    out = str(tmp_path_factory.mktemp("converted") / "model")
    bert_keras.convert(hf_dir, out)
    return out


@pytest.fixture(scope="module")
def inputs():
    rng = np.random.default_rng(3)
    ids = rng.integers(5, V, (2, 12)).astype("int32")
    ids[:, 0] = 2
    mask = np.ones((2, 12), "int32")
    mask[1, 7:] = 0
    ids[mask == 0] = 0
    segments = (np.arange(12) >= 6).astype("int32")[None].repeat(2, 0)
    return {"token_ids": ids, "segment_ids": segments, "padding_mask": mask}


POSITIONS = np.array([[1, 4, 9], [0, 2, 6]], "int32")


def _diff(a, b, mask=None):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if mask is not None:
        a, b = a[mask.astype(bool)], b[mask.astype(bool)]
    return np.abs(a - b).max()


@pytest.fixture(scope="module")
def ours(converted, inputs):
    model = load_model_dir(converted)
    encoder = bert_keras.BertEncoder.from_pretrained(converted)
    out = encoder(inputs)
    return {"seq": np.asarray(out["sequence_output"]), "pooled": np.asarray(out["pooled_output"]),
            "mlm": np.asarray(build_mlm_head(model, encoder)(
                out["sequence_output"], mask_positions=POSITIONS)),
            "nsp": np.asarray(build_nsp_head(model)(out["pooled_output"]))}


def test_converted_metadata(converted):
    model = load_model_dir(converted)
    assert model.heads == ["mlm", "nsp"]
    assert model.config.hidden_act == "gelu"  # HF "gelu" is the exact erf form
    assert model.tokenizer.lowercase is True


def test_matches_numpy_reference(hf_dir, ours, inputs):
    weights = numpy_bert.tf1_names_from_hf(load_file(os.path.join(hf_dir, "model.safetensors")))
    ref = numpy_bert.NumpyBert(weights, L, 4, activation="gelu_erf")
    seq, pooled = ref.encode(inputs["token_ids"], inputs["segment_ids"], inputs["padding_mask"])
    assert _diff(ours["seq"], seq, inputs["padding_mask"]) < TOL
    assert _diff(ours["pooled"], pooled) < TOL
    assert _diff(ours["mlm"], ref.mlm_logits(seq, POSITIONS)) < TOL
    assert _diff(ours["nsp"], ref.nsp_logits(pooled)) < TOL
    tanh = numpy_bert.NumpyBert(weights, L, 4, activation="gelu_tanh")
    assert _diff(tanh.encode(inputs["token_ids"], inputs["segment_ids"],
                             inputs["padding_mask"])[0], seq, inputs["padding_mask"]) > 10 * TOL


def test_old_gamma_beta_names_and_no_prefix(tmp_path, converted):
    """Old checkpoints: LayerNorm gamma/beta, and BertModel without `bert.`."""
    state = {k.replace("LayerNorm.weight", "LayerNorm.gamma")
              .replace("LayerNorm.bias", "LayerNorm.beta"): v for k, v in hf_state().items()}
    state = {k[len("bert."):] if k.startswith("bert.") else k: v
             for k, v in state.items() if not k.startswith("cls.")}
    assert "embeddings.LayerNorm.gamma" in state
    model = bert_keras.convert(write_hf_dir(tmp_path / "old", state, do_lower_case=False),
                               str(tmp_path / "out"))
    assert model.heads == []
    assert model.tokenizer.lowercase is False
    expected = load_model_dir(converted).weights
    for name, value in model.weights.items():
        np.testing.assert_array_equal(value, expected[name])


def test_missing_tensor_named(tmp_path):
    state = hf_state()
    del state["bert.encoder.layer.1.output.dense.bias"]
    with pytest.raises(KeyError, match="'encoder.layer.1.output.dense.bias'"):
        bert_keras.convert(write_hf_dir(tmp_path / "bad", state), str(tmp_path / "out"))
    assert not (tmp_path / "out").exists()


def test_shape_mismatch_named(tmp_path):
    config = dict(HF_CONFIG, intermediate_size=96)
    with pytest.raises(ValueError, match=r"'encoder.layer.0.intermediate.dense.weight' has shape"):
        bert_keras.convert(write_hf_dir(tmp_path / "bad", hf_state(), config), str(tmp_path / "o"))


def test_unexpected_tensor_named(tmp_path):
    state = dict(hf_state(), **{"bert.encoder.layer.0.attention.self.distance_embedding.weight":
                                np.zeros((3, H), "float32")})
    with pytest.raises(ValueError, match="unexpected tensors.*distance_embedding"):
        bert_keras.convert(write_hf_dir(tmp_path / "bad", state), str(tmp_path / "o"))


def test_untied_decoder_refused(tmp_path):
    state = dict(hf_state(), **{"cls.predictions.decoder.weight": np.ones((V, H), "float32")})
    with pytest.raises(ValueError, match="untied"):
        bert_keras.convert(write_hf_dir(tmp_path / "bad", state), str(tmp_path / "o"))


@pytest.fixture(scope="module")
def torch_model(hf_dir):
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    model = transformers.BertForPreTraining.from_pretrained(hf_dir).eval()
    return torch, model


def test_matches_transformers(torch_model, ours, inputs):
    torch, model = torch_model
    t = {"input_ids": torch.tensor(inputs["token_ids"], dtype=torch.long),
         "token_type_ids": torch.tensor(inputs["segment_ids"], dtype=torch.long),
         "attention_mask": torch.tensor(inputs["padding_mask"], dtype=torch.long)}
    with torch.no_grad():
        out = model(**t)
        base = model.bert(**t)
    seq = base.last_hidden_state.numpy()
    assert _diff(ours["seq"], seq, inputs["padding_mask"]) < TOL
    assert _diff(ours["pooled"], base.pooler_output.numpy()) < TOL
    logits = np.take_along_axis(out.prediction_logits.numpy(), POSITIONS[:, :, None], axis=1)
    assert _diff(ours["mlm"], logits) < TOL
    assert _diff(ours["nsp"], out.seq_relationship_logits.numpy()) < TOL


def test_pytorch_model_bin(torch_model, hf_dir, converted, tmp_path):
    torch, model = torch_model
    src = tmp_path / "bin"
    shutil.copytree(hf_dir, src)
    os.remove(src / "model.safetensors")
    torch.save(model.state_dict(), src / "pytorch_model.bin")  # includes the tied decoder
    got = bert_keras.convert(str(src), str(tmp_path / "out"))
    assert got.heads == ["mlm", "nsp"]
    expected = load_model_dir(converted).weights
    assert sorted(got.weights) == sorted(expected)
    for name, value in got.weights.items():
        np.testing.assert_array_equal(value, expected[name])
