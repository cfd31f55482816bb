"""Training: strategies, pretraining and fine-tuning loops."""
