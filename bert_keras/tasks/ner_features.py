"""Token-classification features: each sentence's words tokenized one by one,
the label on the FIRST sub-word of each word and -100 (ignored by the loss)
on the others and on special and padding tokens; `word_index` ties every
token to its word so predictions aggregate back to words.

Example:
>>> from bert_keras import BertTokenizer
>>> from bert_keras.data.conll import TaggedSentence
>>> tokenizer = BertTokenizer(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
...                            "john", "lives", "in", "new", "york", "##shire"])
>>> sentence = TaggedSentence.from_words(["John", "lives", "in", "Yorkshire"],
...                                      ["B-PER", "O", "O", "B-LOC"])
>>> f = build_ner_features([sentence], tokenizer, ["O", "B-PER", "B-LOC"], max_length=8)
>>> f.token_ids[0].tolist(), f.labels[0].tolist()
([2, 5, 6, 7, 9, 10, 3, 0], [-100, 1, 0, 0, 2, -100, -100, -100])
>>> f.word_index[0].tolist()
[-1, 0, 1, 2, 3, 3, -1, -1]
"""

import dataclasses

import numpy as np

from bert_keras.errors import InputError

IGNORED = -100


@dataclasses.dataclass
class NerFeatures:
    """int32 `[sentences, max_length]` arrays; `labels` is -100 where no loss
    applies; `truncated_words` counts words cut off by `max_length` (they
    are predicted `O`)."""

    token_ids: np.ndarray
    segment_ids: np.ndarray
    padding_mask: np.ndarray
    labels: np.ndarray
    word_index: np.ndarray
    truncated_words: int = 0

    def inputs(self):
        return {"token_ids": self.token_ids, "segment_ids": self.segment_ids,
                "padding_mask": self.padding_mask}


def build_ner_features(sentences, tokenizer, label_list, max_length=128, batch_size=4096):
    """Features of `TaggedSentence`s; tags not in `label_list` raise
    `InputError` (sentences without tags get all labels -100)."""
    label_id = {label: i for i, label in enumerate(label_list)}
    special = tokenizer.special_tokens_dict()
    words = [w for s in sentences for w in s.words]
    pieces = []
    for i in range(0, len(words), batch_size):
        pieces.extend(tokenizer(words[i:i + batch_size]).to_list())
    n = len(sentences)
    token_ids = np.full((n, max_length), special["padding_id"], np.int32)
    labels = np.full((n, max_length), IGNORED, np.int32)
    word_index = np.full((n, max_length), -1, np.int32)
    padding_mask = np.zeros((n, max_length), np.int32)
    truncated = 0
    at = 0
    for row, sentence in enumerate(sentences):
        ids, tags, where = [special["start_of_sequence_id"]], [IGNORED], [-1]
        for w, word in enumerate(sentence.words):
            word_pieces = pieces[at + w]
            if not word_pieces:   # e.g. only removed characters: predicted O
                continue
            if len(ids) + len(word_pieces) > max_length - 1:
                truncated += len(sentence.words) - w
                break
            label = IGNORED
            if sentence.tags:
                tag = sentence.tags[w]
                if tag not in label_id:
                    raise InputError(f"sentence {row}, word {w} ({word!r}): tag {tag!r} "
                                     f"is not one of the labels {list(label_list)}")
                label = label_id[tag]
            ids.extend(word_pieces)
            tags.extend([label] + [IGNORED] * (len(word_pieces) - 1))
            where.extend([w] * len(word_pieces))
        at += len(sentence.words)
        ids.append(special["end_of_segment_id"])
        tags.append(IGNORED)
        where.append(-1)
        token_ids[row, :len(ids)] = ids
        labels[row, :len(ids)] = tags
        word_index[row, :len(ids)] = where
        padding_mask[row, :len(ids)] = 1
    return NerFeatures(token_ids, np.zeros_like(token_ids), padding_mask, labels,
                       word_index, truncated)
