"""Shared test fixtures: paths to ../shared/data, small configs, and the
embedded MiniLM (skipped with a reason when absent)."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import pytest  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED_DATA = os.environ.get(
    "BERT_KERAS_SHARED_DATA", os.path.join(REPO, "..", "shared", "data"))
FIXTURES = os.path.join(REPO, "tests", "fixtures")


def shared_path(*parts):
    """Path under ../shared/data, or skip the test with the reason."""
    path = os.path.join(SHARED_DATA, *parts)
    if not os.path.exists(path):
        pytest.skip(f"shared data not found: {path} (needs ../shared/data beside the repo)")
    return path


@pytest.fixture(scope="session")
def uncased_vocab():
    return shared_path("vocab", "uncased_L-12_H-768_A-12", "vocab.txt")


@pytest.fixture(scope="session")
def chinese_vocab():
    return shared_path("vocab", "chinese_L-12_H-768_A-12", "vocab.txt")


@pytest.fixture(scope="session")
def minilm_path():
    from bert_keras.checkpoints.builtin import DEFAULT_MODEL, resolve_builtin

    try:
        return resolve_builtin(DEFAULT_MODEL)
    except FileNotFoundError as e:
        pytest.skip(str(e))


@pytest.fixture(scope="session")
def minilm_dir(tmp_path_factory, minilm_path):
    """The embedded MiniLM converted once to a bert_keras model directory."""
    import bert_keras

    out = tmp_path_factory.mktemp("models") / "minilm"
    bert_keras.convert("minilm-l6-h384-uncased", str(out))
    return str(out)


TINY_VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "a", "cat",
              "dog", "sat", "on", "mat", "##s", "run", "##ning", "hello", "world",
              ".", ",", "!", "?", "is", "good", "bad", "movie", "not"]


@pytest.fixture
def tiny_vocab():
    return list(TINY_VOCAB)
