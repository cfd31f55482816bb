"""Task heads that sit on a `BertEncoder`'s outputs."""

from bert_keras.heads.classification_head import BertClassificationHead
from bert_keras.heads.masked_lm_head import BertMaskedLMHead
from bert_keras.heads.next_sentence_head import BertNextSentenceHead
from bert_keras.heads.token_classification_head import BertTokenClassificationHead
