"""Detection by meaning: a small trained text classifier, a second opinion beside the rules.

- features.py: a sentence as feature strings (the same code trains and runs)
- relations.py: who and what: a person reference and a health fact in one clause, as features
- windows.py: sentences and the windows of them that are scored, with offsets
- model.py: the fitted weights (gateway/detect/data/meaning/model.json) and their arithmetic
- packing.py: how the model file stores the weights (compact, exact)
- gate.py: the person mention or identifier a patient finding needs beside it
- detector.py: `MeaningDetector`; `build` is the registry factory

Registered in `gateway.detect.registry` as ("meaning", "gateway.detect.meaning", "build").
Trained by scripts/train_meaning.py (scikit-learn, at training time only).
"""

from gateway.detect.meaning.detector import ABUSE_TYPE, PATIENT_TYPE, MeaningDetector, build

__all__ = ["ABUSE_TYPE", "PATIENT_TYPE", "MeaningDetector", "build"]
