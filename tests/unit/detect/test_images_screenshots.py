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


RESULTS = (
    "Her bloods from this morning, the lady in bed 12 on ward 5: potassium 6.2 and the creatinine is up."
)


@pytest.mark.parametrize(
    ("meta", "size", "held"),
    [
        ({"format": "png", "width": 1000, "height": 600}, 4_000, True),
        ({"format": "png", "width": 1170, "height": 2532}, 9_000, True),
        ({"format": "bmp", "width": 1366, "height": 768}, 3_000_000, True),
        ({"format": "png", "width": 999, "height": 600}, 4_000, False),
        ({"format": "png", "width": 1000, "height": 599}, 4_000, False),
        ({"format": "jpeg", "width": 1920, "height": 1080}, 4_000, False),
        ({"format": "png", "width": "wide", "height": 1080}, 4_000, False),
    ],
)
def test_screen_sized_picture(
    detector: ImageDetector, meta: dict[str, object], size: int, held: bool
) -> None:
    """A lossless picture at least 1000 x 600 (either way round) with no screenshot name, sent with a patient's
    results where patients are, is a screenshot of a record however few bytes it takes; smaller, or a JPEG, is
    not a screenshot (what else it may be is for the photo rules)."""
    art = Artifact("image", "attachment:image.png", "image.png", "image/png", size, metadata=meta)
    found = detector.detect(pf.inspection(RESULTS, artifacts=[art]))
    assert ("SCREENSHOT" in [f.type for f in found]) is held


@pytest.mark.parametrize(
    "body",
    [
        "Her notes from the anatomy lecture, she missed the clinic teaching.",
        "Her results from the clinical skills exam and the ward quiz, both passed.",
    ],
)
def test_screen_sized_picture_needs_a_patient(detector: ImageDetector, body: str) -> None:
    """Without a patient cue (a bed, an age, "the patient") a screen-sized picture is not taken for a record."""
    meta: dict[str, object] = {"format": "png", "width": 1920, "height": 1080}
    art = Artifact("image", "attachment:image.png", "image.png", "image/png", 4_000, metadata=meta)
    assert not [f for f in detector.detect(pf.inspection(body, artifacts=[art])) if f.type == "SCREENSHOT"]
