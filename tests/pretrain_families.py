"""Tiny pretraining configs of ALBERT and RoBERTa and their tokenizers from
../shared/data, for the pretraining tests (tests/training/)."""

from tests.conftest import shared_path

TINY = dict(hidden_size=64, num_layers=2, num_heads=2, intermediate_size=128,
            hidden_dropout=0.0, attention_dropout=0.0)
# vocab_size is the tokenizer's; pretrain sets it.
CONFIGS = {
    "albert": dict(TINY, model_type="albert", vocab_size=1, embedding_size=32,
                   hidden_act="gelu_tanh"),
    "roberta": dict(TINY, model_type="roberta", vocab_size=1, max_position_embeddings=66,
                    type_vocab_size=1, pad_token_id=1, hidden_act="gelu",
                    layer_norm_epsilon=1e-5),
}
# The family's own tokenizer, and the files its model directory carries.
TOKENIZERS = {
    "albert": (("vocab", "albert_30k-clean", "30k-clean.model"), ["spiece.model"]),
    "roberta": (("vocab", "roberta-base", "vocab.json"), ["merges.txt", "vocab.json"]),
}


def family_vocab(family):
    path = shared_path(*TOKENIZERS[family][0])
    if family == "roberta":
        shared_path("vocab", "roberta-base", "merges.txt")
    return path
