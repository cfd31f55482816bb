"""Tiny random BERT model directories (with and without a masked-LM head)
and their TF-Hub exports, built once per session."""

import numpy as np
import pytest

from tests.conftest import TINY_VOCAB

SEQ_LENGTH = 16


def make_tiny_model(with_mlm, seed=0):
    """A `BertModelDir` with random weights: 2 layers, hidden 32, the tiny
    vocabulary; weights drawn wide enough (initializer_range 0.2) that the
    outputs are far from zero and comparisons mean something."""
    import keras

    from bert_keras import BertConfig, BertEncoder
    from bert_keras.checkpoints import canonical
    from bert_keras.checkpoints.model_dir import BertModelDir, TokenizerSettings

    keras.utils.set_random_seed(seed)
    config = BertConfig.preset(
        "tiny", vocab_size=len(TINY_VOCAB), num_layers=2, hidden_size=32, num_heads=2,
        intermediate_size=64, max_position_embeddings=64, initializer_range=0.2)
    weights = canonical.read_encoder(BertEncoder(config))
    heads = []
    if with_mlm:
        rng = np.random.default_rng(seed)
        h, v = config.hidden_size, config.vocab_size
        weights.update({
            "mlm/transform/kernel": rng.normal(0, 0.2, (h, h)),
            "mlm/transform/bias": rng.normal(0, 0.2, (h,)),
            "mlm/LayerNorm/gamma": 1 + rng.normal(0, 0.1, (h,)),
            "mlm/LayerNorm/beta": rng.normal(0, 0.1, (h,)),
            "mlm/output_bias": rng.normal(0, 0.5, (v,)),
        })
        heads.append("mlm")
    weights = {k: np.asarray(w, np.float32) for k, w in weights.items()}
    return BertModelDir(config=config, vocab=list(TINY_VOCAB), weights=weights,
                        tokenizer=TokenizerSettings(lowercase=True), heads=heads,
                        source="tiny-random")


@pytest.fixture(scope="session")
def tiny_model_dirs(tmp_path_factory):
    """{"plain": dir without heads, "mlm": dir with an MLM head}."""
    from bert_keras.checkpoints.model_dir import save_model_dir

    root = tmp_path_factory.mktemp("tiny_models")
    return {name: save_model_dir(make_tiny_model(name == "mlm"), str(root / name))
            for name in ("plain", "mlm")}


@pytest.fixture(scope="session")
def tiny_exports(tmp_path_factory, tiny_model_dirs):
    """The MLM model exported in both forms: {"trainable": paths, "frozen": paths}."""
    from bert_keras.export import export_hub

    root = tmp_path_factory.mktemp("tiny_exports")
    return {form: export_hub(tiny_model_dirs["mlm"], str(root / form), seq_length=SEQ_LENGTH,
                             frozen=form == "frozen", with_mlm=True, verbose=False)
            for form in ("trainable", "frozen")}


@pytest.fixture(scope="session")
def tiny_keras(tiny_model_dirs):
    """The Keras reference: (encoder, mlm_head, tokenizer) of the MLM model."""
    from bert_keras.checkpoints.convert import load_model_dir
    from bert_keras.heads.pretrained import build_mlm_head
    from bert_keras.models.factory import build_encoder
    from bert_keras.tokenization.factory import build_tokenizer

    model = load_model_dir(tiny_model_dirs["mlm"])
    encoder = build_encoder(model)
    return encoder, build_mlm_head(model, encoder), build_tokenizer(model)
