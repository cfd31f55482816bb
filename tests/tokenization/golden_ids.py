"""The golden ids of `scripts/make_golden_tokenizer_ids.py` (Hugging Face's
ALBERT and RoBERTa tokenizers on SST-2/MRPC dev slices and hard strings)."""

import hashlib
import json
import os

import pytest

from tests.conftest import FIXTURES, shared_path
from tests.tokenization.test_tokenizer_parity import _assert_same_ids as assert_same_ids  # noqa: F401

GOLDEN_FILE = os.path.join(FIXTURES, "tokenizer_golden_ids.json")


def load_golden():
    with open(GOLDEN_FILE, encoding="utf-8") as f:
        return json.load(f)


def checked_vocab_file(golden, *parts):
    """Path of a shared tokenizer file; the test fails if it is not the file
    the golden ids were made from."""
    path = shared_path("vocab", *parts)
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    key = "/".join(parts)
    if digest != golden["files"][key]:
        pytest.fail(f"{path} is not the file the golden ids were made from ({key})")
    return path
