"""The QA serving SavedModel (question + context strings in, answer out):
equal to the Python pipeline (qa_features + model + qa_postprocess) on
SQuAD contexts several windows long, run in a fresh process that imports
only tensorflow and tensorflow_text, and through saved_model_cli."""

import numpy as np
import pytest
import tensorflow as tf

from tests.conftest import shared_path
from tests.export.fresh_process import saved_model_cli_run, serve_in_fresh_process
from tests.export.task_model_dirs import QA_TASK, task_model_dir


SETUPS = {  # name: (vocabulary, data file, task entry changes)
    "squad": ("uncased_L-12_H-768_A-12", ("SQuAD", "eval-split-v1.1.json"), {}),
    "cmrc2018": ("chinese_L-12_H-768_A-12", ("CMRC2018", "cmrc2018_dev.json"),
                 {"task_name": "cmrc2018", "language": "zh"}),
}


@pytest.fixture(scope="module", params=sorted(SETUPS, reverse=True))
def qa(request, tmp_path_factory):
    """(name, model directory, export) of a tiny random QA model; 4 windows
    a chunk so a request runs over several chunks. (Not verified here: the
    tests below compare more; test_serving_cli exports with verification.)"""
    from bert_keras.export.qa_export import export_qa

    name = request.param
    vocab, _, changes = SETUPS[name]
    root = tmp_path_factory.mktemp(name)
    src = task_model_dir(root / "model", shared_path("vocab", vocab, "vocab.txt"),
                         dict(QA_TASK, **changes))
    return name, src, export_qa(src, str(root / "serving"), chunk_size=4, verify=False)


def qa_examples(name, count=24):
    """Every 50th question, plus (SQuAD) contexts with non-ASCII characters
    (offsets are characters, not bytes)."""
    from bert_keras.data.squad import read_squad

    examples = read_squad(shared_path(*SETUPS[name][1])).examples
    plain = examples[::50][:count // 2]
    non_ascii = [e for e in examples if not e.context.isascii()][::40][:count - len(plain)]
    return plain + non_ascii


def test_answers_equal_the_python_pipeline(qa, tmp_path):
    from bert_keras.export.qa_export import python_answers, qa_settings
    from bert_keras.export.task_models import load_span_model
    from bert_keras.tasks.qa_features import build_qa_features

    name, src, path = qa
    examples = qa_examples(name)
    questions, contexts = [e.question for e in examples], [e.context for e in examples]
    model, tokenizer, task, _ = load_span_model(src)
    s = qa_settings(task)
    windows = np.bincount(build_qa_features(examples, tokenizer, s["sequence_length"],
                                            s["doc_stride"], s["max_query_length"]).example_index)
    assert windows.max() >= 4 and (windows > 1).mean() > 0.5   # long contexts, many windows
    want = python_answers(model, tokenizer, task, questions, contexts)
    # Whole batch, and one example at a time (other chunkings).
    batches = [{"question": questions, "context": contexts},
               {"question": questions[:1], "context": contexts[:1]}]
    got, single = serve_in_fresh_process(path, batches, tmp_path)
    assert len({w["answer"] for w in want}) > len(want) // 2   # the answers vary
    for i, (c, w) in enumerate(zip(contexts, want)):
        assert (got["answer"][i], got["start"][i], got["end"][i]) == \
            (w["answer"], w["start"], w["end"]), i
        assert c[got["start"][i]:got["end"][i]] == got["answer"][i]
        assert got["score"][i] == pytest.approx(w["score"], abs=1e-5)
    assert single["answer"] == got["answer"][:1]
    assert sum(not c.isascii() for c in contexts) >= 12


def test_saved_model_cli_runs_question_and_context(qa, tmp_path):
    from bert_keras.export.qa_export import python_answers
    from bert_keras.export.task_models import load_span_model

    name, src, path = qa
    if name != "squad":
        pytest.skip("one saved_model_cli run is enough")
    question, context = "Who met Bob?", "Ann met Bob in Paris. " * 20
    out = saved_model_cli_run(path, f'question=["{question}"];context=["{context}"]', tmp_path)
    assert "Result for output key answer:" in out
    model, tokenizer, task, _ = load_span_model(src)
    want = python_answers(model, tokenizer, task, [question], [context])[0]
    assert np.load(tmp_path / "start.npy").tolist() == [want["start"]]
    assert np.load(tmp_path / "end.npy").tolist() == [want["end"]]
    assert np.load(tmp_path / "answer.npy", allow_pickle=True)[0].decode() == want["answer"]


@pytest.fixture(scope="module")
def serving(qa):
    import tensorflow_text  # noqa: F401

    if qa[0] != "squad":
        pytest.skip("the graph is the same")
    return tf.saved_model.load(qa[2]).signatures["serving_default"]


def test_empty_context_and_empty_batch(serving):
    out = serving(question=tf.constant(["Who?", "Who?"]), context=tf.constant(["", "   "]))
    assert out["answer"].numpy().tolist() == [b"", b""]
    assert out["score"].numpy().tolist() == [0.0, 0.0]
    assert out["start"].numpy().tolist() == out["end"].numpy().tolist() == [0, 0]
    empty = serving(question=tf.constant([], tf.string), context=tf.constant([], tf.string))
    assert {k: tuple(v.shape) for k, v in empty.items()} == {
        "answer": (0,), "score": (0,), "start": (0,), "end": (0,)}


def test_bad_inputs_are_refused(serving):
    with pytest.raises(tf.errors.InvalidArgumentError, match="must_be_a_1D_batch_of_strings"):
        serving(question=tf.constant([["a", "b"]]), context=tf.constant([["c", "d"]]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="same length"):
        serving(question=tf.constant(["a", "b"]), context=tf.constant(["c"]))


def test_settings_are_checked(tmp_path):
    from bert_keras.errors import InputError
    from bert_keras.export.qa_export import qa_settings

    assert qa_settings({})["doc_stride"] == 128
    with pytest.raises(InputError, match="must exceed"):
        qa_settings({"sequence_length": 64, "max_query_length": 48, "doc_stride": 16})
    with pytest.raises(InputError, match="max_position_embeddings"):
        qa_settings({"sequence_length": 384}, max_positions=128)
