"""A fine-tuned extractive QA model as ONE serving SavedModel: question and
context strings in, the answer out, with the whole reference pipeline in
the graph.

    serving_default(question string [batch], context string [batch])
      -> answer string [batch]   the span cut from the ORIGINAL context
         start, end int32 [batch] its characters [start, end) in the context
                                  (code points, i.e. Python str indices)
         score float32 [batch]    p(start) * p(end) in its window

    $ python -c "import tensorflow as tf, tensorflow_text; \\
        f = tf.saved_model.load('OUT').signatures['serving_default']; \\
        print(f(question=tf.constant(['Who?']), context=tf.constant(['Ann met Bob.'])))"

In the graph, as `tasks/qa_features.py` + `tasks/qa_postprocess.py` do in
Python (same answers; `tests/export/test_qa_export.py` checks them on SQuAD
contexts several windows long): the question is tokenized and cut to
`max_query_length` tokens; the context is tokenized with character offsets
and cut into windows of `sequence_length` tokens (`[CLS] question [SEP]
window [SEP]`) sharing `doc_stride` tokens; the encoder runs over all
windows, `CHUNK_SIZE` windows at a time (memory of one chunk, whatever the
request); in each window the `n_best` best starts and ends give the spans
inside the context of at most `max_answer_length` tokens, ranked by
start + end logit (first best in the reference's order on ties); the best
span over the windows is the answer; its score is p(start) * p(end), each a
softmax over the window's context tokens and `[CLS]` (Hugging Face's
pipeline). No span (an empty context): answer "", score 0, start = end = 0.

Inputs must be 1-D string batches of the same length (anything else fails
with InvalidArgument). Needs a WordPiece tokenizer (the offsets).

    >>> from bert_keras.export.qa_export import export_qa
    >>> export_qa("out/squad", "serving/squad")  # doctest: +SKIP
"""


import numpy as np
import tensorflow as tf

from bert_keras.errors import ExportCheckError, InputError
from bert_keras.export.hub_preprocess import string_batch
from bert_keras.export.serving_graph import (
    graph_variables, run_in_chunks, save_task_server, trim_to_longest)
from bert_keras.utils.atomic_dir import check_output_dir

# Windows per step of the serving loop (384-token windows: a few hundred MB
# of BERT-Base activations).
CHUNK_SIZE = 32
SETTINGS = {"sequence_length": 384, "doc_stride": 128, "max_query_length": 64,
            "max_answer_length": 30, "n_best": 20}


def qa_settings(task, max_positions=None):
    """The task entry's window and answer settings (defaults for missing
    ones), checked as `build_qa_features` checks them."""
    s = {k: int(task.get(k, v)) for k, v in SETTINGS.items()}
    if (s["max_query_length"] < 1 or s["doc_stride"] < 0 or s["n_best"] < 1
            or s["max_answer_length"] < 1
            or s["sequence_length"] < s["max_query_length"] + s["doc_stride"] + 4):
        raise InputError(f"QA task settings {s}: sequence_length must exceed max_query_length "
                         f"+ doc_stride + 3, and the others must be positive")
    if max_positions is not None and s["sequence_length"] > max_positions:
        raise InputError(f"QA sequence_length {s['sequence_length']} is more than the "
                         f"encoder's max_position_embeddings {max_positions}")
    return s


class QAServer(tf.Module):
    """Tokenizer + windows + span model + best span behind one `tf.function`."""

    def __init__(self, model, tokenizer, task, chunk_size=CHUNK_SIZE):
        super().__init__(name="bert_question_answerer")
        object.__setattr__(self, "_model", model)   # untracked: see graph_variables
        self.model_variables = graph_variables(model)
        self.tokenizer = tokenizer  # tracked: its tables and constants
        self.settings = qa_settings(task)
        self.chunk_size = int(chunk_size)
        ids = tokenizer.special_tokens_dict()
        self._cls, self._sep, self._pad = (int(ids["start_of_sequence_id"]),
                                           int(ids["end_of_segment_id"]), int(ids["padding_id"]))
        spec = [tf.TensorSpec([None], tf.string, name="question"),
                tf.TensorSpec([None], tf.string, name="context")]
        # autograph=False: no data-dependent Python control flow here.
        self.serve = tf.function(self._answer, input_signature=spec, autograph=False)

    def _answer(self, question, context):
        question = string_batch(question, "question")
        context = string_batch(context, "context")
        same = tf.debugging.assert_equal(tf.shape(question)[0], tf.shape(context)[0],
                                         message="question and context must have the same length")
        with tf.control_dependencies([same]):
            question = tf.identity(question)
        windows = self._windows(question, context)
        best = run_in_chunks(self._best_spans, windows["inputs"], self.chunk_size, {
            "rank": tf.TensorSpec([self.chunk_size], tf.float64),
            "score": tf.TensorSpec([self.chunk_size], tf.float32),
            "start": tf.TensorSpec([self.chunk_size], tf.int32),
            "end": tf.TensorSpec([self.chunk_size], tf.int32)})
        # The best window of each example (the first on ties, as the
        # reference keeps the first best it meets). Every example has at
        # least one window.
        by_example = tf.RaggedTensor.from_value_rowids(
            best["rank"], windows["example"], nrows=tf.shape(context, out_type=tf.int64)[0])
        ranks = by_example.to_tensor(-np.inf)
        # (a last column so an empty batch still has one to reduce over)
        ranks = tf.concat([ranks, tf.fill([tf.shape(ranks)[0], 1],
                                          tf.constant(-np.inf, tf.float64))], 1)
        found = tf.reduce_max(ranks, axis=1) > -np.inf   # no valid span: empty answer
        window = by_example.row_splits[:-1] + tf.argmax(ranks, axis=1, output_type=tf.int64)

        def char(side, token):
            at = tf.stack([window, tf.cast(tf.gather(token, window), tf.int64)], 1)
            offset = tf.gather_nd(windows["offsets"][..., side], at)
            return tf.cast(tf.where(found, offset, 0), tf.int32)

        start, end = char(0, best["start"]), char(1, best["end"])
        answer = tf.strings.substr(context, start, end - start, unit="UTF8_CHAR")
        score = tf.where(found, tf.gather(best["score"], window), 0.0)
        return {"answer": answer, "score": score, "start": start, "end": end}

    def _windows(self, question, context):
        """Every example's windows, as `build_qa_features` makes them:
        encoder inputs `[windows, longest]`, each token's character span in
        its context (-1 outside it) and each window's example."""
        s = self.settings
        q_ids = self.tokenizer(question)[:, :s["max_query_length"]]
        c_ids, c_start, c_end = self.tokenizer.tokenize_with_offsets(context)
        q_len = q_ids.row_lengths()
        n = c_ids.row_lengths()
        width = s["sequence_length"] - q_len - 3       # context tokens a window holds
        step = width - s["doc_stride"]
        # Windows start at 0, step, 2 step, ... until one reaches the end.
        count = 1 + tf.maximum(tf.zeros_like(n), (n - width + step - 1) // step)
        example = tf.repeat(tf.range(tf.size(n, tf.int64)), count)
        k = tf.range(tf.reduce_sum(count)) - tf.gather(tf.cumsum(count, exclusive=True), example)
        begin = k * tf.gather(step, example)
        end = tf.minimum(begin + tf.gather(width, example), tf.gather(n, example))
        base = tf.gather(c_ids.row_splits[:-1], example)
        where = tf.ragged.range(base + begin, base + end)
        ctx_ids = tf.gather(c_ids.flat_values, where)
        qw = tf.gather(q_ids, example)
        windows = tf.size(example)

        def column(value, dtype):
            return tf.RaggedTensor.from_tensor(tf.fill([windows, 1], tf.constant(value, dtype)))

        ids = tf.concat([column(self._cls, tf.int32), qw, column(self._sep, tf.int32),
                         ctx_ids, column(self._sep, tf.int32)], axis=1)
        segment = tf.concat([tf.zeros_like(qw), column(0, tf.int32), column(0, tf.int32),
                             tf.ones_like(ctx_ids), column(1, tf.int32)], axis=1)
        none = tf.zeros_like(qw, tf.int64) - 1

        def spans(values):
            return tf.concat([column(-1, tf.int64), none, column(-1, tf.int64),
                              tf.gather(values.flat_values, where), column(-1, tf.int64)], axis=1)

        offsets = tf.stack([spans(c_start).to_tensor(-1), spans(c_end).to_tensor(-1)], -1)
        inputs = {"token_ids": ids.to_tensor(self._pad), "segment_ids": segment.to_tensor(0),
                  "padding_mask": tf.ones_like(ids).to_tensor(0),
                  "in_context": tf.cast(offsets[..., 0] >= 0, tf.int32)}
        return {"inputs": inputs, "offsets": offsets, "example": example}

    def _best_spans(self, chunk):
        """The best span of each window of a chunk: rank (start + end logit,
        -inf when none), score, start and end token."""
        s = self.settings
        chunk, length = trim_to_longest(chunk)
        in_context = tf.cast(chunk.pop("in_context"), tf.bool)
        start_logits, end_logits = self._model(chunk, training=False)
        k = s["n_best"]
        # At least n_best columns, so top_k always has k candidates (the
        # extra ones are outside the context, never valid).
        width = tf.maximum(length, k)
        in_context = tf.pad(in_context, [[0, 0], [0, width - length]])

        # The score's softmax also counts [CLS] (token 0), as Hugging Face's
        # pipeline and qa_postprocess do; spans come from the context only.
        in_softmax = in_context | tf.equal(tf.range(width), 0)[None, :]

        def masked(logits, keep):
            logits = tf.pad(tf.cast(logits, tf.float64), [[0, 0], [0, width - length]])
            return tf.where(keep, logits, tf.constant(-np.inf, tf.float64))

        p_start_all = tf.nn.softmax(masked(start_logits, in_softmax))
        p_end_all = tf.nn.softmax(masked(end_logits, in_softmax))
        start_logits, end_logits = masked(start_logits, in_context), masked(end_logits, in_context)
        # top_k lists equal values lowest index first: the reference's stable sort.
        starts = tf.math.top_k(start_logits, k).indices
        ends = tf.math.top_k(end_logits, k).indices
        ok_s = tf.gather(in_context, starts, batch_dims=1)
        ok_e = tf.gather(in_context, ends, batch_dims=1)
        rank = (tf.gather(start_logits, starts, batch_dims=1)[:, :, None]
                + tf.gather(end_logits, ends, batch_dims=1)[:, None, :])
        span = ends[:, None, :] - starts[:, :, None]
        valid = (ok_s[:, :, None] & ok_e[:, None, :] & (span >= 0)
                 & (span < s["max_answer_length"]))
        rank = tf.reshape(tf.where(valid, rank, tf.constant(-np.inf, tf.float64)), [-1, k * k])
        # argmax takes the first best in (start, end) candidate order, the
        # order in which the reference loops over them.
        best = tf.argmax(rank, axis=1, output_type=tf.int32)
        start = tf.gather(starts, best // k, batch_dims=1)
        end = tf.gather(ends, best % k, batch_dims=1)
        p_start = tf.gather(p_start_all, start, batch_dims=1)
        p_end = tf.gather(p_end_all, end, batch_dims=1)
        found = tf.reduce_any(valid, axis=[1, 2])
        return {"rank": tf.where(found, tf.reduce_max(rank, axis=1), -np.inf),
                "score": tf.where(found, tf.cast(p_start * p_end, tf.float32), 0.0),
                "start": tf.where(found, start, 0), "end": tf.where(found, end, 0)}


def export_qa(src, out, overwrite=False, verify=True, chunk_size=CHUNK_SIZE):
    """Exports the fine-tuned QA directory `src` to `out` (staged beside
    it, renamed into place once complete and verified). Returns `out`."""
    import tensorflow_text  # noqa: F401  (registers the ops the graph uses)

    from bert_keras.export.task_models import load_span_model

    check_output_dir(out, overwrite)  # fail before the slow work
    model, tokenizer, task, config = load_span_model(src)
    if not hasattr(tokenizer, "tokenize_with_offsets"):
        raise InputError(f"{src}: QA export needs a tokenizer with character offsets "
                         f"(WordPiece); {type(tokenizer).__name__} has none")
    qa_settings(task, config.max_position_embeddings)
    return save_task_server(QAServer(model, tokenizer, task, chunk_size), out, overwrite, task,
                            verify and (lambda tmp: verify_qa(tmp, model, tokenizer, task)))


VERIFY_QUESTIONS = ["Who met Bob?", "Where?", "What is the river?"]
VERIFY_CONTEXTS = [
    "Ann met Bob in Paris on Monday.",
    "",
    " ".join(["The Rhine flows through Basel and Cologne to the North Sea."] * 60),
]


def python_answers(model, tokenizer, task, questions, contexts):
    """The reference: `build_qa_features` + the Keras model +
    `postprocess_qa` (what the export must equal)."""
    from bert_keras.data.squad import QAExample
    from bert_keras.tasks.qa_features import build_qa_features
    from bert_keras.tasks.qa_postprocess import postprocess_qa

    s = qa_settings(task)
    examples = [QAExample(str(i), q, c) for i, (q, c) in enumerate(zip(questions, contexts))]
    f = build_qa_features(examples, tokenizer, s["sequence_length"], s["doc_stride"],
                          s["max_query_length"])
    start, end = [], []
    for i in range(0, len(f), 64):
        x = {k: v[i:i + 64] for k, v in f.inputs().items()}
        a, b = model(x, training=False)
        start.append(np.asarray(a))
        end.append(np.asarray(b))
    start = np.concatenate(start) if start else np.zeros((0, s["sequence_length"]))
    end = np.concatenate(end) if end else np.zeros((0, s["sequence_length"]))
    return postprocess_qa(examples, f.offsets, f.example_index, start, end,
                          n_best=s["n_best"], max_answer_length=s["max_answer_length"])


def verify_qa(path, model, tokenizer, task):
    """The reloaded SavedModel must give the Python pipeline's answers."""
    serving = tf.saved_model.load(path).signatures["serving_default"]
    got = serving(question=tf.constant(VERIFY_QUESTIONS), context=tf.constant(VERIFY_CONTEXTS))
    want = python_answers(model, tokenizer, task, VERIFY_QUESTIONS, VERIFY_CONTEXTS)
    for i, w in enumerate(want):
        g = (got["answer"][i].numpy().decode("utf-8"), int(got["start"][i]), int(got["end"][i]))
        if g != (w["answer"], w["start"], w["end"]) or abs(float(got["score"][i]) - w["score"]) > 1e-4:
            raise ExportCheckError(f"exported QA model disagrees with the Python pipeline on "
                                   f"example {i}: {g} vs {w}; nothing was written")
