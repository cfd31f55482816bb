"""`TextEmbedder`: parity with sentence-transformers on the embedded MiniLM
(golden fixture from scripts/make_golden_embeddings.py; live when torch and
sentence-transformers are installed), batching and order on a tiny model."""

import os

import numpy as np
import pytest

import bert_keras
from bert_keras.errors import InputError, InputTypeError
from bert_keras.tasks import text_embedder
from bert_keras.tasks.text_embedder import TextEmbedder, sentence_transformers_settings
from tests.conftest import FIXTURES, shared_path
from tests.tiny_classifier import tiny_model_dir

GOLDEN = os.path.join(FIXTURES, "minilm_embeddings.npz")


@pytest.fixture(scope="module")
def minilm_embedder(minilm_path):
    return TextEmbedder.from_pretrained("minilm-l6-h384-uncased")


def test_reads_sentence_transformers_settings(minilm_embedder):
    g = np.load(GOLDEN)
    assert minilm_embedder.sequence_length == int(g["max_seq_length"]) == 256
    assert minilm_embedder.pooling.mode == "mean" and minilm_embedder.normalize


def test_matches_sentence_transformers_golden(minilm_embedder):
    g = np.load(GOLDEN)
    texts = [str(t) for t in g["texts"]]
    got = minilm_embedder.embed(texts, batch_size=3)
    assert got.dtype == np.float32 and got.shape == g["embeddings"].shape
    assert np.abs(got - g["embeddings"]).max() <= 1e-5
    np.testing.assert_allclose(minilm_embedder.embed(texts[0]), got[0], atol=1e-6)


def test_matches_sentence_transformers_live_on_sst2(minilm_embedder, minilm_path):
    pytest.importorskip("torch")
    st = pytest.importorskip("sentence_transformers")
    path = shared_path("SST-2", "dev.tsv")
    with open(path, encoding="utf-8") as f:
        texts = [line.split("\t")[0] for line in f.read().splitlines()[1:97]]
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    reference = st.SentenceTransformer(minilm_path, device="cpu").encode(
        texts, batch_size=32, normalize_embeddings=True)
    assert np.abs(minilm_embedder.embed(texts) - reference).max() <= 1e-5


@pytest.fixture(scope="module")
def tiny():
    md = tiny_model_dir()
    from bert_keras.models.factory import build_encoder
    from bert_keras.tokenization.factory import build_tokenizer

    return build_encoder(md), build_tokenizer(md)


TOY_TEXTS = ["the movie was good .", "bad", "", "a very great movie , the acting is good !",
             "plot", "the film was awful !", "good good good good good good good good",
             "acting", "very bad plot ."]


def test_batches_and_chunks_keep_input_order(tiny, monkeypatch):
    encoder, tokenizer = tiny
    embedder = TextEmbedder(encoder, tokenizer, sequence_length=16, batch_size=2)
    one_by_one = np.stack([embedder.embed([t])[0] for t in TOY_TEXTS])
    monkeypatch.setattr(text_embedder, "CHUNK_BATCHES", 2)  # chunks of 4 texts
    batched = embedder.embed(TOY_TEXTS)
    np.testing.assert_allclose(batched, one_by_one, atol=1e-5)
    chunks = list(embedder.iter_embed(iter(TOY_TEXTS)))
    assert [len(c) for c in chunks] == [4, 4, 1]
    np.testing.assert_allclose(np.concatenate(chunks), one_by_one, atol=1e-5)


def test_is_the_masked_mean_of_sequence_output(tiny):
    encoder, tokenizer = tiny
    embedder = TextEmbedder(encoder, tokenizer, sequence_length=16, normalize=False)
    pre = bert_keras.BertPreprocessor(tokenizer, sequence_length=16)
    x = pre(TOY_TEXTS)
    seq = np.asarray(encoder(x)["sequence_output"])
    mask = np.asarray(x["padding_mask"])[:, :, None]
    want = (seq * mask).sum(1) / mask.sum(1)
    np.testing.assert_allclose(embedder.embed(TOY_TEXTS), want, atol=1e-5)
    normalized = TextEmbedder(encoder, tokenizer, sequence_length=16).embed(TOY_TEXTS)
    np.testing.assert_allclose(normalized, want / np.linalg.norm(want, axis=1, keepdims=True),
                               atol=1e-5)


def test_bf16_encoder_gives_float32_vectors(tmp_path):
    md = tiny_model_dir(tmp_path / "tiny")
    fp32 = TextEmbedder.from_pretrained(md.path, sequence_length=16).embed(TOY_TEXTS)
    bf16 = TextEmbedder.from_pretrained(md.path, sequence_length=16,
                                        dtype="mixed_bfloat16").embed(TOY_TEXTS)
    assert bf16.dtype == np.float32
    assert np.abs(bf16 - fp32).max() < 0.05


def test_empty_and_bad_inputs(tiny):
    encoder, tokenizer = tiny
    embedder = TextEmbedder(encoder, tokenizer, sequence_length=16)
    assert embedder.embed([]).shape == (0, 32)
    with pytest.raises(InputTypeError, match="text 1 is a int"):
        embedder.embed(["good", 3])
    with pytest.raises(InputError, match="sequence_length"):
        TextEmbedder(encoder, tokenizer, sequence_length=1000)
    with pytest.raises(InputError, match="batch_size"):
        TextEmbedder(encoder, tokenizer, batch_size=0)


def test_settings_without_and_with_sentence_transformers_files(tmp_path):
    assert sentence_transformers_settings([str(tmp_path)], 64) == {
        "normalize": True, "pooling": "mean", "sequence_length": 64}
    (tmp_path / "1_Pooling").mkdir()
    (tmp_path / "modules.json").write_text(
        '[{"path": "", "type": "sentence_transformers.models.Transformer"},'
        ' {"path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}]')
    (tmp_path / "1_Pooling" / "config.json").write_text('{"pooling_mode_cls_token": true}')
    (tmp_path / "sentence_bert_config.json").write_text('{"max_seq_length": 128}')
    assert sentence_transformers_settings([str(tmp_path)], 512) == {
        "normalize": False, "pooling": "cls", "sequence_length": 128}
    (tmp_path / "1_Pooling" / "config.json").write_text('{"pooling_mode_max_tokens": true}')
    with pytest.raises(InputError, match="not supported"):
        sentence_transformers_settings([str(tmp_path)], 512)


def test_docstring_example_runs(minilm_path):
    import doctest

    result = doctest.testmod(text_embedder, verbose=False)
    assert result.attempted > 0 and result.failed == 0
