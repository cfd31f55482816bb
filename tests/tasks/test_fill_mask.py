"""Fill-mask: a Google TF1 checkpoint with `cls/predictions` gives the
same top tokens and probabilities as an independent numpy BERT; the CLI's
`--json` speaks the hosted-endpoint shape; models without an MLM head fail
clearly."""

import json
import os

import numpy as np
import pytest

from bert_keras.cli.main import main as cli_main
from bert_keras.tasks.fill_mask import FillMask
from tests.reference import numpy_bert
from tests.reference.tf1_checkpoint import (
    GOOGLE_CONFIG, random_tf1_weights, tiny_vocab, write_tf1_checkpoint)

TEXTS = ["tok5 tok6 [MASK] tok7 tok8", "[MASK] tok9 [MASK]"]


@pytest.fixture(scope="module")
def google_model(tmp_path_factory):
    root = tmp_path_factory.mktemp("fill_mask")
    ckpt = write_tf1_checkpoint(str(root / "uncased_L-2_H-64_A-4"), GOOGLE_CONFIG,
                                random_tf1_weights(GOOGLE_CONFIG, seed=3))
    out = str(root / "model")
    assert cli_main(["convert", ckpt, out]) == 0
    return ckpt, out


@pytest.fixture(scope="module")
def fill(google_model):
    return FillMask(google_model[1])


def reference_probs(ckpt, token_ids, positions):
    weights = numpy_bert.load_tf1_checkpoint(os.path.join(ckpt, "bert_model.ckpt"))
    bert = numpy_bert.NumpyBert(weights, num_layers=2, num_heads=4, activation="gelu_tanh")
    ids = np.array([token_ids])
    seq, _ = bert.encode(ids, np.zeros_like(ids), np.ones_like(ids))
    logits = bert.mlm_logits(seq, np.array([positions]))[0]
    return np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)


def test_matches_numpy_reference(google_model, fill):
    ckpt, _ = google_model
    vocab = tiny_vocab(GOOGLE_CONFIG["vocab_size"])
    results = fill.fill_mask(TEXTS, top_k=4)
    assert [len(r) for r in results] == [1, 2]  # one entry per [MASK]
    # text 0: [CLS] tok5 tok6 [MASK] tok7 tok8 [SEP]
    ids = [2] + [vocab.index(t) for t in ("tok5", "tok6")] + [4] + \
          [vocab.index(t) for t in ("tok7", "tok8")] + [3]
    probs = reference_probs(ckpt, ids, [3])[0]
    best = np.argsort(-probs)[:4]
    assert [c["token_id"] for c in results[0][0]] == best.tolist()
    assert [c["token"] for c in results[0][0]] == [vocab[i] for i in best]
    np.testing.assert_allclose([c["score"] for c in results[0][0]], probs[best], atol=1e-5)
    # text 1, second mask: [CLS] [MASK] tok9 [MASK] [SEP] -> position 3
    probs = reference_probs(ckpt, [2, 4, vocab.index("tok9"), 4, 3], [1, 3])
    assert [c["token_id"] for c in results[1][1]] == np.argsort(-probs[1])[:4].tolist()


def test_single_string_and_errors(fill):
    out = fill("tok1 [MASK]", top_k=2)
    assert len(out) == 1 and len(out[0]) == 1 and len(out[0][0]) == 2
    assert out[0][0][0]["score"] >= out[0][0][1]["score"]
    with pytest.raises(ValueError, match="text 1 has no \\[MASK\\]"):
        fill.fill_mask(["[MASK] tok1", "tok2 tok3"])
    with pytest.raises(ValueError, match="top_k"):
        fill.fill_mask("[MASK]", top_k=0)


def test_cli_text_and_json(google_model, fill, capsys):
    _, model = google_model
    assert cli_main(["fill-mask", model, TEXTS[0], "--top-k", "3"]) == 0
    out = capsys.readouterr().out
    expected = [c["token"] for c in fill.fill_mask(TEXTS[0], top_k=3)[0][0]]
    assert TEXTS[0] in out and all(t in out for t in expected)

    payload = json.dumps({"input_data": TEXTS})
    assert cli_main(["fill-mask", model, payload, "--json", "--top-k", "3"]) == 0
    result = json.loads(capsys.readouterr().out)
    want = [[[c["token"] for c in mask] for mask in per_text]
            for per_text in fill.fill_mask(TEXTS, top_k=3)]
    assert result == want  # per text, per [MASK], the top tokens


def test_cli_json_on_stdin(google_model, capsys, monkeypatch):
    import io

    _, model = google_model
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps({"input_data": [TEXTS[0]]})))
    assert cli_main(["fill-mask", model, "--json", "--top-k", "2", "--scores"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert len(result) == 1 and len(result[0][0]) == 2
    assert set(result[0][0][0]) == {"token", "score"}
    monkeypatch.setattr("sys.stdin", io.StringIO('{"inputs": []}'))
    assert cli_main(["fill-mask", model, "--json"]) == 2
    assert "input_data" in capsys.readouterr().err


def test_minilm_has_no_mlm_head(minilm_dir, capsys):
    with pytest.raises(ValueError, match="no masked-LM head"):
        FillMask(minilm_dir)
    assert cli_main(["fill-mask", minilm_dir, "a [MASK] day"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "no masked-LM head" in err
