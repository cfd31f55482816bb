"""QA fine-tuning on the one runner (`QAJob`): a tiny model trains a few
steps on a slice of SQuAD (and CMRC 2018), the dev evaluation returns the
official EM/F1, and the model directory follows the QA/NER/serving
contract."""

import json
import os

import numpy as np
import pytest

from tests.tiny_qa import TINY_WINDOWS, tiny_qa_base, write_squad_slice

FAST = dict(epochs=1, batch_size=8, learning_rate=1e-3, tensorboard=False, verbose=0)


def _finetune(tmp_path, task_name, train, dev, vocab=None, **options):
    from bert_keras.data.tasks import get_task
    from bert_keras.training.finetune import FinetuneOptions, finetune

    base = tiny_qa_base(tmp_path / "base", *([vocab] if vocab else []))
    task = get_task(task_name).with_settings(**{k: v for k, v in TINY_WINDOWS.items()
                                                if k != "sequence_length"})
    out = tmp_path / "out"
    result = finetune(base, task, train, dev, str(out),
                      FinetuneOptions(max_seq_length=64, **FAST, **options), log=lambda m: None)
    return result, out


def test_trains_evaluates_and_saves_by_the_contract(tmp_path):
    from bert_keras.data.squad import read_squad
    from bert_keras.tasks.question_answering import load_question_answerer

    train = write_squad_slice(tmp_path / "train.json", 6)
    dev = write_squad_slice(tmp_path / "dev.json", 4, skip=6)
    result, out = _finetune(tmp_path, "squad", train, dev)
    assert result["complete"] and result["global_step"] >= 3
    best = result["best"]
    assert best["metric"] == "f1" and set(best["metrics"]) == {"f1", "exact_match"}
    assert 0 <= best["metrics"]["exact_match"] <= best["metrics"]["f1"] <= 100

    meta = json.load(open(out / "bert_keras.json"))
    assert meta["heads"] == ["span"]
    assert meta["task"] == {"format": 2, "type": "qa", "task_name": "squad", "language": "en",
                            "metric": "squad", "sequence_length": 64, "doc_stride": 16,
                            "max_query_length": 16, "max_answer_length": 30, "n_best": 20}
    from safetensors.numpy import load_file

    weights = load_file(os.path.join(out, "model.safetensors"))
    assert weights["span/kernel"].shape == (32, 2) and weights["span/bias"].shape == (2,)

    qa = load_question_answerer(str(out))
    again = qa.evaluate(read_squad(dev).examples)
    assert again == pytest.approx({k: best["metrics"][k] for k in again}, abs=1e-6)
    # A context many windows long: the answer is still a span of the text as given.
    context = "  The Denver Broncos\tdefeated the Carolina Panthers.  " * 8
    answers = qa.predict(["Who won?", "Who lost?"], [context, context[:40]], top_k=3)
    for text, found in zip([context, context[:40]], answers):
        assert 1 <= len(found) <= 3
        assert len({(a["start"], a["end"]) for a in found}) == len(found)
        for a in found:
            assert text[a["start"]:a["end"]] == a["answer"] and 0 < a["score"] <= 1
    start, end = qa.model({k: np.zeros((1, 8), "int32") for k in
                           ("token_ids", "segment_ids", "padding_mask")})
    assert start.dtype.name == end.dtype.name == "float32"


def test_bf16_and_mirrored_strategy(tmp_path):
    train = write_squad_slice(tmp_path / "train.json", 8)
    dev = write_squad_slice(tmp_path / "dev.json", 4, skip=8)
    result, out = _finetune(tmp_path, "squad", train, dev, precision="bf16",
                            strategy="mirrored")
    assert result["complete"] and set(result["best"]["metrics"]) == {"f1", "exact_match"}
    assert json.load(open(out / "bert_keras.json"))["heads"] == ["span"]


def test_cmrc2018_chinese_smoke(tmp_path):
    from bert_keras.tasks.question_answering import load_question_answerer

    source = ("CMRC2018", "cmrc2018_trial.json")
    train = write_squad_slice(tmp_path / "train.json", 6, source=source)
    dev = write_squad_slice(tmp_path / "dev.json", 4, skip=6, source=source)
    result, out = _finetune(tmp_path, "cmrc2018", train, dev,
                            vocab=("vocab", "chinese_L-12_H-768_A-12", "vocab.txt"))
    assert result["complete"] and set(result["best"]["metrics"]) == {"f1", "exact_match"}
    qa = load_question_answerer(str(out))
    assert qa.task.language == "zh" and qa.task.metric == "cmrc2018"
    context = "北京是中华人民共和国的首都，位于华北平原北部。"
    answer = qa.predict("中国的首都是哪里？", context)
    assert context[answer["start"]:answer["end"]] == answer["answer"] != ""


def test_bad_data_refused_before_anything_is_written(tmp_path):
    from bert_keras.errors import InputError

    train = write_squad_slice(tmp_path / "train.json", 4)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"data": [{"paragraphs": [{"context": "x", "qas": [
        {"id": "a", "question": "q", "answers": [{"text": "x"}]}]}]}]}))
    with pytest.raises(InputError, match=r"bad.json: article 0/paragraph 0/question 0 \(a\)/"
                                         r"answer 0: missing \"answer_start\""):
        _finetune(tmp_path, "squad", train, str(bad))
    assert not os.path.exists(tmp_path / "out")
