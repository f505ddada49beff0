"""Patient images: DICOM always; photos and screenshots when the message is about a patient; nothing else."""

from __future__ import annotations

import io

import pytest

from gateway.config import Settings
from gateway.detect.images import ImageDetector, build, is_dicom
from gateway.detect.registry import build_detectors
from gateway.extract import extract_all
from gateway.model import Artifact, Part, Segment
from gateway.model.finding import PATIENT_IMAGE
from tests.unit.detect import patientfixtures as pf


@pytest.fixture(scope="module")
def detector() -> ImageDetector:
    d = build(Settings())
    d.load()
    return d


def photo(
    name: str = "IMG_0412.jpg", *, camera: bool = True, size: int = 900_000, **extra: object
) -> Artifact:
    meta: dict[str, object] = {"format": "jpeg", "width": 4032, "height": 3024}
    if camera:
        meta.update(make="Apple", model="iPhone 13", datetime="2026:02:03 10:11:12", gps=True)
    meta.update(extra)
    return Artifact("image", f"attachment:{name}", name, "image/jpeg", size, metadata=meta)


def dicom(name: str = "study.dcm", **meta: object) -> Artifact:
    return Artifact("dicom", f"attachment:{name}", name, "application/dicom", 5000, metadata=dict(meta))


def test_registered() -> None:
    """The registry builds the image detector; it loads nothing in its constructor."""
    (det,) = build_detectors(Settings(), names=("patient_image",))
    assert isinstance(det, ImageDetector) and det.lexicon is None and det.categories == (PATIENT_IMAGE,)


@pytest.mark.parametrize(
    "art",
    [
        dicom(PatientName="VANCE^AURELIA", Modality="CR"),
        dicom(PatientName="ANON^SSC01", Modality="CT"),
        dicom(),
        Artifact("other", "attachment:scan.dcm", "scan.dcm", "application/octet-stream", 10, metadata={}),
    ],
)
def test_dicom_always(detector: ImageDetector, art: Artifact) -> None:
    """A DICOM file is a patient image whatever its header says, even in a message about nothing."""
    (f,) = detector.detect(pf.inspection("see attached", artifacts=[art]))
    assert f.type == "DICOM_IMAGE" and f.score >= 0.9 and "VANCE" not in f.evidence


def test_dicom_by_preamble(detector: ImageDetector) -> None:
    """A DICOM file no extractor described is still found by its 'DICM' preamble."""
    insp = pf.inspection("for the SSC")
    insp.parts.append(
        Part(b"\0" * 128 + b"DICM" + b"\0" * 64, "application/octet-stream", "x.bin", "attachment:x.bin")
    )
    (f,) = detector.detect(insp)
    assert f.type == "DICOM_IMAGE" and f.where == "attachment:x.bin"


@pytest.mark.parametrize(
    "body",
    [
        "This is the leg ulcer the district nurse was dressing this morning, look at the slough.",
        "I took a photo of the rash on the baby from this afternoon's clinic, is it non-blanching?",
        "Pic of his chest X-ray from the ward, check out the pneumothorax!",
        "Here's the wound from theatre today after the patient's laparotomy.",
    ],
)
def test_clinical_photo(detector: ImageDetector, body: str) -> None:
    """A camera photo attached to a message about a clinical subject in a clinical setting is held."""
    (f,) = detector.detect(pf.inspection(body, artifacts=[photo()]))
    assert f.type == "CLINICAL_PHOTO" and f.score >= 0.5


def test_photo_taken_in_a_clinical_setting(detector: ImageDetector) -> None:
    """A phone photo from resus in a message about a patient's care is held even without a named subject."""
    body = "Snapped this in resus last night - guess the diagnosis! Chest pain, troponin through the roof."
    (f,) = detector.detect(pf.inspection(body, artifacts=[photo()]))
    assert f.score >= 0.5


def test_photo_embedded_in_a_document(detector: ImageDetector) -> None:
    """A camera photo inside a case report is judged by the report's text."""
    art = photo("report.docx/word/media/image1.jpg")
    seg = Segment(
        "Case report. Figure 1: photograph of the lesion taken in clinic, a patient with melanoma.",
        "attachment:report.docx",
        kind="attachment",
    )
    (f,) = detector.detect(pf.inspection("draft attached", artifacts=[art], segments=[seg]))
    assert f.type == "CLINICAL_PHOTO"


def test_figure_in_slides_without_camera_data(detector: ImageDetector) -> None:
    """A picture in lecture slides, with no camera data and no word saying it is a photograph, is not held."""
    art = photo("slides.pptx/ppt/media/image3.png", camera=False, width=900, height=700)
    seg = Segment(
        "Lecture 4: rashes. A patient presents with this rash on the trunk; what is the diagnosis?",
        "attachment:slides.pptx",
        kind="attachment",
    )
    assert not detector.detect(pf.inspection("slides from today", artifacts=[art], segments=[seg]))


def test_screenshot(detector: ImageDetector) -> None:
    """A screenshot in a message about a patient's results is a patient image."""
    art = Artifact(
        "image",
        "attachment:Screenshot 2026-02-03.png",
        "Screenshot 2026-02-03.png",
        "image/png",
        300_000,
        metadata={"format": "png", "width": 1920, "height": 1080},
    )
    body = "Screenshot of the obs chart for the patient in bed 3, the NEWS score keeps rising on the ward."
    (f,) = detector.detect(pf.inspection(body, artifacts=[art]))
    assert f.type == "SCREENSHOT"


def test_text_in_the_image(detector: ImageDetector) -> None:
    """Text read from an image that looks like a record (a wristband, an EPR screen) makes it a patient image."""
    art = photo("IMG_1.jpg")
    seg = Segment("NHS No 485 000 0002\nDOB 02/03/1950\nWard 7", "attachment:IMG_1.jpg", kind="attachment")
    (f,) = detector.detect(pf.inspection("funny one", artifacts=[art], segments=[seg]))
    assert f.score >= 0.8 and "02/03/1950" not in f.evidence


@pytest.mark.parametrize(
    "body",
    [
        "Photos from the reading week walk! Sunny at the top. Back to placement on Monday.",
        "Two photos of the mould in my bedroom and behind the wardrobe, please send someone to fix it.",
        "Here's the poster for the charity run, can you print twenty copies?",
        "Lecture slides on wound healing are on the portal; photo of my notes attached.",
    ],
)
def test_not_clinical(detector: ImageDetector, body: str) -> None:
    """Holiday photos, damp, posters and photos of notes are not patient images."""
    assert not detector.detect(pf.inspection(body, artifacts=[photo()]))


def test_small_logo_in_a_clinical_message(detector: ImageDetector) -> None:
    """A signature logo (small, no camera data) in a clinical message is not a patient image."""
    logo = photo("image001.png", camera=False, size=6000, width=120, height=60)
    body = "The patient in bed 4 has a new pressure sore on the heel, I've told the ward sister."
    assert not detector.detect(pf.inspection(body, artifacts=[logo]))


def test_uses_extractor_metadata() -> None:
    """End to end with the real extractor: a JPEG with camera EXIF in a clinical message is held."""
    from PIL import Image

    img = Image.new("RGB", (640, 480), (200, 120, 120))
    exif = Image.Exif()
    exif[271] = "Google"
    exif[272] = "Pixel 7"
    buf = io.BytesIO()
    img.save(buf, format="JPEG", exif=exif)
    insp = pf.inspection("Photo of the ulcer on her heel from the district nurse visit this morning.")
    insp.parts.append(Part(buf.getvalue(), "image/jpeg", "PXL_1.jpg", "attachment:PXL_1.jpg"))
    extract_all(insp, Settings().limits)
    det = build(Settings())
    det.load()
    (f,) = det.detect(insp)
    assert f.type == "CLINICAL_PHOTO" and f.details["camera"]


def test_is_dicom_by_name_or_type() -> None:
    """DICOM is recognised by kind, file name or content type."""
    assert is_dicom(Artifact("other", "w", "a.DCM", "", 1))
    assert is_dicom(Artifact("other", "w", "a", "application/dicom", 1))
    assert not is_dicom(Artifact("image", "w", "a.jpg", "image/jpeg", 1))
