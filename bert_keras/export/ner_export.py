"""A fine-tuned token classifier (NER) as ONE serving SavedModel: raw text
in, entities with character spans out, padded to the batch's most
entities.

    serving_default(text string [batch])
      -> num_entities int32 [batch]
         entity_type  string [batch, max_entities]  e.g. "PER" ("" = padding)
         entity_text  string [batch, max_entities]  text[start:end]
         entity_start, entity_end int32 [batch, max_entities]
                      characters [start, end) in the text (code points, i.e.
                      Python str indices; -1 = padding)
         entity_score float32 [batch, max_entities] mean probability of the
                      entity's word tags (0 = padding)

Entity j of text i is valid when j < num_entities[i]; entities are in text
order. `max_entities` is the largest `num_entities` of the request (0 when
there is none).

In the graph, as the Python pipeline does (`tasks/ner_words.py` +
`tasks/ner_features.py` + the model + `tasks/ner_postprocess.py`; equal
answers, checked on CoNLL-2003 and CLUENER text in
`tests/export/test_ner_export.py`): the text is split into words by the task's
`word_split` ("words": at white space, each punctuation or CJK character a
word of its own; "characters", CLUENER's default: every non-space
character), each word is tokenized on its own, words are packed
`[CLS] pieces [SEP]` up to `sequence_length` tokens (words that do not fit
are `O`), each word takes the tag of its first piece, and IOB2 chunks of
words are the entities (conlleval's rules: an `I-X` after `O` or another
type starts one). The encoder runs `CHUNK_SIZE` texts at a time. Inputs
must be a 1-D string batch (anything else fails with InvalidArgument).

    >>> from bert_keras.export.ner_export import export_ner
    >>> export_ner("out/conll", "serving/conll")  # doctest: +SKIP
"""

import numpy as np
import tensorflow as tf
import tensorflow_text as tf_text

from bert_keras.errors import ExportCheckError, InputError
from bert_keras.export.hub_preprocess import string_batch
from bert_keras.export.serving_graph import (
    graph_variables, pad_columns, run_in_chunks, save_task_server, trim_to_longest)
from bert_keras.tasks.ner_words import (
    CJK_RANGES, WHITESPACE_RE2, WORD_SPLITS, word_split, words_of_text)
from bert_keras.tokenization.tokenizer import _bytes_to_chars
from bert_keras.utils.atomic_dir import check_output_dir

CHUNK_SIZE = 64
# Words of one character in the "words" split: punctuation (BERT's: ASCII
# symbols and Unicode P*, as tasks/ner_words.is_punctuation) and CJK
# ideographs.
SINGLE_CHARACTER_WORDS = (r"[!-/:-@\[-`{-~]|\p{P}|["
                          + "".join(f"\\x{{{a:X}}}-\\x{{{b:X}}}" for a, b in CJK_RANGES) + "]")


class NerServer(tf.Module):
    """Word split + tokenizer + token classifier + entity chunks behind one
    `tf.function`."""

    def __init__(self, model, tokenizer, task, chunk_size=CHUNK_SIZE):
        super().__init__(name="bert_token_classifier")
        object.__setattr__(self, "_model", model)   # untracked: see graph_variables
        self.model_variables = graph_variables(model)
        self.tokenizer = tokenizer  # tracked: its tables and constants
        self.chunk_size = int(chunk_size)
        self.sequence_length = int(task.get("sequence_length", 128))
        self.word_split = word_split(task)
        ids = tokenizer.special_tokens_dict()
        self._cls, self._sep, self._pad = (int(ids["start_of_sequence_id"]),
                                           int(ids["end_of_segment_id"]), int(ids["padding_id"]))
        # Each label's IOB2 parts, parsed as get_entities parses them.
        labels = list(task["labels"])
        prefixes = ["O" if t == "O" else t[0] for t in labels]
        kinds = sorted({t[2:] for t in labels if t != "O"})
        self._outside_id = labels.index("O")
        self._is_outside = tf.constant([p == "O" for p in prefixes])
        self._is_begin = tf.constant([p == "B" for p in prefixes])
        self._kind = tf.constant([kinds.index(t[2:]) if t != "O" else -1 for t in labels],
                                 tf.int32)
        self._kind_names = tf.constant(kinds or [""])
        self.serve = tf.function(self._entities, autograph=False,
                                 input_signature=[tf.TensorSpec([None], tf.string, name="text")])

    def _words(self, text):
        """Words `[batch, (words)]` and their character starts and ends,
        as `tasks/ner_words.split_words` cuts them."""
        if self.word_split == "characters":
            chars, _ = tf.strings.unicode_split_with_offsets(text, "UTF-8")
            starts = tf.ragged.range(chars.row_lengths())
            keep = chars.with_flat_values(
                ~tf.strings.regex_full_match(chars.flat_values, WHITESPACE_RE2))
            starts = tf.ragged.boolean_mask(starts, keep)
            return tf.ragged.boolean_mask(chars, keep), starts, starts + 1
        # (regex_split stops at a NUL byte; U+0001 is as long and the
        # tokenizer removes both)
        split = tf.strings.regex_replace(text, r"\x{0}", "\x01")
        words, starts, ends = tf_text.regex_split_with_offsets(
            split, f"{WHITESPACE_RE2}+|{SINGLE_CHARACTER_WORDS}", SINGLE_CHARACTER_WORDS)
        return words, _bytes_to_chars(text, starts), _bytes_to_chars(text, ends)

    def _entities(self, text):
        text = string_batch(text, "text")
        batch = tf.shape(text, out_type=tf.int64)[0]
        words, word_start, word_end = self._words(text)
        row = words.value_rowids()
        # Each word tokenized on its own, as build_ner_features does.
        pieces = self.tokenizer(words.flat_values)
        count = pieces.row_lengths()
        total = tf.concat([[0], tf.cumsum(count)], 0)
        upto = total[1:] - tf.gather(tf.gather(total, words.row_splits), row)
        # Words fit while [CLS] + their pieces + [SEP] do; empty words have no token.
        kept = (count > 0) & (upto <= self.sequence_length - 2)
        first = 1 + upto - count    # the word's first token, after [CLS]
        kept_ids = tf.gather(pieces, tf.where(kept)[:, 0]).flat_values
        tokens = tf.RaggedTensor.from_row_lengths(
            kept_ids, tf.math.unsorted_segment_sum(tf.where(kept, count, 0), row, batch))
        rows = tf.shape(tokens.row_splits)[0] - 1

        def column(value):
            return tf.RaggedTensor.from_tensor(tf.fill([rows, 1], tf.constant(value, tf.int32)))

        ids = tf.concat([column(self._cls), tokens, column(self._sep)], axis=1)
        inputs = {"token_ids": ids.to_tensor(self._pad),
                  "segment_ids": tf.zeros_like(ids).to_tensor(0),
                  "padding_mask": tf.ones_like(ids).to_tensor(0)}
        tags = run_in_chunks(self._tags, inputs, self.chunk_size, {
            "label": tf.TensorSpec([self.chunk_size, None], tf.int32),
            "probability": tf.TensorSpec([self.chunk_size, None], tf.float64)})
        at = tf.stack([row, tf.where(kept, first, 0)], 1)
        label = tf.where(kept, tf.gather_nd(tags["label"], at), self._outside_id)
        score = tf.where(kept, tf.gather_nd(tags["probability"], at), 0.0)
        return self._chunks(text, batch, row, words.row_splits, word_start.flat_values,
                            word_end.flat_values, label, score)

    def _tags(self, chunk):
        """Each token's best label and its probability, `[chunk, length]`."""
        length = tf.shape(chunk["token_ids"])[1]
        chunk, _ = trim_to_longest(chunk)
        logits = tf.cast(self._model(chunk, training=False), tf.float64)
        probabilities = tf.nn.softmax(logits, axis=-1)
        label = tf.argmax(probabilities, axis=-1, output_type=tf.int32)
        return {"label": pad_columns(label, length, self._outside_id),
                "probability": pad_columns(tf.reduce_max(probabilities, -1), length, 0.0)}

    def _chunks(self, text, batch, row, row_splits, word_start, word_end, label, score):
        """Entities of the words' tags (get_entities' rules), padded per text."""
        outside = tf.gather(self._is_outside, label)
        kind = tf.gather(self._kind, label)
        index = tf.range(tf.size(row, tf.int64))
        first_in_row = tf.equal(index, tf.gather(row_splits, row))
        previous_outside = tf.concat([[True], outside[:-1]], 0) | first_in_row
        previous_kind = tf.concat([[-1], kind[:-1]], 0)
        # A word outside O starts an entity unless it is an I-X after X.
        starts = ~outside & (tf.gather(self._is_begin, label) | previous_outside
                             | tf.not_equal(kind, previous_kind))
        entity = tf.cumsum(tf.cast(starts, tf.int64)) - 1
        inside = tf.where(~outside)[:, 0]
        n = tf.reduce_sum(tf.cast(starts, tf.int64))
        of = tf.gather(entity, inside)
        last = tf.math.unsorted_segment_max(tf.gather(index, inside), of, n)
        mean = tf.math.unsorted_segment_mean(tf.gather(score, inside), of, n)
        begin = tf.where(starts)[:, 0]
        entity_row = tf.gather(row, begin)
        start = tf.cast(tf.gather(word_start, begin), tf.int32)
        end = tf.cast(tf.gather(word_end, last), tf.int32)
        values = {
            "entity_type": (tf.gather(self._kind_names, tf.gather(kind, begin)), ""),
            "entity_text": (tf.strings.substr(tf.gather(text, entity_row), start, end - start,
                                              unit="UTF8_CHAR"), ""),
            "entity_start": (start, -1), "entity_end": (end, -1),
            "entity_score": (tf.cast(mean, tf.float32), 0.0)}
        out = {}
        for name, (value, padding) in values.items():
            ragged = tf.RaggedTensor.from_value_rowids(value, entity_row, nrows=batch)
            out[name] = ragged.to_tensor(padding)
            out["num_entities"] = tf.cast(ragged.row_lengths(), tf.int32)
        return out


def export_ner(src, out, overwrite=False, verify=True, chunk_size=CHUNK_SIZE):
    """Exports the fine-tuned NER directory `src` to `out` (staged beside
    it, renamed into place once complete and verified). Returns `out`."""
    from bert_keras.export.task_models import load_token_model

    check_output_dir(out, overwrite)  # fail before the slow work
    model, tokenizer, task, config = load_token_model(src)
    length = int(task.get("sequence_length", 128))
    if word_split(task) not in WORD_SPLITS:
        raise InputError(f"{src}: unknown NER word_split {word_split(task)!r} "
                         f"(known: {', '.join(WORD_SPLITS)})")
    if not 3 <= length <= config.max_position_embeddings:
        raise InputError(f"{src}: NER sequence_length {length} must be 3 to the encoder's "
                         f"max_position_embeddings {config.max_position_embeddings}")
    return save_task_server(NerServer(model, tokenizer, task, chunk_size), out, overwrite, task,
                            verify and (lambda tmp: verify_ner(tmp, model, tokenizer, task)))


VERIFY_TEXTS = ["John Smith lives in New York .", "", "EU rejects German call to boycott "
                "British lamb .  Peter Blackburn BRUSSELS 1996-08-22 " * 12,
                "在北京的清华大学 , Zhang San 说"]


def python_entities(model, tokenizer, task, texts):
    """The reference: `words_of_text` + `build_ner_features` + the Keras
    model + `word_predictions` / `entities` (what the export must equal)."""
    from bert_keras.tasks.ner_features import build_ner_features
    from bert_keras.tasks.ner_postprocess import entities, word_predictions

    sentences = [words_of_text(t, word_split(task)) for t in texts]
    f = build_ner_features(sentences, tokenizer, task["labels"],
                           int(task.get("sequence_length", 128)))
    logits = [np.asarray(model({k: v[i:i + 64] for k, v in f.inputs().items()},
                               training=False)) for i in range(0, len(texts), 64)]
    logits = np.concatenate(logits) if logits else np.zeros((0, 1, len(task["labels"])))
    tags, scores = word_predictions(logits, f.word_index, sentences, task["labels"])
    return [entities(s, t, p) for s, t, p in zip(sentences, tags, scores)]


def verify_ner(path, model, tokenizer, task):
    """The reloaded SavedModel must give the Python pipeline's entities."""
    serving = tf.saved_model.load(path).signatures["serving_default"]
    got = serving(text=tf.constant(VERIFY_TEXTS))
    want = python_entities(model, tokenizer, task, VERIFY_TEXTS)
    for i, w in enumerate(want):
        g = served_entities(got, i)
        same = [(a["entity"], a["word"], a["start"], a["end"]) for a in g] == \
            [(b["entity"], b["word"], b["start"], b["end"]) for b in w]
        if not same or any(abs(a["score"] - b["score"]) > 1e-4 for a, b in zip(g, w)):
            raise ExportCheckError(f"exported NER model disagrees with the Python pipeline "
                                   f"on text {i}: {g} vs {w}; nothing was written")


def served_entities(outputs, i):
    """Text `i`'s entities from the serving outputs, as `entities()` lists
    them: `[{"entity", "word", "start", "end", "score"}]`."""
    return [{"entity": outputs["entity_type"][i, j].numpy().decode("utf-8"),
             "word": outputs["entity_text"][i, j].numpy().decode("utf-8"),
             "start": int(outputs["entity_start"][i, j]),
             "end": int(outputs["entity_end"][i, j]),
             "score": float(outputs["entity_score"][i, j])}
            for j in range(int(outputs["num_entities"][i]))]
