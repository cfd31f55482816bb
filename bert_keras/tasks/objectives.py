"""The pretraining objective of each model family: one table, read by the
data pipeline (how examples are built), the pretrainer (which heads) and
the CLI (what is printed).

    family    objective                                  examples
    bert      masked LM + next-sentence prediction       [CLS] A [SEP] B [SEP], B random half the time
    albert    masked LM + sentence-order prediction      [CLS] A [SEP] B [SEP], A and B swapped half the time
    roberta   masked LM only (FULL-SENTENCES)            <s> sentences packed up to the length </s>,
                                                         across documents with a </s> between them
    electra   refused: replaced-token detection is not implemented (see `objective_for`)

The sentence-level head (NSP or SOP) is the canonical `nsp` head of the
weight layout (`checkpoints/layout.py`): ALBERT's `sop_classifier` has the
shape of BERT's `cls/seq_relationship` and index 0 means "in order" in both.

    >>> objective_for("albert").sentence_task, objective_for("roberta").heads
    ('sop', ('mlm',))
"""

import dataclasses

from bert_keras.errors import InputError


@dataclasses.dataclass(frozen=True)
class Objective:
    """What a family pretrains on. `sentence_task`: `"nsp"`, `"sop"` or None
    (masked LM alone, one segment per example)."""

    name: str
    sentence_task: str = None

    @property
    def heads(self):
        """Canonical heads the pretrained model directory holds."""
        return ("mlm", "nsp") if self.sentence_task else ("mlm",)

    @property
    def outputs(self):
        """Output (and label) names of the pretrainer: `mlm` and the
        sentence task's own name, so metrics read `sop_accuracy` for ALBERT."""
        return ("mlm", self.sentence_task) if self.sentence_task else ("mlm",)


OBJECTIVES = {
    "bert": Objective("masked LM + next-sentence prediction", "nsp"),
    "albert": Objective("masked LM + sentence-order prediction", "sop"),
    "roberta": Objective("masked LM (full sentences, dynamic masking)", None),
}

# Why ELECTRA is refused rather than trained with a stand-in objective: its
# published objective needs a generator model trained jointly, sampling of
# replaced tokens and a replaced-token head, none of which is here yet.
ELECTRA_REFUSAL = (
    "ELECTRA pretraining is not supported: ELECTRA's objective is replaced-token "
    "detection, which trains a small generator (an MLM encoder) jointly with the "
    "discriminator, and bert_keras has neither the generator nor the "
    "replaced-token head; pretraining the discriminator with masked LM would not be "
    "ELECTRA. Pretrain with google-research/electra (run_pretraining.py) or Hugging "
    "Face ElectraForPreTraining and `bert-keras convert` the checkpoint, or pretrain "
    "a BERT (--config tiny/base), ALBERT (--config albert_base) or RoBERTa "
    "(--config roberta_base) here.")


def objective_for(model_type):
    """The `Objective` of a family; an `InputError` naming why for ELECTRA."""
    if model_type == "electra":
        raise InputError(ELECTRA_REFUSAL)
    if model_type not in OBJECTIVES:
        raise InputError(f"no pretraining objective for model type {model_type!r}; "
                         f"supported: {', '.join(OBJECTIVES)}")
    return OBJECTIVES[model_type]
