"""Token-classification predictions back to words and to entities with
character spans in the sentence's text.

Each word takes the prediction of its first sub-word (the one trained);
words without a token (cut off by the length limit, or removed by the
tokenizer's cleaning) are `O`. Entities are chunks of IOB2 tags as the
metric reads them; `score` is the mean probability of their words' tags.

Example:
>>> import numpy as np
>>> from bert_keras.data.conll import TaggedSentence
>>> sentence = TaggedSentence.from_words(["John", "lives", "in", "New", "York"])
>>> labels = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]
>>> word_index = np.array([[-1, 0, 1, 2, 3, 4, 4, -1]])
>>> logits = np.full((1, 8, 5), -5.0)
>>> for t, tag in enumerate([0, 1, 0, 0, 3, 4, 0, 0]):
...     logits[0, t, tag] = 5.0
>>> tags, scores = word_predictions(logits, word_index, [sentence], labels)
>>> tags[0]
['B-PER', 'O', 'O', 'B-LOC', 'I-LOC']
>>> [(e["entity"], e["word"], e["start"], e["end"]) for e in entities(sentence, tags[0], scores[0])]
[('PER', 'John', 0, 4), ('LOC', 'New York', 14, 22)]
"""

import numpy as np

from bert_keras.training.ner_metrics import get_entities


def word_predictions(logits, word_index, sentences, label_list):
    """Per sentence, the tag and its probability for every word."""
    logits = np.asarray(logits, np.float64)
    probabilities = np.exp(logits - logits.max(-1, keepdims=True))
    probabilities /= probabilities.sum(-1, keepdims=True)
    all_tags, all_scores = [], []
    for row, sentence in enumerate(sentences):
        tags = ["O"] * len(sentence.words)
        scores = [0.0] * len(sentence.words)
        seen = set()
        for t, w in enumerate(word_index[row]):
            if w < 0 or w in seen:
                continue
            seen.add(w)
            best = int(np.argmax(probabilities[row, t]))
            tags[w], scores[w] = label_list[best], float(probabilities[row, t, best])
        all_tags.append(tags)
        all_scores.append(scores)
    return all_tags, all_scores


def entities(sentence, tags, scores=None):
    """`[{"entity", "word", "start", "end", "score"}]`: character spans in
    `sentence.text`, as Hugging Face's token-classification pipeline with
    aggregation reports them."""
    out = []
    for kind, first, last in get_entities(tags):
        start, end = sentence.spans[first][0], sentence.spans[last][1]
        score = float(np.mean(scores[first:last + 1])) if scores is not None else 1.0
        out.append({"entity": kind, "word": sentence.text[start:end], "start": start,
                    "end": end, "score": score})
    return out
