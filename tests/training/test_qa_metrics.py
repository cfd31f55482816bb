"""SQuAD v1.1 and CMRC 2018 metrics on hand-computed cases."""

import pytest

from bert_keras.errors import InputError
from bert_keras.training.qa_metrics import (
    cmrc2018_scores, cmrc_exact_match, cmrc_f1, cmrc_segments, normalize_squad_answer,
    squad_exact_match, squad_f1, squad_v11_scores)


def test_squad_normalization():
    assert normalize_squad_answer("The  Quick, brown fox!") == "quick brown fox"
    assert normalize_squad_answer("an apple a day") == "apple day"
    assert normalize_squad_answer("theater") == "theater"   # whole words only
    # Only ASCII punctuation goes (string.punctuation), as in the script.
    assert normalize_squad_answer("“Hello”") == "“hello”"


def test_squad_exact_match_and_f1():
    assert squad_exact_match("An apple.", "apple") == 1.0
    assert squad_exact_match("apples", "apple") == 0.0
    assert squad_f1("the cat sat", "cat sat on mat") == pytest.approx(2 / 3)
    assert squad_f1("x x y", "x y") == pytest.approx(0.8)   # counts clip
    assert squad_f1("the", "a") == 0.0   # both normalize to nothing


def test_squad_scores_max_over_golds_and_missing_predictions():
    gold = {"q1": ["Denver Broncos", "Broncos"], "q2": ["cat sat on mat"], "q3": ["x"]}
    scores = squad_v11_scores({"q1": "the Broncos", "q2": "cat sat"}, gold)
    assert scores["exact_match"] == pytest.approx(100 / 3)
    assert scores["f1"] == pytest.approx(100 * (1 + 2 / 3) / 3)
    with pytest.raises(InputError):
        squad_v11_scores({}, {})


def test_cmrc_segmentation():
    assert cmrc_segments("iPhone 6手机，很好") == ["iphone", "6", "手", "机", "，", "很", "好"]
    assert cmrc_segments("《北京》", remove_punctuation=True) == ["北", "京"]


def test_cmrc_exact_match_and_f1():
    assert cmrc_exact_match("《北京》", "北京") == 1.0
    assert cmrc_f1("北京市", "北京") == pytest.approx(0.8)
    assert cmrc_f1("iPhone 6手机", "iPhone 6") == pytest.approx(2 / 3)
    # Longest common SUBstring, not subsequence: "北x京" shares 1 segment.
    assert cmrc_f1("北x京", "北京") == pytest.approx(2 * (1 / 3) * (1 / 2) / (1 / 3 + 1 / 2))
    assert cmrc_f1("", "北京") == 0.0


def test_cmrc_scores():
    gold = {"a": ["北京", "北京市"], "b": ["上海"]}
    scores = cmrc2018_scores({"a": "北京市", "b": "南京"}, gold)
    assert scores["exact_match"] == pytest.approx(50.0)
    assert scores["f1"] == pytest.approx(100 * (1 + 0) / 2)
