"""Issue 11 points 7, 9 and 11: inputs outside what the model can take are
refused, not silently reshaped, wrapped or failed later: string tensors of
rank other than 1 in the preprocess SavedModel, sequence lengths above
`max_position_embeddings` (packer, preprocessor, export, `bert_pack_inputs`),
and negative token ids (Python API and the hub encoder)."""

import numpy as np
import pytest
import tensorflow as tf

from bert_keras.errors import InputError
from tests.export.conftest import make_tiny_model

pytestmark = pytest.mark.silently_wrong

MAX = 64  # max_position_embeddings of the tiny model


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    from bert_keras.checkpoints.model_dir import save_model_dir

    return save_model_dir(make_tiny_model(with_mlm=False), str(tmp_path_factory.mktemp("m") / "m"))


@pytest.fixture(scope="module")
def hub_export(tiny_dir, tmp_path_factory):
    from bert_keras.export import export_hub

    return export_hub(tiny_dir, str(tmp_path_factory.mktemp("hub") / "hub"), seq_length=16,
                      verbose=False)


@pytest.fixture(scope="module")
def preprocess(hub_export):
    import tensorflow_hub as hub
    import tensorflow_text  # noqa: F401

    return hub.load(hub_export["preprocess"])


BAD_RANKS = [[["a cat", "the dog", "sat"], ["a", "b", "c"]], "a cat"]


@pytest.mark.parametrize("bad", BAD_RANKS)
def test_preprocess_refuses_string_tensors_of_other_ranks(preprocess, hub_export, bad):
    loaded = tf.saved_model.load(hub_export["preprocess"])
    calls = [lambda x: preprocess.signatures["serving_default"](sentences=x),
             lambda x: loaded.signatures["serving_default"](sentences=x)]
    for call in calls:
        with pytest.raises(tf.errors.InvalidArgumentError, match="1D_batch_of_strings"):
            call(tf.constant(bad))
    # The Python-level calls refuse them too (the traced signature does not match).
    for call in (preprocess, preprocess.tokenize, loaded, loaded.tokenize):
        with pytest.raises((TypeError, ValueError, tf.errors.InvalidArgumentError)):
            call(tf.constant(bad))
    ok = preprocess.signatures["serving_default"](sentences=tf.constant(["a cat", "dog"]))
    assert ok["input_word_ids"].shape == (2, 16)


def test_bert_pack_inputs_refuses_seq_length_above_max_positions(preprocess):
    tokens = preprocess.tokenize(tf.constant(["the cat sat"]))
    assert preprocess.bert_pack_inputs([tokens], seq_length=MAX)["input_word_ids"].shape == (1, MAX)
    with pytest.raises(tf.errors.InvalidArgumentError, match="max_position_embeddings"):
        preprocess.bert_pack_inputs([tokens], seq_length=MAX + 1)
    with pytest.raises(tf.errors.InvalidArgumentError, match="max_position_embeddings"):
        preprocess.bert_pack_inputs([tokens, tokens], seq_length=tf.constant(513))


def test_export_refuses_seq_length_above_max_positions(tiny_dir, tmp_path, capsys):
    from bert_keras.cli.main import main

    capsys.readouterr()
    assert main(["export", tiny_dir, str(tmp_path / "out"), "--seq-length", str(MAX + 1)]) == 2
    err = capsys.readouterr().err.splitlines()[-1]  # progress lines, then the error
    assert err.startswith("error: ") and str(MAX) in err and str(MAX + 1) in err
    assert not (tmp_path / "out").exists()


def test_preprocessor_and_packer_refuse_lengths_above_max_positions(tiny_dir):
    import bert_keras

    with pytest.raises(InputError, match=f"sequence_length {MAX + 1} .*\\({MAX}\\)"):
        bert_keras.BertPreprocessor.from_pretrained(tiny_dir, sequence_length=MAX + 1)
    pre = bert_keras.BertPreprocessor.from_pretrained(tiny_dir, sequence_length=MAX)
    assert pre(["a cat"])["token_ids"].shape == (1, MAX)
    with pytest.raises(InputError, match="max_position_embeddings"):
        bert_keras.BertPacker(513, 2, 3, 0, max_sequence_length=512)
    with pytest.raises(InputError, match="max_position_embeddings"):
        from bert_keras.tasks.fill_mask import FillMask

        FillMask(make_tiny_model(with_mlm=True), sequence_length=MAX + 1)


def _inputs(ids):
    ids = np.asarray(ids, "int32")
    return {"token_ids": ids, "segment_ids": np.zeros_like(ids), "padding_mask": np.ones_like(ids)}


@pytest.mark.parametrize("bad", [-1, -26])
def test_encoder_refuses_negative_token_ids(tiny_dir, bad):
    import bert_keras

    encoder = bert_keras.BertEncoder.from_pretrained(tiny_dir)
    with pytest.raises(InputError, match="negative ids"):
        encoder(_inputs([[2, bad, 3]]))
    with pytest.raises(InputError, match="negative ids"):
        encoder({**_inputs([[2, 5, 3]]), "segment_ids": np.array([[0, -1, 0]], "int32")})
    # As ids >= vocab_size are (they fail in the embedding lookup).
    with pytest.raises(Exception):
        encoder(_inputs([[2, 26, 3]]))
    assert encoder(_inputs([[2, 25, 3]]))["pooled_output"].shape == (1, 32)


def test_hub_encoder_refuses_negative_and_too_large_ids(hub_export):
    import tensorflow_hub as hub

    encoder = hub.load(hub_export["encoder"])
    serving = encoder.signatures["serving_default"]
    good = [[2, 5, 3]]

    def hub_inputs(ids, types=None):
        ids = tf.constant(ids, tf.int32)
        return {"input_word_ids": ids, "input_mask": tf.ones_like(ids),
                "input_type_ids": tf.zeros_like(ids) if types is None else tf.constant(types)}

    assert encoder(hub_inputs(good))["pooled_output"].shape == (1, 32)
    for ids, types, what in (([[2, -1, 3]], None, "input_word_ids must not be negative"),
                             ([[2, 26, 3]], None, "input_word_ids must be < vocab_size 26"),
                             (good, [[0, -1, 0]], "input_type_ids must not be negative")):
        with pytest.raises(tf.errors.InvalidArgumentError, match=what):
            encoder(hub_inputs(ids, types))
        with pytest.raises(tf.errors.InvalidArgumentError, match=what):
            serving(**hub_inputs(ids, types))
