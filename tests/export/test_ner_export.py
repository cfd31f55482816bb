"""The NER serving SavedModel (text in, padded entities out): equal to the
Python pipeline (ner_words + ner_features + model + ner_postprocess) on
CoNLL-2003 (whitespace words) and CLUENER (characters) text, run in a fresh
process that imports only tensorflow and tensorflow_text, and through
saved_model_cli."""

import numpy as np
import pytest
import tensorflow as tf

from tests.conftest import shared_path
from tests.export.fresh_process import saved_model_cli_run, serve_in_fresh_process
from tests.export.task_model_dirs import CLUENER_LABELS, CONLL_LABELS, ner_task, task_model_dir

# Raw text the data sets do not have: odd whitespace (tab, newline, NBSP,
# ideographic space, U+001C that Python splits on but BERT removes), a NUL,
# accents, nothing at all.
ODD_TEXTS = ["  Peter\tBlackburn\nin BRUSSELS\u00a0on 1996-08-22\u3000.", "",
             "   ", "a\x1cb caf\u00e9 M\u00fcller\x00 S\u00e3o Paulo", "北京 is in China",
             "\u201cQuoted\u201d (U.S.) don't; 3.5% \u2014 e-mail@x.org \u00bfQu\u00e9?"]
SETUPS = {  # name: (vocabulary, labels, data reader)
    "conll2003": ("uncased_L-12_H-768_A-12", CONLL_LABELS, "conll"),
    "cluener": ("chinese_L-12_H-768_A-12", CLUENER_LABELS, "cluener"),
}


@pytest.fixture(scope="module", params=sorted(SETUPS))
def ner(request, tmp_path_factory):
    """(name, model directory, export) of a tiny random NER model; 32-token
    sequences so long sentences are cut (their last words are O), 4 texts
    a chunk."""
    from bert_keras.export.ner_export import export_ner

    name = request.param
    vocab, labels, _ = SETUPS[name]
    root = tmp_path_factory.mktemp(name)
    src = task_model_dir(root / "model", shared_path("vocab", vocab, "vocab.txt"),
                         ner_task(name, labels, sequence_length=32))
    return name, src, export_ner(src, str(root / "serving"), chunk_size=4, verify=False)


def data_texts(name, count=40):
    if name == "conll2003":
        from bert_keras.data.conll import read_conll

        return [s.text for s in read_conll(shared_path("CoNLL-2003", "dev.txt"))[:count]]
    from bert_keras.data.cluener import read_cluener

    return [s.text for s in read_cluener(shared_path("CLUENER", "dev.json"))[:count]]


def test_entities_equal_the_python_pipeline(ner, tmp_path):
    from bert_keras.export.ner_export import python_entities
    from bert_keras.export.task_models import load_token_model

    name, src, path = ner
    texts = data_texts(name) + ODD_TEXTS
    model, tokenizer, task, _ = load_token_model(src)
    want = python_entities(model, tokenizer, task, texts)
    got, single = serve_in_fresh_process(path, [{"text": texts}, {"text": texts[:1]}], tmp_path)
    assert sum(len(w) for w in want) > len(texts)   # random tags: many entities
    assert len(got["num_entities"]) == len(texts)
    assert len(got["entity_type"][0]) == max(len(w) for w in want)   # padded to the most
    for i, (text, w) in enumerate(zip(texts, want)):
        n = got["num_entities"][i]
        assert n == len(w), i
        served = list(zip(got["entity_type"][i][:n], got["entity_text"][i][:n],
                          got["entity_start"][i][:n], got["entity_end"][i][:n]))
        assert served == [(e["entity"], e["word"], e["start"], e["end"]) for e in w], i
        np.testing.assert_allclose(got["entity_score"][i][:n], [e["score"] for e in w],
                                   atol=1e-5)
        assert all(text[s:e] == t for _, t, s, e in served)
        assert set(got["entity_type"][i][n:]) <= {""}
        assert set(got["entity_start"][i][n:]) <= {-1}
    assert single["entity_text"][0] == got["entity_text"][0][:single["num_entities"][0]]


def test_saved_model_cli_runs_text(ner, tmp_path):
    name, _, path = ner
    if name != "conll2003":
        pytest.skip("one saved_model_cli run is enough")
    out = saved_model_cli_run(path, 'text=["John Smith lives in New York .", ""]', tmp_path)
    assert "Result for output key entity_type:" in out
    assert np.load(tmp_path / "num_entities.npy").shape == (2,)
    assert np.load(tmp_path / "num_entities.npy")[1] == 0


def test_empty_batch_and_bad_inputs(ner):
    import tensorflow_text  # noqa: F401

    name, _, path = ner
    if name != "conll2003":
        pytest.skip("the graph is the same")
    serving = tf.saved_model.load(path).signatures["serving_default"]
    empty = serving(text=tf.constant([], tf.string))
    assert tuple(empty["num_entities"].shape) == (0,)
    assert tuple(empty["entity_type"].shape) == (0, 0)
    nothing = serving(text=tf.constant(["", " \n"]))
    assert nothing["num_entities"].numpy().tolist() == [0, 0]
    assert tuple(nothing["entity_start"].shape) == (2, 0)
    with pytest.raises(tf.errors.InvalidArgumentError, match="must_be_a_1D_batch_of_strings"):
        serving(text=tf.constant([["a", "b"]]))


def test_words_of_text_split_as_the_python_predictor():
    from bert_keras.tasks.ner_words import WHITESPACE_CODE_POINTS, word_split, words_of_text

    assert set(WHITESPACE_CODE_POINTS) == {c for c in range(0x110000) if chr(c).isspace()}
    for text in ODD_TEXTS:
        sentence = words_of_text(text)
        assert [text[s:e] for s, e in sentence.spans] == sentence.words
        assert "".join(sentence.words) == "".join(text.split())
    assert words_of_text("New-York, 北京!").words == ["New", "-", "York", ",", "北", "京", "!"]
    chars = words_of_text("北京 a", "characters")
    assert chars.words == ["北", "京", "a"] and chars.spans == [(0, 1), (1, 2), (3, 4)]
    assert word_split({"task_name": "cluener"}) == "characters"
    assert word_split({"task_name": "cluener", "word_split": "words"}) == "words"
    assert word_split({"task_name": "conll2003"}) == "words"
