"""The preprocess SavedModel for SentencePiece (ALBERT) and byte-level BPE
(RoBERTa) tokenizers: the same interface as WordPiece's, loaded with
`hub.load`, equal to the Keras preprocessor, and feeding a tiny encoder."""

import numpy as np
import pytest
import tensorflow as tf

from bert_keras.export.hub_encoder import build_encoder_module
from bert_keras.export.hub_preprocess import build_preprocess_module, write_tokenizer_assets
from bert_keras.tokenization import BertPreprocessor, ByteLevelBpeTokenizer, SentencePieceTokenizer
from tests.conftest import shared_path

hub = pytest.importorskip("tensorflow_hub")

SEQ_LENGTH = 16
SENTENCES = ["Hello world!", "The cats sat on the mat, naïvely [MASK] running.", ""]
PAIR = (["How old are you?", "a"], ["I am six years old and a half, really.", "b"])


def _tokenizer(kind):
    if kind == "sentencepiece":
        return SentencePieceTokenizer(shared_path("vocab", "albert_30k-clean", "30k-clean.model"))
    return ByteLevelBpeTokenizer(shared_path("vocab", "roberta-base", "vocab.json"),
                                 shared_path("vocab", "roberta-base", "merges.txt"))


@pytest.fixture(scope="module", params=["sentencepiece", "bpe"])
def exported(request, tmp_path_factory):
    """(tokenizer, hub.load-ed preprocess, hub.load-ed tiny encoder, keras encoder)."""
    import keras

    from bert_keras import BertConfig, BertEncoder

    tokenizer = _tokenizer(request.param)
    root_dir = tmp_path_factory.mktemp(request.param)
    work = tmp_path_factory.mktemp("assets")
    assets = write_tokenizer_assets(tokenizer, str(work))
    module, signatures = build_preprocess_module(tokenizer, SEQ_LENGTH, None, assets=assets)
    tf.saved_model.save(module, str(root_dir / "preprocess"), signatures=signatures)

    keras.utils.set_random_seed(0)
    config = BertConfig(vocab_size=tokenizer.vocabulary_size(), hidden_size=32, num_layers=1,
                        num_heads=2, intermediate_size=64, max_position_embeddings=64)
    encoder = BertEncoder(config)
    enc_root, enc_signatures, _ = build_encoder_module(
        encoder, next(iter(assets.values())), tokenizer.lowercase)
    tf.saved_model.save(enc_root, str(root_dir / "encoder"), signatures=enc_signatures)
    del module, enc_root  # consumers below see only what was saved
    return (request.param, tokenizer, hub.load(str(root_dir / "preprocess")),
            hub.load(str(root_dir / "encoder")), encoder, str(root_dir))


def test_call_matches_keras_preprocessor(exported):
    _, tokenizer, preprocess, *_ = exported
    out = preprocess(tf.constant(SENTENCES))
    want = BertPreprocessor(tokenizer, sequence_length=SEQ_LENGTH)(tf.constant(SENTENCES))
    assert sorted(out) == ["input_mask", "input_type_ids", "input_word_ids"]
    assert out["input_word_ids"].shape == (len(SENTENCES), SEQ_LENGTH)
    np.testing.assert_array_equal(out["input_word_ids"], want["token_ids"])
    np.testing.assert_array_equal(out["input_mask"], want["padding_mask"])
    np.testing.assert_array_equal(out["input_type_ids"], want["segment_ids"])


def test_tokenize_special_tokens_and_pairs(exported):
    kind, tokenizer, preprocess, *_ = exported
    tokens = preprocess.tokenize(tf.constant(SENTENCES))
    assert tokens.ragged_rank == 1 and tokens.dtype == tf.int32  # as TF Hub's ALBERT
    assert tokens.to_list() == tokenizer(SENTENCES).to_list()
    special = {k: int(v) for k, v in preprocess.tokenize.get_special_tokens_dict().items()}
    assert special == tokenizer.special_tokens_dict()
    segments = [preprocess.tokenize(tf.constant(s)) for s in PAIR]
    want = BertPreprocessor(tokenizer, sequence_length=12)(PAIR)  # trims the long pair
    out = preprocess.bert_pack_inputs(segments, seq_length=tf.constant(12))
    np.testing.assert_array_equal(out["input_word_ids"], want["token_ids"])
    np.testing.assert_array_equal(out["input_type_ids"], want["segment_ids"])
    np.testing.assert_array_equal(out["input_mask"], want["padding_mask"])
    ids = out["input_word_ids"].numpy()[1].tolist()
    if kind == "bpe":   # <s> a </s></s> b </s>, one token type
        assert ids[:6] == [0, tokenizer("a").numpy()[0], 2, 2, tokenizer("b").numpy()[0], 2]
        assert not out["input_type_ids"].numpy().any()
    else:               # [CLS] a [SEP] b [SEP]
        assert ids[0] == 2 and ids.count(3) == 2


def test_assets_rebuild_the_same_tokenizer(exported):
    kind, tokenizer, preprocess, *_ = exported
    if kind == "sentencepiece":
        path = preprocess.sp_model_file.asset_path.numpy().decode()
        again = SentencePieceTokenizer(path)
    else:
        again = ByteLevelBpeTokenizer(preprocess.vocab_file.asset_path.numpy().decode(),
                                      preprocess.merges_file.asset_path.numpy().decode())
    assert again(SENTENCES).to_list() == tokenizer(SENTENCES).to_list()
    assert list(preprocess.variables) == [] and list(preprocess.trainable_variables) == []


def test_encoder_of_preprocess_matches_keras(exported):
    _, tokenizer, preprocess, hub_encoder, encoder, _ = exported
    got = hub_encoder(preprocess(tf.constant(SENTENCES)))["pooled_output"].numpy()
    inputs = BertPreprocessor(tokenizer, sequence_length=SEQ_LENGTH)(tf.constant(SENTENCES))
    want = np.asarray(encoder(inputs, training=False)["pooled_output"])
    np.testing.assert_allclose(got, want, atol=1e-5)


CONSUMER = r"""
import json, sys
import tensorflow as tf
import tensorflow_hub as hub
import tensorflow_text  # noqa: F401

preprocess = hub.load(sys.argv[1] + "/preprocess")
encoder = hub.load(sys.argv[1] + "/encoder")
inputs = preprocess(tf.constant(json.loads(sys.argv[2])))
pooled = encoder(inputs)["pooled_output"]
print(json.dumps({"ids": inputs["input_word_ids"].numpy().tolist(),
                  "pooled": pooled.numpy().tolist(),
                  "modules": [m for m in ("bert_keras", "keras_hub") if m in sys.modules]}))
"""


def test_fresh_process_consumer(exported, tmp_path):
    """Only tensorflow, tensorflow_text and tensorflow_hub: the SentencePiece
    and BPE graphs need nothing from bert_keras or keras-hub."""
    import json
    import os
    import subprocess
    import sys

    _, tokenizer, preprocess, hub_encoder, _, root_dir = exported
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run([sys.executable, "-c", CONSUMER, root_dir, json.dumps(SENTENCES)],
                            capture_output=True, text=True, cwd=str(tmp_path), env=env,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    got = json.loads(result.stdout.strip().splitlines()[-1])
    inputs = preprocess(tf.constant(SENTENCES))
    assert got["ids"] == inputs["input_word_ids"].numpy().tolist()
    np.testing.assert_allclose(got["pooled"], hub_encoder(inputs)["pooled_output"].numpy(),
                               atol=1e-6)
    assert got["modules"] == []


def test_export_hub_with_a_sentencepiece_model(monkeypatch, tmp_path):
    """`export_hub` end to end (verification included) when the model's
    tokenizer is SentencePiece: the model file becomes `sp_model_file`.
    Until model directories record the tokenizer type, the loader's
    `build_tokenizer` is patched to return it."""
    import keras

    from bert_keras import BertConfig, BertEncoder
    from bert_keras.checkpoints import canonical
    from bert_keras.tokenization import factory
    from bert_keras.checkpoints.model_dir import BertModelDir
    from bert_keras.export import export_hub

    tokenizer = _tokenizer("sentencepiece")
    monkeypatch.setattr(factory, "build_tokenizer", lambda model: tokenizer)
    keras.utils.set_random_seed(0)
    config = BertConfig(vocab_size=tokenizer.vocabulary_size(), hidden_size=32, num_layers=1,
                        num_heads=2, intermediate_size=64, max_position_embeddings=64)
    weights = {k: np.asarray(w, np.float32)
               for k, w in canonical.read_encoder(BertEncoder(config)).items()}
    model = BertModelDir(config=config, vocab=["[PAD]"], weights=weights, source="tiny-sp")
    paths = export_hub(model, str(tmp_path / "hub"), seq_length=SEQ_LENGTH,
                       dynamic_length=True, verbose=False)
    preprocess = hub.load(paths["preprocess"])
    with open(preprocess.sp_model_file.asset_path.numpy().decode(), "rb") as f:
        assert f.read() == tokenizer.proto
    out = preprocess(tf.constant(["Hello world!"]))
    assert out["input_word_ids"].numpy().tolist() == [[2, 10975, 126, 187, 3]]
    assert "vocab_file" not in dir(preprocess)
    with open(paths["model_card"], encoding="utf-8") as f:
        card = f.read()
    assert "SentencePieces (`preprocess.sp_model_file`)" in card
    assert "int32 RaggedTensor `[batch, (tokens)]`" in card
