"""Issue 11, silently wrong answers on the inference paths: `predict` line
input (one output per line, file arguments), invalid UTF-8 on the command
line, the serving SavedModel's input rank, its weight storage and its
chunked execution, and the bounded batches of `predict`/`fill_mask`."""

import io
import json
import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

from tests.conftest import REPO
from tests.tiny_classifier import tiny_model_dir

pytestmark = pytest.mark.silently_wrong


def _make_classifier(root, task_name):
    from bert_keras.models.factory import build_encoder
    from bert_keras.data.tasks import get_task
    from bert_keras.tasks.classifier import build_classifier, classifier_parts, save_classifier

    base = tiny_model_dir()
    model = build_classifier(build_encoder(base), get_task(task_name).num_classes)
    _, head = classifier_parts(model)
    # Distinct logits per class, so different texts give different probabilities.
    head.dense.kernel.assign(np.random.default_rng(0).normal(0, 2, head.dense.kernel.shape))
    return save_classifier(model, root / task_name, base, get_task(task_name).to_dict(32))


@pytest.fixture(scope="module")
def sst2(tmp_path_factory):
    return _make_classifier(tmp_path_factory.mktemp("clf"), "sst2")


@pytest.fixture(scope="module")
def mrpc(tmp_path_factory):
    return _make_classifier(tmp_path_factory.mktemp("clf"), "mrpc")


def cli(*args, stdin=b"", cwd=None):
    env = dict(os.environ, PYTHONPATH=REPO, TF_CPP_MIN_LOG_LEVEL="2")
    return subprocess.run([sys.executable, "-m", "bert_keras.cli.main", *args], input=stdin,
                          capture_output=True, env=env, cwd=cwd, timeout=300)


def test_predict_stdin_gives_one_record_per_line_in_order(sst2):
    from bert_keras.tasks.classifier import load_classifier, predict

    lines = [b"the movie was good .", b"", b"an awful film !", b"   ", b"bad \xff plot"]
    run = cli("predict", sst2, "-", "--json", stdin=b"\n".join(lines) + b"\n")
    assert run.returncode == 1, run.stderr  # some lines were error records
    records = json.loads(run.stdout)
    assert len(records) == len(lines)
    assert [r.get("line") for r in records] == [None, 2, None, 4, None]
    assert "blank" in records[1]["error"] and "blank" in records[3]["error"]
    # The others are the API's answers for the same texts (bytes included), in order.
    want = predict(*load_classifier(sst2), [lines[0], lines[2], lines[4]])
    got = [records[0], records[2], records[4]]
    for g, w in zip(got, want):
        np.testing.assert_allclose(g["probabilities"], w["probabilities"], atol=1e-5)


def in_process(capsys, monkeypatch, *args, stdin=b""):
    """(exit status, stdout, stderr) of the CLI run in this process."""
    from bert_keras.cli.main import main

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    capsys.readouterr()
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def test_predict_text_mode_keeps_alignment_and_pairs_without_tab(mrpc, tmp_path, capsys,
                                                                 monkeypatch):
    data = tmp_path / "pairs.tsv"
    data.write_bytes(b"a good movie\tthe film was good\nno tab here\n\ngood\tbad\r\n")
    status, out, _ = in_process(capsys, monkeypatch, "predict", mrpc, "--input", str(data))
    assert status == 1
    out = out.splitlines()
    assert len(out) == 4
    assert out[1].startswith("error\tline 2:") and "TAB" in out[1]
    assert out[2].startswith("error\tline 3:") and "blank" in out[2]
    assert not out[0].startswith("error") and not out[3].startswith("error")


def test_predict_refuses_a_file_name_as_text(sst2, tmp_path, capsys, monkeypatch):
    data = tmp_path / "texts.tsv"
    data.write_text("the movie was good .\n")
    status, out, err = in_process(capsys, monkeypatch, "predict", sst2, str(data), "--json")
    assert status == 2 and out == ""
    assert err.startswith("error:") and "--input" in err
    status, out, _ = in_process(capsys, monkeypatch, "predict", sst2, "--input", str(data),
                                "--json")
    assert status == 0 and len(json.loads(out)) == 1


def test_invalid_utf8_argument_and_empty_stdin(sst2, capsys, monkeypatch):
    from bert_keras.tasks.classifier import load_classifier, predict

    # argv decodes a stray byte as a surrogate (surrogateescape), as here.
    status, out, _ = in_process(capsys, monkeypatch, "predict", sst2,
                                os.fsdecode(b"bad \xff plot"), "--json")
    assert status == 0
    want = predict(*load_classifier(sst2), [b"bad \xff plot"])[0]
    np.testing.assert_allclose(json.loads(out)["probabilities"], want["probabilities"],
                               atol=1e-5)
    status, _, err = in_process(capsys, monkeypatch, "predict", sst2, "-", stdin=b"")
    assert status == 2 and "empty" in err


def _serving_export(src, out):
    from bert_keras.export.classifier_export import export_classifier

    return export_classifier(src, str(out))


@pytest.fixture(scope="module")
def sst2_serving(sst2, tmp_path_factory):
    return _serving_export(sst2, tmp_path_factory.mktemp("serving") / "sst2")


@pytest.mark.parametrize("bad", [[["good", "bad", "ok"], ["a", "b", "c"]], "good"])
def test_serving_signature_refuses_other_ranks(sst2_serving, bad):
    import tensorflow_text  # noqa: F401

    serve = tf.saved_model.load(sst2_serving).signatures["serving_default"]
    with pytest.raises(tf.errors.InvalidArgumentError, match="1D_batch_of_strings"):
        serve(text=tf.constant(bad))
    assert serve(text=tf.constant(["good", "bad"]))["label_id"].shape == (2,)


def test_pair_serving_refuses_other_ranks_and_length_mismatch(mrpc, tmp_path):
    import tensorflow_text  # noqa: F401

    serve = tf.saved_model.load(_serving_export(mrpc, tmp_path / "s")).signatures[
        "serving_default"]
    with pytest.raises(tf.errors.InvalidArgumentError, match="text_b_must_be_a_1D"):
        serve(text=tf.constant(["a", "b"]), text_b=tf.constant([["a"], ["b"]]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="same length"):
        serve(text=tf.constant(["a", "b"]), text_b=tf.constant(["a"]))


def test_serving_stores_each_weight_once(sst2, sst2_serving):
    from bert_keras.checkpoints.model_dir import WEIGHTS_FILE

    weights = os.path.getsize(os.path.join(sst2, WEIGHTS_FILE))
    variables = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in
                    os.walk(os.path.join(sst2_serving, "variables")) for f in fs)
    # Every weight once (plus the safetensors header / checkpoint metadata),
    # not twice as when the Keras model was tracked beside its tf.Variables.
    assert variables < 1.2 * weights, (variables, weights)


def test_serving_runs_big_batches_in_chunks_with_the_same_results(sst2, tmp_path):
    import tensorflow_text  # noqa: F401

    from bert_keras.export.classifier_export import ClassifierServer
    from bert_keras.tasks.classifier import load_classifier, predict

    model, preprocessor, task = load_classifier(sst2)
    server = ClassifierServer(model, preprocessor, task, chunk_size=4)
    texts = [f"the movie was {'good ' * (i % 5)}." for i in range(11)]  # 3 chunks, 1 partial
    got = server.serve(tf.constant(texts))
    want = predict(model, preprocessor, task, texts)
    np.testing.assert_allclose(got["probabilities"].numpy(),
                               [w["probabilities"] for w in want], atol=1e-5)
    graph = server.serve.get_concrete_function().graph
    assert any(op.type == "While" for op in graph.get_operations())  # the chunk loop
    assert server.serve(tf.constant([], tf.string))["probabilities"].shape == (0, 2)


def test_predict_runs_in_batches_with_the_same_results(sst2):
    from bert_keras.tasks.classifier import load_classifier, predict

    model, preprocessor, task = load_classifier(sst2)
    calls = []

    def counting(x, **kwargs):
        calls.append(int(x["token_ids"].shape[0]))
        return model(x, **kwargs)

    texts = [f"a {'very ' * (i % 7)}good movie" for i in range(23)]
    chunked = predict(counting, preprocessor, task, texts, batch_size=5)
    assert calls == [5, 5, 5, 5, 3]
    whole = predict(model, preprocessor, task, texts, batch_size=len(texts))
    np.testing.assert_allclose([r["probabilities"] for r in chunked],
                               [r["probabilities"] for r in whole], atol=1e-5)


def test_fill_mask_runs_in_batches_with_the_same_results(tmp_path):
    from bert_keras.tasks.fill_mask import FillMask
    from tests.export.conftest import make_tiny_model

    fm = FillMask(make_tiny_model(with_mlm=True))
    texts = [f"the cat [MASK] on the {'mat ' * (i % 4)}." for i in range(9)]
    texts[4] = b"the dog \xff [MASK] ."  # bytes pass through, as in the CLI
    seen = []
    logits = fm.logits
    fm.logits = lambda batch, **kw: seen.append(len(batch)) or logits(batch, **kw)
    chunked = fm.fill_mask(texts, top_k=3, batch_size=4)
    assert seen == [4, 4, 1]
    fm.logits = logits
    whole = fm.fill_mask(texts, top_k=3, batch_size=100)
    assert [[[c["token"] for c in m] for m in t] for t in chunked] == \
           [[[c["token"] for c in m] for m in t] for t in whole]
    with pytest.raises(ValueError, match="text 5 has no \\[MASK\\]"):
        fm.fill_mask(texts[:5] + ["no mask here"], batch_size=4)


def test_encoder_predict_batches_preprocessed_texts_with_the_same_results(tmp_path):
    """The README's bounded-memory way to encode many texts."""
    import bert_keras
    from bert_keras.checkpoints.model_dir import save_model_dir
    from tests.export.conftest import make_tiny_model

    path = save_model_dir(make_tiny_model(with_mlm=False), str(tmp_path / "m"))
    encoder = bert_keras.BertEncoder.from_pretrained(path)
    preprocessor = bert_keras.BertPreprocessor.from_pretrained(path, sequence_length=16)
    x = preprocessor([f"the cat sat on the {'mat ' * (i % 5)}" for i in range(37)])
    batched = encoder.predict(x, batch_size=8, verbose=0)
    whole = encoder(x)
    np.testing.assert_allclose(batched["sequence_output"], whole["sequence_output"], atol=1e-5)


def test_invalid_utf8_bytes_are_dropped_as_in_the_api(sst2):
    from bert_keras.tasks.classifier import load_classifier

    _, preprocessor, _ = load_classifier(sst2)
    ids = preprocessor.tokenizer.tokenize(tf.constant([b"bad \xff plot"])).numpy().tolist()[0]
    good = preprocessor.tokenizer.tokenize(tf.constant(["bad plot"])).numpy().tolist()[0]
    assert ids == good and len(good) == 2


def test_regression_serving_chunks_pairs(tmp_path):
    import tensorflow_text  # noqa: F401

    from bert_keras.export.classifier_export import ClassifierServer
    from bert_keras.tasks.classifier import load_classifier, predict

    model, preprocessor, task = load_classifier(_make_classifier(tmp_path, "stsb"))
    server = ClassifierServer(model, preprocessor, task, chunk_size=3)
    a = [f"the movie {'was ' * i}good" for i in range(7)]
    b = [f"a film {'is ' * (7 - i)}bad" for i in range(7)]
    got = server.serve(tf.constant(a), tf.constant(b))["score"].numpy()
    want = [r["score"] for r in predict(model, preprocessor, task, a, b)]
    np.testing.assert_allclose(got, want, atol=1e-5)
