"""Extractive question answering models: build, save, load, predict,
evaluate.

A fine-tuned QA model is a normal model directory with `heads: ["span"]`
(the encoder's weights plus `span/kernel [H, 2]`, `span/bias [2]`) and a
`task` entry (a `QATask`: window and answer settings, language, metric).
The Keras model takes the encoder's input dict and returns
`(start_logits, end_logits)`, each `[batch, length]` float32, also under
mixed precision.

`QuestionAnswerer.predict` answers questions on contexts of any length
(the context is cut into overlapping windows, `bert_keras.tasks.
qa_features`) in the shape of Hugging Face's question-answering pipeline:
`{"answer", "score", "start", "end"}`, character offsets into the context
as given, score the span's probability as that pipeline computes it
(`bert_keras.tasks.qa_postprocess`), the span widened to whole words as
that pipeline does by default (`evaluate` scores the spans unwidened, as
the reference training recipes do).

    >>> from bert_keras.tasks.question_answering import load_question_answerer
    >>> qa = load_question_answerer("out/squad")  # doctest: +SKIP
    >>> qa.predict("Who wrote Hamlet?", "Hamlet is a tragedy by William Shakespeare.")  # doctest: +SKIP
    {'answer': 'William Shakespeare', 'score': 0.93, 'start': 23, 'end': 42}
    >>> qa.predict(["Who?", "When?"], ["...", "..."], top_k=2)  # doctest: +SKIP
    [[{...}, {...}], [{...}, {...}]]
"""

import os

import keras
import numpy as np

from bert_keras.checkpoints import canonical
from bert_keras.models.factory import build_encoder
from bert_keras.tokenization.factory import build_tokenizer
from bert_keras.checkpoints.model_dir import META_FILE, BertModelDir, read_model_dir
from bert_keras.errors import InputError
from bert_keras.heads.span_head import BertSpanHead
from bert_keras.models.encoder import BertEncoder
from bert_keras.training.strategy import MultiWorkerFitMixin

INPUTS = ("token_ids", "segment_ids", "padding_mask")


class BertQuestionAnswerer(MultiWorkerFitMixin, keras.Model):
    """The functional span model, with `fit` under `--strategy` training on
    exactly the batches a single device sees."""


def build_question_answerer(encoder):
    """encoder inputs dict -> `(start_logits, end_logits)`, each `[batch,
    length]` float32 (`BertSpanHead`: Dense(2) on `sequence_output`).

    >>> import bert_keras
    >>> encoder = bert_keras.BertEncoder(bert_keras.BertConfig.preset("tiny", vocab_size=100))
    >>> model = build_question_answerer(encoder)
    >>> x = {"token_ids": np.array([[2, 7, 3, 8, 3]]), "segment_ids": np.array([[0, 0, 0, 1, 1]]),
    ...      "padding_mask": np.ones((1, 5), "int32")}
    >>> start, end = model(x)
    >>> tuple(start.shape), end.dtype.name
    ((1, 5), 'float32')
    """
    inputs = {name: keras.Input(shape=(None,), dtype="int32", name=name) for name in INPUTS}
    # The pooler is unused: frozen, so no "gradients do not exist" warning
    # (its weights are still saved, unchanged).
    if getattr(encoder, "pooled_dense", None) is not None:
        encoder.pooled_dense.trainable = False
    sequence = encoder(inputs)["sequence_output"]
    head = BertSpanHead(initializer_range=encoder.config.initializer_range,
                        dtype=encoder.dtype_policy, name="span")
    start, end = head(sequence)
    # Named outputs (identity, float32) so losses and logs read "start"/"end".
    start = keras.layers.Activation("linear", dtype="float32", name="start_logits")(start)
    end = keras.layers.Activation("linear", dtype="float32", name="end_logits")(end)
    return BertQuestionAnswerer(inputs=inputs, outputs=(start, end), name="bert_qa")


def question_answerer_parts(model):
    """(encoder, span head) of a model made by `build_question_answerer`."""
    encoder = next(l for l in model.layers if isinstance(l, BertEncoder))
    head = next(l for l in model.layers if isinstance(l, BertSpanHead))
    return encoder, head


def save_question_answerer(model, out, base, task):
    """Writes `model` as a model directory at `out` (files renamed into
    place, other files in `out` kept). `base`: the `BertModelDir` it was
    fine-tuned from (vocab, tokenizer files and settings); `task`: its
    `QATask` (or `to_dict()`)."""
    from bert_keras.training.checkpoint import save_model_files

    encoder, head = question_answerer_parts(model)
    weights = canonical.read_encoder(encoder)
    weights.update(canonical.read_head(head, "span"))
    task = task if isinstance(task, dict) else task.to_dict()
    md = BertModelDir(config=encoder.config, vocab=base.vocab, weights=weights,
                      tokenizer=base.tokenizer, heads=["span"],
                      source=base.source or base.path or "", task=task, files=base.files)
    return save_model_files(md, out)


def load_question_answerer(src, dtype=None):
    """The `QuestionAnswerer` of a fine-tuned QA model directory."""
    from bert_keras.data.tasks import task_from_dict

    if not os.path.isdir(str(src)):
        raise InputError(f"{src}: no such model directory")
    md = read_model_dir(str(src))
    if not md.task or md.task.get("type") != "qa" or "span" not in md.heads:
        raise InputError(f"{src} is not a fine-tuned question answering model (no qa task / "
                         "span head in its bert_keras.json); fine-tune it first with "
                         "`bert-keras finetune MODEL --task squad ...`")
    task = task_from_dict(md.task, os.path.join(str(src), META_FILE))
    if task.sequence_length > md.config.max_position_embeddings:
        raise InputError(f"{src}: sequence_length {task.sequence_length} exceeds the model's "
                         f"max_position_embeddings ({md.config.max_position_embeddings})")
    model = build_question_answerer(build_encoder(md, dtype=dtype))
    _, head = question_answerer_parts(model)
    canonical.assign_head(head, "span", md.weights, str(src))
    return QuestionAnswerer(model, build_tokenizer(md), task)


class QuestionAnswerer:
    """Answers questions from contexts with a span model.

    Attributes: `model` (Keras: input dict -> `(start_logits,
    end_logits)`), `tokenizer` (with `tokenize_with_offsets`), `task` (the
    `QATask`: windows, answer length, metric).

    Example (a random tiny model: the answer is some span of the context):
    >>> import bert_keras
    >>> from bert_keras.data.tasks import get_task
    >>> vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "who", "sat", "the", "cat", "?"]
    >>> encoder = bert_keras.BertEncoder(bert_keras.BertConfig.preset(
    ...     "tiny", vocab_size=len(vocab), max_position_embeddings=64))
    >>> qa = QuestionAnswerer(build_question_answerer(encoder), bert_keras.BertTokenizer(vocab),
    ...                       get_task("squad").with_settings(sequence_length=32, doc_stride=8,
    ...                                                       max_query_length=8))
    >>> answer = qa.predict("Who sat?", "The  Cat sat.")
    >>> sorted(answer), answer["answer"] == "The  Cat sat."[answer["start"]:answer["end"]]
    (['answer', 'end', 'score', 'start'], True)
    """

    def __init__(self, model, tokenizer, task):
        self.model, self.tokenizer, self.task = model, tokenizer, task

    def predict(self, questions, contexts, top_k=1, batch_size=32):
        """Answers: one dict `{"answer", "score", "start", "end"}` for one
        question (strings), a list for lists; with `top_k` > 1, a list of up
        to `top_k` dicts (best first) in place of each dict. A context
        longer than a window is read window by window."""
        from bert_keras.data.squad import QAExample

        single = isinstance(questions, str)
        questions = [questions] if single else list(questions)
        contexts = [contexts] if isinstance(contexts, str) else list(contexts)
        if len(questions) != len(contexts):
            raise InputError(f"{len(questions)} questions but {len(contexts)} contexts")
        if top_k < 1:
            raise InputError(f"top_k must be at least 1, got {top_k}")
        for i, (q, c) in enumerate(zip(questions, contexts)):
            if not isinstance(q, str) or not isinstance(c, str):
                raise InputError(f"question/context {i}: expected strings, got "
                                 f"{type(q).__name__}/{type(c).__name__}")
        examples = [QAExample(str(i), q, c) for i, (q, c) in enumerate(zip(questions, contexts))]
        # More candidates than asked: aligned to words, two spans may become one.
        ranked = self._answers(examples, batch_size, top_k=top_k + 5)
        answers = [_aligned_to_words(e.context, found)[:top_k]
                   for e, found in zip(examples, ranked)]
        answers = [(found[0] if found else {"answer": "", "score": 0.0, "start": 0, "end": 0})
                   if top_k == 1 else found for found in answers]
        return answers[0] if single else answers

    def evaluate(self, examples, batch_size=32):
        """`{"exact_match", "f1"}` (x100, the task's official metric) on
        `QAExample`s with gold answers (`bert_keras.data.squad`)."""
        gold = {e.id: [a.text for a in e.answers] for e in examples}
        answers = self._answers(examples, batch_size)
        return self.task.scores({e.id: a["answer"] for e, a in zip(examples, answers)}, gold)

    def _answers(self, examples, batch_size, top_k=None):
        from bert_keras.tasks.qa_features import build_qa_features
        from bert_keras.tasks.qa_postprocess import postprocess_qa

        t = self.task
        features = build_qa_features(examples, self.tokenizer, t.sequence_length, t.doc_stride,
                                     t.max_query_length)
        start, end = span_logits(self.model, features, batch_size)
        return postprocess_qa(examples, features.offsets, features.example_index, start, end,
                              t.n_best, t.max_answer_length, top_k=top_k)


def _aligned_to_words(context, answers):
    """Answers widened to whole words (Hugging Face's pipeline default,
    `align_to_words=True`: a span starting inside "Eiffel" at "##iff"
    answers "Eiffel..."), each span once, best first. Words as BERT's basic
    tokenizer splits them: runs of characters between white space,
    punctuation and CJK characters."""
    seen, out = set(), []
    for a in answers:
        start, end = a["start"], a["end"]
        while start > 0 and _in_word(context[start - 1]) and _in_word(context[start]):
            start -= 1
        while end < len(context) and _in_word(context[end]) and _in_word(context[end - 1]):
            end += 1
        if (start, end) not in seen:
            seen.add((start, end))
            out.append({**a, "answer": context[start:end], "start": start, "end": end})
    return out


def _in_word(char):
    """False for white space, punctuation (BERT's definition) and CJK
    characters, which are words of their own."""
    import unicodedata

    if char.isspace():
        return False
    cp = ord(char)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return False
    if unicodedata.category(char).startswith("P"):
        return False
    return not (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF
                or 0x2A700 <= cp <= 0x2CEAF or 0xF900 <= cp <= 0xFAFF
                or 0x2F800 <= cp <= 0x2FA1F)


def span_logits(model, features, batch_size=64):
    """`(start_logits, end_logits)` float32 `[windows, max_length]` of
    `QAFeatures`: windows batched in length order, each batch padded to its
    longest window only (positions past a window's end are -1e4)."""
    import tensorflow as tf

    n, width = features.token_ids.shape if len(features) else (0, 0)
    start = np.full((n, width), -1e4, np.float32)
    end = np.full((n, width), -1e4, np.float32)
    if not n:
        return start, end
    lengths = features.padding_mask.sum(axis=1)
    order = np.argsort(lengths, kind="stable")
    batches = [order[i:i + batch_size] for i in range(0, n, batch_size)]

    def rows(index):
        length = int(lengths[index].max())
        return {k: v[index, :length] for k, v in features.inputs().items()}

    # One dataset for `predict` (it distributes under a strategy); its
    # outputs are ragged across batches of different lengths.
    ds = tf.data.Dataset.from_generator(
        lambda: (rows(b) for b in batches),
        output_signature={k: tf.TensorSpec((None, None), tf.int32) for k in INPUTS}
    ).apply(tf.data.experimental.assert_cardinality(len(batches)))
    out_start, out_end = model.predict(ds, verbose=0)
    for values, target in ((out_start, start), (out_end, end)):
        values = values.to_list() if hasattr(values, "to_list") else list(np.asarray(values))
        for row, index in zip(values, order):
            row = np.asarray(row, np.float32)[:width]
            target[index, :len(row)] = row
            target[index, lengths[index]:] = -1e4
    return start, end
