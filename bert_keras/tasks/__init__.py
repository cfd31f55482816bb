"""Task models built on the encoder: pretrainer, classifier, fill-mask."""
