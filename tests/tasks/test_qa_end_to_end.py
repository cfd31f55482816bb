"""The QA building blocks composed (not yet through the training runner): a
tiny encoder with `BertSpanHead` learns to point at a fixed answer, and
post-processing plus the SQuAD metric read the answer back from the
original context."""

import keras
import numpy as np

from bert_keras import BertConfig, BertEncoder, BertTokenizer
from bert_keras.data.squad import Answer, QAExample
from bert_keras.heads.span_head import BertSpanHead
from bert_keras.tasks.qa_features import build_qa_features
from bert_keras.tasks.qa_postprocess import postprocess_qa
from bert_keras.training.qa_metrics import squad_v11_scores
from tests.conftest import TINY_VOCAB


def _span_model(vocab_size):
    config = BertConfig.preset("tiny", vocab_size=vocab_size, num_layers=2, hidden_size=32,
                               num_heads=2, intermediate_size=64, max_position_embeddings=64)
    encoder = BertEncoder(config)
    inputs = {k: keras.Input((None,), dtype="int32", name=k)
              for k in ("token_ids", "segment_ids", "padding_mask")}
    start, end = BertSpanHead()(encoder(inputs)["sequence_output"])
    return keras.Model(inputs, {"start": start, "end": end})


def test_learns_to_answer_and_cuts_from_the_original_context():
    keras.utils.set_random_seed(0)
    tokenizer = BertTokenizer(TINY_VOCAB)
    rng = np.random.default_rng(0)
    words = ["the", "a", "cat", "mat", "sat", "on", "hello", "world"]
    examples = []
    for i in range(48):
        left = " ".join(rng.choice(words, rng.integers(1, 6)))
        right = " ".join(rng.choice(words, rng.integers(1, 6)))
        context = f"{left}  GOOD Movie! {right}"   # the answer, in its original case
        examples.append(QAExample(str(i), "is good ?", context,
                                  (Answer("GOOD Movie", len(left) + 2),)))
    f = build_qa_features(examples, tokenizer, max_length=32, doc_stride=4, max_query_length=4)
    assert (f.start_positions > 0).all()
    model = _span_model(len(TINY_VOCAB))
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    model.compile(keras.optimizers.Adam(3e-3), loss={"start": loss, "end": loss})
    model.fit(f.inputs(), {"start": f.start_positions, "end": f.end_positions},
              epochs=8, batch_size=8, verbose=0)
    out = model.predict(f.inputs(), verbose=0)
    answers = postprocess_qa(examples, f.offsets, f.example_index, out["start"], out["end"])
    assert all(a["answer"] == examples[i].context[a["start"]:a["end"]]
               for i, a in enumerate(answers))
    scores = squad_v11_scores({e.id: a["answer"] for e, a in zip(examples, answers)},
                              {e.id: [x.text for x in e.answers] for e in examples})
    assert scores["exact_match"] >= 90, (scores, answers[:3])
    assert "GOOD Movie" in {a["answer"] for a in answers}
