"""Patient images however they travel (DICOM under any name, photos inside Office and OpenDocument files,
phone photos stripped of camera data), through the real walker, extractors and image detector."""

from __future__ import annotations

import pytest

from gateway.model import Verdict
from tests.unit.detect.patient.image_rows import rows
from tests.unit.detect.patient.test_format_carriers import inspect

ROWS = rows()


@pytest.mark.parametrize(("name", "want", "raw"), ROWS, ids=[r[0] for r in ROWS])
def test_patient_images(name: str, want: str, raw: bytes) -> None:
    """DICOM files and photos of a patient's body in a care setting are held; landscapes, pets, posters,
    models, the writer's own cut and practice kits are delivered."""
    out = inspect(raw)
    images = [f for f in out.findings if f.category == "patient_image"]
    if want == "hold":
        assert out.verdict is Verdict.HOLD and images
    else:
        assert not images, [(f.type, f.evidence) for f in images]
