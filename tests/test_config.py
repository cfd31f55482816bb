"""`BertConfig`: presets, Google / Hugging Face config files, validation."""

import json

import pytest

from bert_keras import BertConfig

GOOGLE_BASE = {
    "attention_probs_dropout_prob": 0.1, "hidden_act": "gelu",
    "hidden_dropout_prob": 0.1, "hidden_size": 768, "initializer_range": 0.02,
    "intermediate_size": 3072, "max_position_embeddings": 512,
    "num_attention_heads": 12, "num_hidden_layers": 12, "type_vocab_size": 2,
    "vocab_size": 30522,
}
HF_MINILM = {
    "architectures": ["BertModel"], "attention_probs_dropout_prob": 0.1,
    "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "hidden_size": 384,
    "initializer_range": 0.02, "intermediate_size": 1536, "layer_norm_eps": 1e-12,
    "max_position_embeddings": 512, "model_type": "bert", "num_attention_heads": 12,
    "num_hidden_layers": 6, "pad_token_id": 0, "position_embedding_type": "absolute",
    "type_vocab_size": 2, "vocab_size": 30522,
}


def test_from_google_json_file(tmp_path):
    path = tmp_path / "bert_config.json"
    path.write_text(json.dumps(GOOGLE_BASE))
    config = BertConfig.from_google_json(str(path))
    assert config == BertConfig.preset("base")
    # Google's "gelu" is the tanh approximation.
    assert config.hidden_act == "gelu_tanh"


@pytest.mark.parametrize("act, expected", [("gelu", "gelu_tanh"), ("relu", "relu"),
                                           ("tanh", "tanh")])
def test_google_activations(act, expected):
    assert BertConfig.from_google_json(dict(GOOGLE_BASE, hidden_act=act)).hidden_act == expected


@pytest.mark.parametrize("act, expected", [
    ("gelu", "gelu"), ("gelu_new", "gelu_tanh"), ("gelu_pytorch_tanh", "gelu_tanh"),
    ("relu", "relu"), ("silu", "silu"), ("swish", "silu")])
def test_hf_activations(act, expected):
    assert BertConfig.from_hf_json(dict(HF_MINILM, hidden_act=act)).hidden_act == expected


def test_from_hf_json_file(tmp_path):
    path = tmp_path / "config.json"
    path.write_text(json.dumps(dict(HF_MINILM, layer_norm_eps=1e-7, hidden_dropout_prob=0.2)))
    config = BertConfig.from_hf_json(str(path))
    assert (config.num_layers, config.hidden_size, config.num_heads,
            config.intermediate_size) == (6, 384, 12, 1536)
    assert config.hidden_act == "gelu"  # exact erf, as Hugging Face means it
    assert config.layer_norm_epsilon == 1e-7
    assert config.hidden_dropout == 0.2


def test_bad_config_files(tmp_path):
    with pytest.raises(ValueError, match="hidden_act"):
        BertConfig.from_google_json(dict(GOOGLE_BASE, hidden_act="gelu_new"))
    with pytest.raises(ValueError, match="hidden_act"):
        BertConfig.from_hf_json(dict(HF_MINILM, hidden_act="quick_gelu"))
    with pytest.raises(ValueError, match="model_type"):
        BertConfig.from_hf_json(dict(HF_MINILM, model_type="deberta"))
    with pytest.raises(ValueError, match="absolute"):
        BertConfig.from_hf_json(dict(HF_MINILM, position_embedding_type="relative_key"))
    with pytest.raises(FileNotFoundError, match="nowhere.json"):
        BertConfig.from_google_json(str(tmp_path / "nowhere.json"))
    with pytest.raises(FileNotFoundError, match="nowhere.json"):
        BertConfig.from_hf_json(str(tmp_path / "nowhere.json"))


@pytest.mark.parametrize("bad", [
    dict(hidden_act="gelu_new"), dict(hidden_size=100, num_heads=12),
    dict(num_layers=0), dict(vocab_size=-1), dict(hidden_size=76.8),
    dict(type_vocab_size=0), dict(hidden_dropout=1.0), dict(attention_dropout=-0.1),
    dict(layer_norm_epsilon=0)])
def test_bad_values_raise(bad):
    with pytest.raises(ValueError):
        BertConfig(**bad)


def test_presets_and_overrides():
    sizes = {name: (c.num_layers, c.hidden_size, c.num_heads, c.intermediate_size)
             for name in ("tiny", "mini", "small", "medium", "base", "large")
             for c in [BertConfig.preset(name)]}
    assert sizes == {"tiny": (2, 128, 2, 512), "mini": (4, 256, 4, 1024),
                     "small": (4, 512, 8, 2048), "medium": (8, 512, 8, 2048),
                     "base": (12, 768, 12, 3072), "large": (24, 1024, 16, 4096)}
    config = BertConfig.preset("tiny", vocab_size=1000, hidden_act="gelu")
    assert (config.vocab_size, config.hidden_act, config.hidden_size) == (1000, "gelu", 128)
    assert config.head_size == 64
    with pytest.raises(ValueError, match="Unknown preset"):
        BertConfig.preset("huge")


def test_family_configs_from_hf():
    albert = BertConfig.from_hf_json(dict(
        HF_MINILM, model_type="albert", embedding_size=64, num_hidden_groups=2,
        inner_group_num=3, hidden_act="gelu_new"))
    assert (albert.model_type, albert.embedding_dim, albert.num_blocks) == ("albert", 64, 6)
    roberta = BertConfig.from_hf_json(dict(HF_MINILM, model_type="roberta", pad_token_id=1,
                                           max_position_embeddings=514, type_vocab_size=1))
    assert (roberta.model_type, roberta.pad_token_id, roberta.num_blocks) == ("roberta", 1, 6)
    electra = BertConfig.from_hf_json(dict(HF_MINILM, model_type="electra", embedding_size=128))
    assert (electra.embedding_dim, electra.hidden_size) == (128, 384)


@pytest.mark.parametrize("bad, message", [
    (dict(model_type="albert", num_layers=12, num_hidden_groups=5), "multiple of num_hidden_groups"),
    (dict(model_type="bert", num_hidden_groups=2), "ALBERT settings"),
    (dict(model_type="bert", embedding_size=128), "embedding_size == hidden_size"),
    (dict(model_type="roberta", pad_token_id=600), "pad_token_id"),
    (dict(model_type="gpt2"), "model_type must be one of"),
])
def test_unsupported_family_settings_refused(bad, message):
    with pytest.raises(ValueError, match=message):
        BertConfig(**bad)


def test_unsupported_albert_variants_refused():
    with pytest.raises(ValueError, match="net_structure_type"):
        BertConfig.from_google_json(dict(GOOGLE_BASE, net_structure_type=1), model_type="albert")
    with pytest.raises(ValueError, match="ln_type"):
        BertConfig.from_google_json(dict(GOOGLE_BASE, ln_type="preln"), model_type="albert")


def test_zoo_presets():
    assert BertConfig.preset("bert_12_768_12") == BertConfig.preset("base")
    assert BertConfig.preset("bert_24_1024_16") == BertConfig.preset("large")
    tiny = BertConfig.preset("albert_tiny")
    assert (tiny.hidden_size, tiny.embedding_dim, tiny.vocab_size, tiny.num_blocks) == (312, 128, 21128, 1)
    roberta = BertConfig.preset("roberta_base")
    assert (roberta.max_position_embeddings, roberta.type_vocab_size) == (514, 1)


def test_dict_round_trip():
    config = BertConfig.preset("mini", vocab_size=99, hidden_act="silu")
    assert BertConfig.from_dict(config.to_dict()) == config
    assert json.loads(json.dumps(config.to_dict())) == config.to_dict()
    with pytest.raises(ValueError, match="Unknown BertConfig fields.*hidden_layers"):
        BertConfig.from_dict(dict(config.to_dict(), hidden_layers=3))


def test_docstring_examples():
    import doctest

    from bert_keras import config
    for module in (config,):
        result = doctest.testmod(module, verbose=False)
        assert result.attempted > 0 and result.failed == 0, module.__name__
