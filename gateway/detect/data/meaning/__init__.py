"""The meaning classifier's fitted model (model.json), written by scripts/train_meaning.py."""
