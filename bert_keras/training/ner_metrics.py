"""Entity-level precision, recall and F1 (in percent), as conlleval and
seqeval's default mode compute them: an entity is a maximal chunk of
`B-X`/`I-X` tags (an `I-X` after `O` or after another type starts one), and
counts as correct only with the same start, end and type as a gold one.
Micro-averaged over all entities, plus per type.

    >>> gold = [["B-PER", "I-PER", "O", "B-LOC"]]
    >>> pred = [["B-PER", "I-PER", "O", "B-ORG"]]
    >>> scores = entity_scores(gold, pred)
    >>> scores["f1"], scores["per_type"]["PER"]["f1"]
    (50.0, 100.0)
"""

import collections

from bert_keras.errors import InputError


def get_entities(tags):
    """`(type, first, last)` word index triples of the chunks in `tags`."""
    entities = []
    start, kind = None, None
    for i, tag in enumerate(list(tags) + ["O"]):
        prefix, tag_kind = (tag[0], tag[2:]) if tag != "O" else ("O", None)
        if start is not None and (prefix in "BO" or tag_kind != kind):
            entities.append((kind, start, i - 1))
            start = None
        if prefix != "O" and start is None:
            start, kind = i, tag_kind
    return entities


def entity_scores(gold_tags, predicted_tags):
    """`{"precision", "recall", "f1", "per_type": {type: {"precision",
    "recall", "f1", "support"}}}` over sentences of tags."""
    if len(gold_tags) != len(predicted_tags):
        raise InputError(f"{len(gold_tags)} gold sentences but {len(predicted_tags)} predicted")
    true = collections.Counter()
    gold_count = collections.Counter()
    pred_count = collections.Counter()
    for i, (gold, pred) in enumerate(zip(gold_tags, predicted_tags)):
        if len(gold) != len(pred):
            raise InputError(f"sentence {i}: {len(gold)} gold tags but {len(pred)} predicted")
        gold_set, pred_set = set(get_entities(gold)), set(get_entities(pred))
        for kind, _, _ in gold_set:
            gold_count[kind] += 1
        for kind, _, _ in pred_set:
            pred_count[kind] += 1
        for kind, _, _ in gold_set & pred_set:
            true[kind] += 1
    per_type = {kind: dict(_prf(true[kind], pred_count[kind], gold_count[kind]),
                           support=gold_count[kind])
                for kind in sorted(set(gold_count) | set(pred_count))}
    scores = _prf(sum(true.values()), sum(pred_count.values()), sum(gold_count.values()))
    scores["per_type"] = per_type
    return scores


def _prf(true, predicted, gold):
    precision = 100.0 * true / predicted if predicted else 0.0
    recall = 100.0 * true / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}
