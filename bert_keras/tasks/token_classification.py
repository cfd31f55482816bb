"""Token classification (NER): build, save, load, predict entities, evaluate.

A fine-tuned token classifier is a normal model directory with
`heads: ["token_classifier"]` and a `task` entry of type "ner" (its IOB2
labels, "O" first, and the sequence length; see
`bert_keras.data.ner_tasks`). Labels sit on the FIRST sub-word of each word
(`tasks/ner_features.py`); predictions come back to words from that
sub-word and to entities with character spans (`tasks/ner_postprocess.py`).

    >>> import numpy as np, bert_keras
    >>> encoder = bert_keras.BertEncoder(bert_keras.BertConfig.preset("tiny", vocab_size=100))
    >>> model = build_token_classifier(encoder, num_labels=5)
    >>> x = {"token_ids": np.array([[2, 7, 9, 3]]), "segment_ids": np.zeros((1, 4), "int32"),
    ...      "padding_mask": np.ones((1, 4), "int32")}
    >>> tuple(model(x).shape)
    (1, 4, 5)
    >>> split_words("Hi, I'm in New York.")[0]
    ['Hi', ',', 'I', "'", 'm', 'in', 'New', 'York', '.']
"""

import os

import keras
import numpy as np

from bert_keras.checkpoints import canonical
from bert_keras.models.factory import build_encoder
from bert_keras.tokenization.factory import build_tokenizer
from bert_keras.checkpoints.model_dir import META_FILE, BertModelDir, read_model_dir
from bert_keras.data.conll import TaggedSentence
from bert_keras.data.tasks import task_from_dict
from bert_keras.errors import InputError
from bert_keras.heads.token_classification_head import BertTokenClassificationHead
from bert_keras.models.encoder import BertEncoder
from bert_keras.tasks.ner_features import build_ner_features
from bert_keras.tasks.ner_words import split_words  # noqa: F401 (also public here)
from bert_keras.tasks.ner_postprocess import entities, word_predictions
from bert_keras.training.ner_metrics import entity_scores
from bert_keras.training.strategy import MultiWorkerFitMixin

HEAD = "token_classifier"  # the weight layout's head kind


class BertTokenClassifier(MultiWorkerFitMixin, keras.Model):
    """The functional token-classifier graph (`fit` under `--strategy`
    trains on the batches a single device sees)."""


def build_token_classifier(encoder, num_labels, dropout=0.1):
    """encoder inputs dict -> logits `[batch, length, num_labels]` float32."""
    if num_labels < 2:
        raise InputError(f"a token classifier needs at least 2 labels, got {num_labels}")
    inputs = {name: keras.Input(shape=(None,), dtype="int32", name=name)
              for name in ("token_ids", "segment_ids", "padding_mask")}
    # The pooler is unused: frozen, so no "gradients do not exist" warning
    # (its weights are still saved, unchanged).
    if getattr(encoder, "pooled_dense", None) is not None:
        encoder.pooled_dense.trainable = False
    sequence = encoder(inputs)["sequence_output"]
    head = BertTokenClassificationHead(
        num_labels, dropout=dropout, initializer_range=encoder.config.initializer_range,
        dtype=encoder.dtype_policy, name=HEAD)
    return BertTokenClassifier(inputs=inputs, outputs=head(sequence),
                               name="bert_token_classifier")


def token_classifier_parts(model):
    """(encoder, head) of a model made by `build_token_classifier`."""
    encoder = next(l for l in model.layers if isinstance(l, BertEncoder))
    head = next(l for l in model.layers if isinstance(l, BertTokenClassificationHead))
    return encoder, head


def save_token_classifier(model, out, base, task):
    """Writes `model` as a model directory at `out` (files renamed into
    place; other files in `out`, the training state, are kept). `base` is
    the `BertModelDir` it was fine-tuned from, `task` an `NerTask`."""
    from bert_keras.training.checkpoint import save_model_files

    encoder, head = token_classifier_parts(model)
    weights = canonical.read_encoder(encoder)
    weights.update(canonical.read_head(head, HEAD))
    md = BertModelDir(config=encoder.config, vocab=base.vocab, weights=weights,
                      tokenizer=base.tokenizer, heads=[HEAD],
                      source=base.source or base.path or "", task=task.to_dict(),
                      files=base.files)
    return save_model_files(md, out)


def load_token_classifier(src, dtype=None, batch_size=32):
    """The `TokenClassifier` of a fine-tuned model directory."""
    md = read_model_dir(src)
    if not md.task or md.task.get("type") != "ner" or HEAD not in md.heads:
        raise InputError(f"{src} is not a fine-tuned token classifier (no NER task / "
                         f"{HEAD} head in its {META_FILE}); fine-tune one with "
                         "`bert-keras finetune MODEL --task conll2003|cluener|ner`")
    task = task_from_dict(md.task, os.path.join(str(src), META_FILE))
    encoder = build_encoder(md, dtype=dtype)
    model = build_token_classifier(encoder, task.num_classes, dropout=0.0)
    canonical.assign_head(token_classifier_parts(model)[1], HEAD, md.weights, str(src))
    return TokenClassifier(model, build_tokenizer(md), task, batch_size)


class TokenClassifier:
    """A fine-tuned token classifier: entities in raw text, entity F1 on
    tagged sentences.

    `predict` cuts each text into words, then labels each word by its first
    sub-word and joins B-/I- words into entities, as Hugging Face's
    token-classification pipeline with `aggregation_strategy="first"` does.
    Words: for English tasks (`word_split="words"`) the text is split at
    white space, and each punctuation or CJK character is a word of its own
    (BERT's basic tokenizer); for Chinese tasks such as CLUENER
    (`"characters"`) every non-space character is a word. `start`/`end` are
    Python string indices into the ORIGINAL text: `text[start:end] ==
    word`. Words past the model's sequence length are not tagged.

    Example (`out/conll` made by `bert-keras finetune ... --task conll2003`):
    >>> ner = load_token_classifier("out/conll")  # doctest: +SKIP
    >>> ner.predict(["John Smith lives in New York."])  # doctest: +SKIP
    [[{'entity': 'PER', 'word': 'John Smith', 'start': 0, 'end': 10, 'score': 0.99},
      {'entity': 'LOC', 'word': 'New York', 'start': 20, 'end': 28, 'score': 0.99}]]
    >>> ner.evaluate(read_conll("CoNLL-2003/dev.txt"))["f1"]  # doctest: +SKIP
    88.3
    """

    def __init__(self, model, tokenizer, task, batch_size=32):
        self.model, self.tokenizer, self.task = model, tokenizer, task
        self.batch_size = batch_size
        self.config = token_classifier_parts(model)[0].config
        self._logits = logits_function(model)

    @property
    def labels(self):
        return list(self.task.labels)

    def predict(self, texts):
        """Per text (str, or UTF-8 bytes), a list of entities
        `{"entity", "word", "start", "end", "score"}` (score: the mean
        probability of the entity's word tags)."""
        if isinstance(texts, (str, bytes)):
            texts = [texts]
        sentences = []
        for text in texts:
            if isinstance(text, bytes):
                text = text.decode("utf-8", errors="replace")
            if not isinstance(text, str):
                raise InputError(f"texts must be strings, got {type(text).__name__}")
            words, spans = split_words(text, self.task.word_split)
            sentences.append(TaggedSentence(words, [], text, spans))
        tags, scores = self._word_predictions(sentences)
        return [entities(s, t, p) for s, t, p in zip(sentences, tags, scores)]

    def evaluate(self, sentences, source="data"):
        """Entity-level `{"f1", "precision", "recall", "per_type": {type:
        f1}}` in percent (as conlleval) over `TaggedSentence`s or a file of
        the task's format."""
        if isinstance(sentences, (str, os.PathLike)):
            source = os.fspath(sentences)
            sentences = self.task.read(source)
        self.task.check_tags(sentences, source)
        tags, _ = self._word_predictions(sentences)
        scores = entity_scores([s.tags for s in sentences], tags)
        scores["per_type"] = {k: v["f1"] for k, v in scores["per_type"].items()}
        return scores

    def _word_predictions(self, sentences):
        features = build_ner_features(
            [TaggedSentence(s.words, [], s.text, s.spans) for s in sentences],
            self.tokenizer, self.task.labels, self.task.sequence_length)
        logits = token_logits(self._logits, features, self.batch_size)
        return word_predictions(logits, features.word_index, sentences, self.task.labels)


def logits_function(model):
    """One traced function for every batch shape (no retracing per length)."""
    import tensorflow as tf

    spec = {k: tf.TensorSpec([None, None], tf.int32)
            for k in ("token_ids", "segment_ids", "padding_mask")}
    return tf.function(lambda x: model(x, training=False), input_signature=[spec])


def token_logits(function, features, batch_size=64):
    """Logits `[sentences, max_length, labels]` of `features`: sentences of
    similar length batched together, each batch cut to its longest."""
    lengths = features.padding_mask.sum(axis=1)
    order = np.argsort(lengths, kind="stable")
    out = None
    for start in range(0, len(order), batch_size):
        rows = order[start:start + batch_size]
        width = max(int(lengths[rows].max()), 1)
        x = {k: v[rows, :width].astype("int32") for k, v in features.inputs().items()}
        logits = np.asarray(function(x), "float32")
        if out is None:
            out = np.zeros(features.token_ids.shape + (logits.shape[-1],), "float32")
        out[rows, :width] = logits
    if out is not None and not np.isfinite(out).all():
        raise InputError("the model's outputs are NaN/Inf; the model is broken")
    return out if out is not None else np.zeros(features.token_ids.shape + (1,), "float32")


def ner_scores(function, sentences, features, labels, batch_size=64):
    """Entity P/R/F1 (percent, with per-type scores) of the model behind
    `function` (see `logits_function`) on gold `TaggedSentence`s and their
    `features`."""
    logits = token_logits(function, features, batch_size)
    tags, _ = word_predictions(logits, features.word_index, sentences, labels)
    return entity_scores([s.tags for s in sentences], tags)
