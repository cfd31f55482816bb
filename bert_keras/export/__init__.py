"""Export to TF Hub's BERT SavedModel format: a preprocess model (strings to
encoder inputs) and a Reusable SavedModel encoder, trainable or frozen.

    >>> from bert_keras.export import export_hub
    >>> paths = export_hub("minilm-l6-h384-uncased", "out/tfhub/minilm")  # doctest: +SKIP
"""

from bert_keras.export.exporter import export_hub
