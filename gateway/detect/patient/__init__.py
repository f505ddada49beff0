"""Patient identifiers in text: NHS, CHI and H&C numbers, hospital numbers, dates of birth,
addresses, phone numbers, names, DICOM header tags and indirect identification.

One recognizer per module, each declaring its Presidio patterns as data
and judging its candidates from the evidence around them; `detector`
runs them in order over every text segment of a message. Word lists live
in `gateway/detect/data/patient/`. Registered in `gateway.detect.registry`
as ("patient", "gateway.detect.patient", "build").
"""

from __future__ import annotations

from gateway.config import Settings
from gateway.detect.base import Resources
from gateway.detect.patient.detector import PatientDetector, PatientDetectorOptions


def build(settings: Settings | None, resources: Resources | None = None) -> PatientDetector:
    """The registry's factory: options from `settings.detect`, the learned entries from `resources`;
    nothing is loaded until `load()`."""
    detector = PatientDetector(PatientDetectorOptions.from_settings(settings))
    if resources is not None and resources.learned is not None:
        detector.learned = resources.learned
    return detector


__all__ = ["PatientDetector", "PatientDetectorOptions", "build"]
