"""A randomly initialised model (no pretraining), as a `BertModelDir` that
fine-tuning and every command accept: the "from scratch" baseline.

    >>> from bert_keras.config import BertConfig
    >>> vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "good", "bad"]
    >>> md = random_model_dir(BertConfig.preset("tiny", vocab_size=len(vocab)), vocab)
    >>> md.config.vocab_size, len(md.weights) > 0
    (7, True)
"""

from bert_keras.checkpoints import canonical
from bert_keras.checkpoints.model_dir import BertModelDir, TokenizerSettings
from bert_keras.models.factory import make_encoder
from bert_keras.errors import InputError


def random_model_dir(config, vocab, lowercase=True, seed=0):
    import keras

    if config.vocab_size != len(vocab):
        raise InputError(f"config.vocab_size {config.vocab_size} != vocabulary size {len(vocab)}")
    keras.utils.set_random_seed(seed)
    encoder = make_encoder(config)  # any model type
    return BertModelDir(config=config, vocab=list(vocab),
                        weights=canonical.read_encoder(encoder),
                        tokenizer=TokenizerSettings(lowercase=lowercase),
                        source=f"random init (seed {seed})")
