"""Screenshots of a patient record: found from the words that send them; a screenshot of anything else is not."""

from __future__ import annotations

import pytest

from gateway.config import Settings
from gateway.detect.images import ImageDetector, build
from gateway.model import Artifact
from tests.unit.detect import patientfixtures as pf


@pytest.fixture(scope="module")
def detector() -> ImageDetector:
    d = build(Settings())
    d.load()
    return d


def png(name: str, *, size: int = 250_000, width: int = 1600, height: int = 900) -> Artifact:
    meta: dict[str, object] = {"format": "png", "width": width, "height": height}
    return Artifact("image", f"attachment:{name}", name, "image/png", size, metadata=meta)


@pytest.mark.parametrize(
    ("name", "body"),
    [
        (
            "image.png",
            "Screenshot of her EPR below - look at the potassium trend since admission to the ward.",
        ),
        (
            "IMG_2201.png",
            "I snipped his results screen from Cerner so you can see the creatinine, he's on dialysis.",
        ),
        (
            "Screen Shot 2026-03-01.png",
            "The patient's drug chart from the ward, can you check the insulin doses?",
        ),
        ("capture.png", "screengrab of SystmOne for the lady we saw in clinic with the leg ulcer"),
    ],
)
def test_record_screenshot(detector: ImageDetector, name: str, body: str) -> None:
    """An image the message calls a screenshot of a patient record, in a clinical message, is held."""
    (f,) = detector.detect(pf.inspection(body, artifacts=[png(name)]))
    assert f.type == "SCREENSHOT" and f.score >= 0.8
    assert "record" in f.evidence or "clinical" in f.evidence


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("image.png", "Screenshot of the timetable for next week, the room changed."),
        ("Screenshot 2026-03-01.png", "Here's a screenshot of my Moodle quiz score, finally passed!"),
        ("image.png", "Screenshot of the bus times from the hospital to halls."),
    ],
)
def test_other_screenshots(detector: ImageDetector, name: str, body: str) -> None:
    """A screenshot of a timetable, a quiz score or bus times is not a patient image."""
    assert not detector.detect(pf.inspection(body, artifacts=[png(name)]))


def test_logo_is_not_a_screenshot(detector: ImageDetector) -> None:
    """A small signature logo in a message about an EPR screenshot is not itself the screenshot."""
    logo = png("image001.png", size=5000, width=120, height=40)
    body = "Screenshot of his EPR is in the next email; he was admitted to the ward overnight."
    assert not detector.detect(pf.inspection(body, artifacts=[logo]))
