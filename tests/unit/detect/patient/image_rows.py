"""The patient-image table: DICOM files however they are named, photos inside documents, phone photos
without camera data beside words about a patient, and the photos that stay clean.

Each row is (name, "hold" or "pass", raw message). Written for these tests.
"""

from __future__ import annotations

import io
from functools import cache

from tests.unit.detect.patient import carriers as c

JPEG = "image/jpeg"
OCTET = "application/octet-stream"
WOUND = "Wound on his left shin from the man in bed 4 on ward 7, day 3 after the operation, looks infected."


@cache
def _dicom() -> bytes:
    from tests.unit.extract.fixture_files import dicom

    return dicom()


@cache
def _photo(exif: bool) -> bytes:
    return c.photo(exif=exif)


def _pptx(text: str, picture: bytes) -> bytes:
    from pptx import Presentation
    from pptx.util import Inches

    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    slide.shapes.title.text = text
    slide.shapes.add_picture(io.BytesIO(picture), Inches(1), Inches(2), width=Inches(5))
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


def _xlsx(text: str, picture: bytes) -> bytes:
    from openpyxl import Workbook
    from openpyxl.drawing.image import Image

    wb = Workbook()
    ws = wb.active
    ws.append([text])
    ws.add_image(Image(io.BytesIO(picture)), "B3")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _odt(text: str, picture: bytes) -> bytes:
    from odf.draw import Frame
    from odf.draw import Image as DrawImage
    from odf.opendocument import OpenDocumentText
    from odf.text import P

    doc = OpenDocumentText()
    doc.text.addElement(P(text=text))
    href = doc.addPicture("Pictures/photo.jpg", "image/jpeg", picture)
    frame = Frame(width="12cm", height="9cm", anchortype="paragraph")
    frame.addElement(DrawImage(href=href))
    para = P()
    para.addElement(frame)
    doc.text.addElement(para)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"


RESULTS = (
    "Her bloods from this morning, the lady in bed 12 on ward 5: potassium 6.2 and the creatinine is up."
)
PNG = "image/png"


@cache
def _screen(size: tuple[int, int] = (1920, 1080)) -> bytes:
    return c.screen_capture(size)


def screen_rows() -> list[tuple[str, str, bytes]]:
    """Screen-sized PNGs (a laptop's or a phone's screenshot) with no screenshot word or name: the message
    decides."""
    att, laptop, phone = c.with_attachment, _screen(), _screen((1170, 2532))
    return [
        ("screen-sized png of results, named image.png", "hold", att(RESULTS, "image.png", laptop, PNG)),
        ("phone screenshot saved as IMG_.PNG", "hold", att(RESULTS, "IMG_4411.PNG", phone, PNG)),
        (
            "screen-sized png in a docx",
            "hold",
            att("Notes.", "notes.docx", c.docx_of(RESULTS, (laptop,)), DOCX),
        ),
        (
            "screen-sized png in a zip",
            "hold",
            att(RESULTS, "screens.zip", c.zip_with({"IMG_4411.PNG": phone}), "application/zip"),
        ),
        (
            "screen-sized png, context only in the subject",
            "hold",
            att("See attached.", "image.png", laptop, PNG, subject_line="her bloods, bed 12 ward 5, K+ 6.2"),
        ),
        (
            "screen-sized png of a quiz score",
            "pass",
            att("Her results on the OSCE station were brilliant, look!", "image.png", laptop, PNG),
        ),
        (
            "screen-sized png of a relative's app results",
            "pass",
            att("Mum's bloods from the GP app, her potassium is back to normal.", "IMG_4412.PNG", phone, PNG),
        ),
        (
            "screen-sized png of lecture notes",
            "pass",
            att(
                "Her notes from the anatomy lecture, she missed the clinic teaching.",
                "image.png",
                laptop,
                PNG,
            ),
        ),
        (
            "screen-sized png of the ward rota",
            "pass",
            att("The new ward rota for next week, bed managers meeting moved.", "image.png", laptop, PNG),
        ),
    ]


def rows() -> list[tuple[str, str, bytes]]:
    d = _dicom()
    cam, plain = _photo(True), _photo(False)
    att = c.with_attachment
    return [
        *screen_rows(),
        ("dicom without an extension", "hold", att("The scan from this morning.", "IMG0001", d, OCTET)),
        ("dicom named .jpg", "hold", att("The scan from this morning.", "scan.jpg", d, JPEG)),
        ("dicom named .txt", "hold", att("Notes attached.", "notes.txt", d, "text/plain")),
        (
            "dicom in a zip without an extension",
            "hold",
            att("Files.", "files.zip", c.zip_with({"DICOM/I0001": d}), "application/zip"),
        ),
        (
            "camera photo in a docx",
            "hold",
            att("My case write-up.", "case.docx", c.docx_of(WOUND, (cam,)), DOCX),
        ),
        (
            "photo without exif in a docx",
            "hold",
            att("My case write-up.", "case.docx", c.docx_of("Photo: " + WOUND, (plain,)), DOCX),
        ),
        (
            "camera photo in a docx, no text",
            "hold",
            att(
                "Photo from the ward of the wound I dressed on bed 4.",
                "case.docx",
                c.docx_of("", (cam,)),
                DOCX,
            ),
        ),
        (
            "no-exif photo in a docx, no photo word",
            "hold",
            att("My case write-up.", "case.docx", c.docx_of(WOUND, (plain,)), DOCX),
        ),
        (
            "figure in lecture slides",
            "pass",
            att(
                "Slides from today.",
                "lecture.pptx",
                _pptx("Lecture 4: venous leg ulcers, classification and management", plain),
                PPTX,
            ),
        ),
        (
            "figure in a handout",
            "pass",
            att(
                "Handout for the tutorial.",
                "handout.docx",
                c.docx_of("Pressure ulcer staging, figure 2: stage 3 ulcer. Source: textbook.", (plain,)),
                DOCX,
            ),
        ),
        (
            "photo in a pptx",
            "hold",
            att("Slides for the case presentation.", "case.pptx", _pptx("Photo: " + WOUND, cam), PPTX),
        ),
        ("photo in an xlsx", "hold", att("Wound log.", "log.xlsx", _xlsx("Photo: " + WOUND, cam), XLSX)),
        ("photo in an odt", "hold", att("My case write-up.", "case.odt", _odt("Photo: " + WOUND, cam), ODT)),
        (
            "no-exif photo of a pressure sore",
            "hold",
            att(
                "Photo of the pressure sore on the man in bed 3 this morning, it looks infected.",
                "IMG_2041.jpg",
                plain,
                JPEG,
            ),
        ),
        (
            "no-exif photo of a rash in clinic",
            "hold",
            att(
                "Here's the rash on the patient's arm I saw in clinic today, what do you think?",
                "IMG_2042.jpg",
                plain,
                JPEG,
            ),
        ),
        (
            "no-exif photo of a wound, no photo word",
            "hold",
            att(
                "This is the wound I dressed on placement today, it's healing nicely.",
                "IMG_2043.jpg",
                plain,
                JPEG,
            ),
        ),
        (
            "no-exif photo of an x-ray on the ward",
            "hold",
            att("X-ray from the ward today, look at that pneumothorax!", "IMG_2044.jpg", plain, JPEG),
        ),
        (
            "no-exif photo, ulcer on a home visit",
            "hold",
            att("Her leg ulcer on the home visit with the district nurse today.", "image0.jpeg", plain, JPEG),
        ),
        (
            "screenshot of the EPR",
            "hold",
            att(
                "Screenshot of her results on the EPR from ward 5, the potassium is way off.",
                "image.png",
                plain,
                "image/png",
            ),
        ),
        (
            "no-exif photo of an ulcer in clinic",
            "hold",
            att("Check out this ulcer from the diabetic foot clinic today.", "IMG_2045.jpg", plain, JPEG),
        ),
        (
            "no-exif photo of the writer's own cut",
            "pass",
            att(
                "This is the cut on my hand from rugby, had it glued at the minor injuries clinic.",
                "IMG_3006.jpg",
                plain,
                JPEG,
            ),
        ),
        (
            "no-exif photo of the ward coffee machine",
            "pass",
            att("Photo of the ward's new coffee machine, finally!", "IMG_3007.jpg", plain, JPEG),
        ),
        (
            "no-exif selfie on the ward",
            "pass",
            att("Selfie on the ward on my last day of placement!", "IMG_3008.jpg", plain, JPEG),
        ),
        (
            "no-exif photo of a practice kit",
            "pass",
            att(
                "Here is the wound dressing kit we got for clinical skills practice.",
                "IMG_3009.jpg",
                plain,
                JPEG,
            ),
        ),
        (
            "landscape photo",
            "pass",
            att("View from the top of Ben Nevis on Saturday, amazing weather!", "IMG_3001.jpg", cam, JPEG),
        ),
        (
            "own notes photo",
            "pass",
            att("Photo of my lecture notes on wound healing, for revision.", "IMG_3002.jpg", plain, JPEG),
        ),
        ("dog photo", "pass", att("My dog after his walk, so muddy!", "IMG_3003.jpg", cam, JPEG)),
        (
            "poster photo",
            "pass",
            att(
                "Photo of the conference poster on sepsis management, for the society page.",
                "IMG_3004.jpg",
                cam,
                JPEG,
            ),
        ),
        (
            "anatomy model photo",
            "pass",
            att(
                "Photo of the skeleton model in the anatomy lab for our revision notes.",
                "IMG_3005.jpg",
                plain,
                JPEG,
            ),
        ),
    ]
