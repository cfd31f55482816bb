"""Input pipelines: pretraining examples and task datasets."""
