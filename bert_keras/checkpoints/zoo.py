"""The model zoo: every named configuration, its tokenizer, and where its
public checkpoint is published (nothing is downloaded unless asked).

    >>> entry = ZOO["albert_tiny"]
    >>> entry.tokenizer, entry.config.hidden_size
    ('wordpiece (BERT Chinese vocab)', 312)
    >>> parameter_count(ZOO["bert_12_768_12"].config)
    109482240
"""

import dataclasses

import numpy as np

from bert_keras.checkpoints.builtin import BUILTIN
from bert_keras.checkpoints.layout import expected_shapes
from bert_keras.config import PRESETS, BertConfig
from bert_keras.errors import InputError, MissingFileError

_SMALL_BERT = ("https://github.com/google-research/bert "
               "(uncased_L-{l}_H-{h}_A-{a}.zip)")
_WORDPIECE_EN = "wordpiece (uncased English, 30522)"
_WORDPIECE_ZH = "wordpiece (BERT Chinese vocab)"
_SENTENCEPIECE = "sentencepiece (30k-clean)"

# name -> (tokenizer, where the checkpoint is published, Hugging Face repo)
_SOURCES = {
    "tiny": (_WORDPIECE_EN, _SMALL_BERT.format(l=2, h=128, a=2), None),
    "mini": (_WORDPIECE_EN, _SMALL_BERT.format(l=4, h=256, a=4), None),
    "small": (_WORDPIECE_EN, _SMALL_BERT.format(l=4, h=512, a=8), None),
    "medium": (_WORDPIECE_EN, _SMALL_BERT.format(l=8, h=512, a=8), None),
    "base": (_WORDPIECE_EN, _SMALL_BERT.format(l=12, h=768, a=12), "google-bert/bert-base-uncased"),
    "large": (_WORDPIECE_EN, _SMALL_BERT.format(l=24, h=1024, a=16),
              "google-bert/bert-large-uncased"),
    "bert_12_768_12": (_WORDPIECE_EN, "https://storage.googleapis.com/bert_models/"
                       "2018_10_18/uncased_L-12_H-768_A-12.zip", "google-bert/bert-base-uncased"),
    "bert_24_1024_16": (_WORDPIECE_EN, "https://storage.googleapis.com/bert_models/"
                        "2018_10_18/uncased_L-24_H-1024_A-16.zip",
                        "google-bert/bert-large-uncased"),
    "albert_tiny": (_WORDPIECE_ZH, "https://github.com/brightmart/albert_zh "
                    "(albert_tiny_zh_google)", None),
    "albert_small": (_WORDPIECE_ZH, "https://github.com/brightmart/albert_zh "
                     "(albert_small_zh_google)", None),
    "albert_base": (_SENTENCEPIECE, "https://storage.googleapis.com/albert_models/"
                    "albert_base_v2.tar.gz", "albert/albert-base-v2"),
    "albert_large": (_SENTENCEPIECE, "https://storage.googleapis.com/albert_models/"
                     "albert_large_v2.tar.gz", "albert/albert-large-v2"),
    "albert_xlarge": (_SENTENCEPIECE, "https://storage.googleapis.com/albert_models/"
                      "albert_xlarge_v2.tar.gz", "albert/albert-xlarge-v2"),
    "electra_small": (_WORDPIECE_EN, "https://storage.googleapis.com/electra-data/"
                      "electra_small.zip", "google/electra-small-discriminator"),
    "electra_base": (_WORDPIECE_EN, "https://storage.googleapis.com/electra-data/"
                     "electra_base.zip", "google/electra-base-discriminator"),
    "roberta_base": ("bpe (byte-level, 50265)", "https://huggingface.co/FacebookAI/roberta-base",
                     "FacebookAI/roberta-base"),
    "chinese_roberta_wwm_ext": (_WORDPIECE_ZH, "https://github.com/ymcui/Chinese-BERT-wwm",
                                "hfl/chinese-roberta-wwm-ext"),
    "chinese_bert_wwm": (_WORDPIECE_ZH, "https://github.com/ymcui/Chinese-BERT-wwm",
                         "hfl/chinese-bert-wwm"),
    "minilm-l6-h384-uncased": (_WORDPIECE_EN, "embedded: pip package "
                               f"{BUILTIN['minilm-l6-h384-uncased'][2].split()[-1]}",
                               "sentence-transformers/all-MiniLM-L6-v2"),
}

# The fields that make a configuration's shape (dropout etc. do not).
SHAPE_FIELDS = ("model_type", "vocab_size", "hidden_size", "num_layers", "num_heads",
                "intermediate_size", "max_position_embeddings", "type_vocab_size",
                "embedding_dim", "num_hidden_groups", "inner_group_num")


@dataclasses.dataclass(frozen=True)
class ZooEntry:
    name: str
    config: BertConfig
    tokenizer: str
    published: str
    hf_repo: str = None


ZOO = {name: ZooEntry(name, BertConfig.preset(name), *_SOURCES[name]) for name in PRESETS}


def parameter_count(config):
    """Parameters of the encoder (embeddings, blocks, pooler), from the layout."""
    return int(sum(np.prod(shape) for shape in expected_shapes(config).values()))


def check_named_shape(name, config, source):
    """An error unless `config` has the shape of the zoo configuration `name`."""
    if name not in ZOO:
        raise InputError(f"Unknown model name {name!r}; `bert-keras models` lists them")
    want = ZOO[name].config
    diff = [f"{f}={getattr(config, f)} (expected {getattr(want, f)})"
            for f in SHAPE_FIELDS if getattr(config, f) != getattr(want, f)]
    if diff:
        raise InputError(f"{source} is not a {name}: {', '.join(diff)}")


def download(name):
    """Downloads the Hugging Face checkpoint of `name` (needs network
    access and huggingface_hub); returns its local directory."""
    entry = ZOO[name]
    if entry.hf_repo is None:
        raise InputError(f"{name} has no Hugging Face checkpoint to download; get it "
                         f"from {entry.published} and pass --from DIR")
    try:
        from huggingface_hub import snapshot_download
    except ImportError:
        raise MissingFileError("--download needs huggingface_hub (pip install "
                               "huggingface_hub)") from None
    try:
        return snapshot_download(entry.hf_repo, allow_patterns=[
            "config.json", "*.safetensors", "vocab.*", "merges.txt", "*.model",
            "tokenizer_config.json"])
    except Exception as e:  # no network, offline mode, unknown repo, ...
        raise MissingFileError(
            f"cannot download {entry.hf_repo} for {name} ({type(e).__name__}: "
            f"{str(e).splitlines()[0] if str(e) else ''}); download {entry.published} "
            "yourself and pass --from DIR") from None
