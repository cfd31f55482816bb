"""The Keras models of fine-tuned QA and NER model directories, as the
serving exports need them: encoder inputs dict -> QA `(start_logits,
end_logits)` `[batch, length]` / NER logits `[batch, length, labels]`,
float32, with the tokenizer and the stored `task` entry.

They are the models `load_question_answerer` / `load_token_classifier`
build (the one loading path of each task kind), with dropout off.

    >>> from bert_keras.export.task_models import load_span_model
    >>> model, tokenizer, task, config = load_span_model("out/squad")  # doctest: +SKIP
"""


def load_span_model(src):
    """(keras model -> (start_logits, end_logits), tokenizer, task entry,
    BertConfig) of a fine-tuned QA directory."""
    from bert_keras.tasks.question_answering import load_question_answerer, question_answerer_parts

    qa = load_question_answerer(src)
    encoder, _ = question_answerer_parts(qa.model)
    return qa.model, qa.tokenizer, qa.task.to_dict(), encoder.config


def load_token_model(src):
    """(keras model -> logits `[batch, length, labels]`, tokenizer, task
    entry, BertConfig) of a fine-tuned NER directory."""
    from bert_keras.tasks.token_classification import load_token_classifier, token_classifier_parts

    ner = load_token_classifier(src)
    encoder, _ = token_classifier_parts(ner.model)
    return ner.model, ner.tokenizer, ner.task.to_dict(), encoder.config
