"""keras-hub preset directories (`XxxBackbone.save_to_preset` +
`XxxTokenizer.save_to_preset`) of BERT, ALBERT, ELECTRA and RoBERTa
convert to an encoder with the backbone's own outputs (<= 1e-5): sequence
and pooled outputs; for ELECTRA the sequence output (keras-hub's
`pooled_dense` is not ELECTRA's, see keras_hub_preset.py), for RoBERTa the
sequence output (keras-hub has no pooler) and our documented pooled output."""

import os

import numpy as np
import pytest

import bert_keras
from bert_keras.checkpoints.convert import load_model_dir
from bert_keras.errors import InputError
from bert_keras.tokenization.factory import load_tokenizer
from tests.conftest import shared_path
from tests.reference.tf1_checkpoint import tiny_vocab

# Raised inside Keras' own save_weights (numpy 2 copy semantics), not ours.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

FAMILIES = ("bert", "albert", "electra", "roberta")
SIZES = dict(num_layers=2, num_heads=4, hidden_dim=64, intermediate_dim=128,
             max_sequence_length=40)


def backbone_and_tokenizer(family):
    import keras_hub

    m, t = keras_hub.models, keras_hub.tokenizers
    if family == "bert":
        return (m.BertBackbone(vocabulary_size=100, num_segments=2, **SIZES),
                t.BertTokenizer(vocabulary=tiny_vocab(100), lowercase=True))
    if family == "electra":
        return (m.ElectraBackbone(vocab_size=100, embedding_dim=32, num_segments=2, **SIZES),
                t.ElectraTokenizer(vocabulary=tiny_vocab(100), lowercase=True))
    if family == "albert":
        spm = shared_path("vocab", "albert_30k-clean", "30k-clean.model")
        # Two groups of two distinct blocks: the group/inner-block table is exercised.
        sizes = dict(SIZES, num_layers=4)
        return (m.AlbertBackbone(vocabulary_size=30000, embedding_dim=16, num_groups=2,
                                 num_inner_repetitions=2, num_segments=2, **sizes),
                t.AlbertTokenizer(proto=spm))
    files = [shared_path("vocab", "roberta-base", f) for f in ("vocab.json", "merges.txt")]
    return (m.RobertaBackbone(vocabulary_size=50265, **SIZES),
            t.RobertaTokenizer(vocabulary=files[0], merges=files[1]))


def scale_weights(backbone, seed=0):
    # Default init is N(0, 0.02): outputs would hardly depend on the weights.
    # Scale every weight so that each one matters at 1e-5.
    rng = np.random.default_rng(seed)
    for w in backbone.weights:
        shape = tuple(w.shape)
        if w.path.endswith("gamma"):
            value = 1.0 + 0.2 * rng.standard_normal(shape)
        elif w.path.endswith(("beta", "bias")):
            value = 0.1 * rng.standard_normal(shape)
        else:
            value = rng.standard_normal(shape) / np.sqrt(max(shape[0], 25))
        w.assign(value.astype("float32"))


@pytest.fixture(scope="module", params=FAMILIES)
def preset(request, tmp_path_factory):
    import keras

    family = request.param
    keras.utils.set_random_seed(0)
    backbone, tokenizer = backbone_and_tokenizer(family)
    scale_weights(backbone)
    path = str(tmp_path_factory.mktemp("keras_hub") / family)
    backbone.save_to_preset(path)
    tokenizer.save_to_preset(path)
    return family, path, backbone


def preset_inputs(family):
    rng = np.random.default_rng(5)
    ids = rng.integers(5, 100, (2, 10)).astype("int32")
    mask = np.ones((2, 10), "int32")
    mask[1, 6:] = 0
    pad = 1 if family == "roberta" else 0
    ids[mask == 0] = pad
    segments = (np.arange(10) >= 4).astype("int32")[None].repeat(2, 0)
    if family == "roberta":  # one token type
        segments = np.zeros_like(segments)
    return {"token_ids": ids, "segment_ids": segments, "padding_mask": mask}


def test_convert_matches_backbone(preset, tmp_path):
    family, path, backbone = preset
    assert {"config.json", "model.weights.h5", "tokenizer.json"} <= set(os.listdir(path))
    model = bert_keras.convert(path, str(tmp_path / "out"))
    assert model.config.model_type == family and model.heads == []
    assert model.config.hidden_act == ("gelu" if family == "roberta" else "gelu_tanh")
    encoder = bert_keras.BertEncoder.from_pretrained(str(tmp_path / "out"))
    inputs = preset_inputs(family)
    ours = encoder(inputs)
    theirs = backbone({k: v for k, v in inputs.items()
                       if k in [i.name for i in backbone.inputs]})
    if family == "roberta":
        theirs = {"sequence_output": theirs}
    mask = inputs["padding_mask"].astype(bool)
    seq = np.asarray(ours["sequence_output"])
    assert np.std(seq[mask]) > 0.1  # outputs with spread: the check means something
    assert np.abs(seq[mask] - np.asarray(theirs["sequence_output"])[mask]).max() < 1e-5
    pooled = np.asarray(ours["pooled_output"])
    if family in ("bert", "albert"):
        assert np.abs(pooled - np.asarray(theirs["pooled_output"])).max() < 1e-5
    elif family == "electra":  # the [CLS] state
        np.testing.assert_allclose(pooled, seq[:, 0], atol=1e-6)
    else:  # keras-hub has no pooler: ours starts as tanh(<s> state)
        np.testing.assert_allclose(pooled, np.tanh(seq[:, 0]), atol=1e-6)
    assert load_model_dir(str(tmp_path / "out")).config.num_layers == backbone.num_layers


def test_tokenizer_comes_along(preset, tmp_path):
    family, path, _ = preset
    bert_keras.convert(path, str(tmp_path / "out"))
    model = load_model_dir(str(tmp_path / "out"))
    tokenize = lambda texts: load_tokenizer(str(tmp_path / "out")).tokenize(texts).to_list()
    if family in ("albert", "roberta"):  # BertTokenizer is WordPiece only: a clear refusal
        with pytest.raises(InputError, match="not WordPiece"):
            bert_keras.BertTokenizer.from_pretrained(str(tmp_path / "out"))
    if family in ("bert", "electra"):
        assert model.tokenizer.lowercase is True and model.vocab == tiny_vocab(100)
        assert tokenize(["tok1 tok22 TOK3 unknownword"]) == [[6, 27, 8, 1]]
    elif family == "albert":
        assert model.tokenizer.type == "sentencepiece" and len(model.vocab) == 30000
        assert "spiece.model" in os.listdir(tmp_path / "out")
        # ALBERT lowercases (Google's and HF's tokenizer), see SOURCES.md.
        assert tokenize(["Hello world"]) == tokenize(["hello world"])
    else:
        assert model.tokenizer.type == "bpe" and model.config.pad_token_id == 1
        assert model.config.max_position_embeddings == 40 + 2
        assert tokenize(["Hello world"]) == [[31414, 232]]  # SOURCES.md: <s> 31414 232 </s>


def test_not_a_bert_preset(tmp_path):
    (tmp_path / "config.json").write_text('{"class_name": "keras_hub>GPT2Backbone"}')
    (tmp_path / "model.weights.h5").write_bytes(b"")
    with pytest.raises(ValueError, match="Cannot tell what kind of checkpoint"):
        bert_keras.convert(str(tmp_path), str(tmp_path / "out"))


def test_a_preset_without_its_tokenizer_assets(tmp_path):
    import keras_hub
    import shutil

    backbone = keras_hub.models.RobertaBackbone(vocabulary_size=50265, **SIZES)
    backbone.save_to_preset(str(tmp_path / "p"))
    files = [shared_path("vocab", "roberta-base", f) for f in ("vocab.json", "merges.txt")]
    keras_hub.tokenizers.RobertaTokenizer(vocabulary=files[0], merges=files[1]).save_to_preset(
        str(tmp_path / "p"))
    os.remove(tmp_path / "p" / "assets" / "tokenizer" / "merges.txt")
    with pytest.raises(Exception, match="merges.txt"):
        bert_keras.convert(str(tmp_path / "p"), str(tmp_path / "out"))
    assert not (tmp_path / "out").exists()
    shutil.rmtree(tmp_path / "p")
