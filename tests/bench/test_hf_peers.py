"""The Hugging Face PyTorch peers of the QA / NER accuracy benchmarks
(bench/hf_qa_peer.py, bench/hf_ner_peer.py): their feature building and
post-processing give the gold answers / tags back from gold positions, and
a tiny end-to-end run prints its RESULT line. Skipped without torch,
transformers or ../shared/data."""

import importlib.util
import os
import sys

import numpy as np
import pytest

from tests.conftest import REPO, shared_path

for _package in ("torch", "transformers"):
    if importlib.util.find_spec(_package) is None:
        pytest.skip(f"the HF peers need {_package} (optional, not in requirements.txt)",
                    allow_module_level=True)

sys.path.insert(0, os.path.join(REPO, "bench"))
import hf_ner_peer  # noqa: E402
import hf_peer_common  # noqa: E402
import hf_qa_peer  # noqa: E402

from bert_keras.data.conll import read_conll  # noqa: E402
from bert_keras.data.squad import read_squad  # noqa: E402
from bert_keras.training.ner_metrics import entity_scores  # noqa: E402


@pytest.fixture(scope="module")
def tokenizer():
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(hf_peer_common.minilm_dir())


def test_qa_gold_positions_give_the_gold_answers_back(tokenizer):
    examples = read_squad(shared_path("SQuAD", "eval-split-v1.1.json")).examples[:200]
    # a short window and stride so that questions span several windows
    enc = tokenizer([e.question for e in examples], [e.context for e in examples],
                    truncation="only_second", max_length=128, stride=32,
                    return_overflowing_tokens=True, return_offsets_mapping=True)
    features = hf_qa_peer.train_features(enc, examples)
    assert len(features) > len(examples)  # contexts were split
    starts, ends = [], []
    for f in features:
        start, end = np.zeros(len(f["input_ids"]) + 3), np.zeros(len(f["input_ids"]) + 3)
        start[f["start_positions"]] = end[f["end_positions"]] = 1.0  # [CLS] when absent
        starts.append(start)
        ends.append(end)
    predictions = hf_qa_peer.best_answers(examples, enc, starts, ends, max_answer_length=30)
    # Every answer within 30 tokens and on word boundaries comes back exactly.
    same = sum(predictions[e.id] == e.answers[0].text for e in examples)
    assert same >= 0.97 * len(examples), same


def test_ner_first_subword_labels_round_trip(tokenizer):
    sentences = read_conll(shared_path("CoNLL-2003", "dev.txt"))[:300]
    labels = ["O"] + sorted({t for s in sentences for t in s.tags} - {"O"})
    label_id = {t: i for i, t in enumerate(labels)}
    enc, word_ids = hf_ner_peer.encode_sentences(tokenizer, sentences, label_id, 128)
    tokens = enc["labels"].tolist()
    assert enc["labels"].shape == enc["input_ids"].shape
    predicted = [hf_ner_peer.word_tags(ids, [max(i, 0) for i in row], labels, len(s.words))
                 for s, ids, row in zip(sentences, word_ids, tokens)]
    assert predicted == [s.tags for s in sentences]
    assert entity_scores([s.tags for s in sentences], predicted)["f1"] == 100.0


@pytest.fixture(scope="module")
def tiny_model_dir(tmp_path_factory):
    """A random 2-layer BERT (no head, as MiniLM) with MiniLM's tokenizer."""
    from transformers import BertConfig, BertModel

    model_dir = str(tmp_path_factory.mktemp("tiny"))
    config = BertConfig(vocab_size=30522, hidden_size=32, num_hidden_layers=2,
                        num_attention_heads=2, intermediate_size=64)
    BertModel(config).save_pretrained(model_dir)
    for name in ("vocab.txt", "tokenizer.json", "tokenizer_config.json",
                 "special_tokens_map.json"):
        with open(os.path.join(hf_peer_common.minilm_dir(), name), "rb") as src, \
                open(os.path.join(model_dir, name), "wb") as dst:
            dst.write(src.read())
    return model_dir


def _result_line(capsys, prefix):
    return [line for line in capsys.readouterr().out.splitlines() if line.startswith(prefix)]


def test_ner_end_to_end_on_a_tiny_model(tiny_model_dir, capsys):
    hf_ner_peer.main(["--model", tiny_model_dir, "--max-train-examples", "64",
                      "--max-eval-examples", "32", "--epochs", "1", "--threads", "1",
                      "--precision", "fp32"])
    assert len(_result_line(capsys, "RESULT ner hf precision=fp32 dev_f1=")) == 1


def test_qa_end_to_end_on_a_tiny_model(tiny_model_dir, capsys):
    hf_qa_peer.main(["--model", tiny_model_dir, "--max-train-examples", "16",
                     "--max-eval-examples", "16", "--epochs", "1", "--threads", "1",
                     "--batch-size", "8", "--max-seq-length", "128", "--doc-stride", "32"])
    assert len(_result_line(capsys, "RESULT qa hf precision=bf16 exact_match=")) == 1
