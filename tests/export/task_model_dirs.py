"""Tiny fine-tuned QA and NER model directories with random weights, written
as the QA/NER model-directory contract says (heads "span" /
"token_classifier" in the one weight layout, the task entry), for the
serving-export tests."""

import numpy as np

from bert_keras.tokenization.vocab import load_vocab

# Windows of 64 tokens: SQuAD contexts (~150 tokens) span several.
QA_TASK = {"format": 2, "type": "qa", "task_name": "squad", "language": "en",
           "sequence_length": 64, "doc_stride": 16, "max_query_length": 16,
           "max_answer_length": 30, "n_best": 20}
CONLL_LABELS = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"]
CLUENER_TYPES = ["address", "book", "company", "game", "government", "movie", "name",
                 "organization", "position", "scene"]
CLUENER_LABELS = ["O"] + [f"{p}-{t}" for t in CLUENER_TYPES for p in "BI"]


def ner_task(task_name, labels, sequence_length=64):
    return {"format": 2, "type": "ner", "task_name": task_name, "labels": list(labels),
            "sequence_length": sequence_length}


def task_model_dir(path, vocab, task, seed=0):
    """Writes a 2-layer, hidden-32 random model directory for `task` (a QA
    or NER task entry) with `vocab` (a vocab.txt path or a token list);
    returns `path`.
    Weights are drawn wide (0.2) so logits are far apart and answers and
    tags vary from token to token."""
    import keras

    from bert_keras.checkpoints import canonical
    from bert_keras.checkpoints.model_dir import BertModelDir, TokenizerSettings, save_model_dir
    from bert_keras.config import BertConfig
    from bert_keras.models import make_encoder

    vocab = load_vocab(vocab) if isinstance(vocab, str) else list(vocab)
    keras.utils.set_random_seed(seed)
    config = BertConfig.preset(
        "tiny", vocab_size=len(vocab), num_layers=2, hidden_size=32, num_heads=2,
        intermediate_size=64, max_position_embeddings=128, initializer_range=0.2)
    weights = canonical.read_encoder(make_encoder(config))
    rng = np.random.default_rng(seed)
    if task["type"] == "qa":
        head, classes = "span", 2
    else:
        head, classes = "token_classifier", len(task["labels"])
    weights[f"{head}/kernel"] = rng.normal(0, 0.5, (config.hidden_size, classes))
    weights[f"{head}/bias"] = rng.normal(0, 0.5, (classes,))
    weights = {k: np.asarray(v, np.float32) for k, v in weights.items()}
    md = BertModelDir(config=config, vocab=vocab, weights=weights,
                      tokenizer=TokenizerSettings(lowercase=True), heads=[head],
                      source=f"random {task['type']} (seed {seed})", task=dict(task))
    return save_model_dir(md, str(path))
