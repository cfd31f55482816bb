"""bert_keras: BERT for Keras 3 on TensorFlow, from raw text to TF-Hub
SavedModels.

    >>> import bert_keras
    >>> encoder = bert_keras.BertEncoder.from_pretrained("minilm-l6-h384-uncased")
    >>> preprocessor = bert_keras.BertPreprocessor.from_pretrained(
    ...     "minilm-l6-h384-uncased", sequence_length=16)
    >>> encoder(preprocessor(["hello world"]))["pooled_output"].shape
    TensorShape([1, 384])
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

from bert_keras.checkpoints import convert, load_model_dir  # noqa: E402
from bert_keras.checkpoints.builtin import DEFAULT_MODEL  # noqa: E402
from bert_keras.config import BertConfig  # noqa: E402
from bert_keras.heads import (  # noqa: E402
    BertClassificationHead, BertMaskedLMHead, BertNextSentenceHead)
from bert_keras.layers.hub_layer import HubLayer  # noqa: E402
from bert_keras.models import BertEncoder  # noqa: E402
from bert_keras.tasks.text_embedder import TextEmbedder  # noqa: E402
from bert_keras.tokenization import (  # noqa: E402
    BertPacker, BertPreprocessor, BertTokenizer, load_vocab, train_vocab)

__version__ = "0.1.0"
