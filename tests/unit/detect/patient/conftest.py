"""A patient detector loaded once for the whole folder (loading spaCy takes a second or two)."""

from __future__ import annotations

import pytest

from gateway.detect.patient import PatientDetector, PatientDetectorOptions


@pytest.fixture(scope="session")
def detector() -> PatientDetector:
    d = PatientDetector(PatientDetectorOptions())
    d.load()
    return d


@pytest.fixture(scope="session")
def detector_without_ner() -> PatientDetector:
    d = PatientDetector(PatientDetectorOptions(ner=False))
    d.load()
    return d
