"""Patient images: DICOM files always; photographs and screenshots when the message is about a patient.

A DICOM file is a clinical image by definition, whatever its header says
(an anonymised header still shows a patient's body). A photograph (camera
EXIF: make, model, GPS) or a screenshot (named so, or with screenshot
software in its metadata) is a patient image when the message that
carries it talks about a clinical subject (a wound, a rash, an X-ray, a
patient) in a clinical setting (a clinic, a ward, a district nurse's
round), or when text read from the image (OCR, when enabled) is clinical.
A screenshot (by its name, its metadata, or because the text calls the
attached image one) sent with words naming a patient record screen (EPR,
results screen, SystmOne...) in a clinical message is a patient image.
A holiday photo, a photo of damp in a flat, a signature logo: no finding.

Evidence never holds EXIF values or the image's text: only what kind of
image it is and which kinds of context made it count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from gateway.config import Settings
from gateway.detect.base import Resources
from gateway.detect.patient.context import patient_cue
from gateway.detect.patient.lexicon import Lexicon
from gateway.model import Artifact, Finding, Inspection
from gateway.model.finding import PATIENT_IMAGE

_DICOM_NAME = re.compile(r"\.(?:dcm|dicom|dic)$", re.IGNORECASE)
_SCREENSHOT_NAME = re.compile(
    r"screen[\s_-]?shot|screenshot|screen[\s_-]?capture|snip|scrn|capture", re.IGNORECASE
)
_IMAGE_NAME = re.compile(r"\.(?:jpe?g|png|gif|bmp|tiff?|heic|heif|webp)$", re.IGNORECASE)
#: signature logos and inline decorations are small
_SMALL_BYTES = 15_000
_SMALL_SIDE = 200
#: text read from an image that makes it a record or a label: EPR screens, wristbands, request forms
_RECORD_TEXT = re.compile(
    r"\b(?:nhs\s*(?:no|number)|d\.?o\.?b|date of birth|hosp(?:ital)?\s*(?:no|number)|mrn|ward|bed\s*\d|"
    r"allerg|obs(?:ervations)?|news2?\s*score|drug chart|consultant|admitted|diagnosis)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ImageContext:
    """What the message's text says about the images it carries."""

    subjects: frozenset[str]  # clinical things people photograph, mentioned in the text
    settings: frozenset[str]  # clinical terms (places, procedures, conditions)
    photo_words: bool  # "photo", "pic", "attached", "screenshot"...
    linked: bool  # a clinical subject in the same sentence as a photo word or a patient cue
    care_setting: bool = False  # a place where patients are (ward, resus, clinic...) is named
    record: bool = False  # the text names a patient record system or screen (EPR, results screen...)
    says_screenshot: bool = False  # the text calls what it sends a screenshot
    own_body: bool = False  # the writer shows their own body ("the cut on my hand")
    patient: bool = (
        False  # a patient cue (a bed, an age, "the lady in bay 3"), in no teaching or practice text
    )

    @property
    def strong(self) -> bool:
        return bool(self.subjects) and len(self.settings) >= 2 and self.linked

    @property
    def some(self) -> bool:
        return bool(self.subjects) and len(self.settings) >= 1


@dataclass
class ImageDetector:
    """DICOM attachments and clinical photographs or screenshots."""

    name: str = "patient_image"
    categories: tuple[str, ...] = (PATIENT_IMAGE,)
    lexicon: Lexicon | None = field(default=None, repr=False)

    def load(self) -> None:
        self.lexicon = Lexicon.load()

    def detect(self, inspection: Inspection) -> list[Finding]:
        if self.lexicon is None:
            raise RuntimeError("ImageDetector.load() was not called")
        out: list[Finding] = []
        seen: set[str] = set()
        message_text = "\n".join(s.text for s in inspection.segments if s.kind in ("body", "header"))
        contexts: dict[str, ImageContext] = {}
        for art in inspection.artifacts:
            if is_dicom(art):
                out.append(self._dicom(art))
                seen.add(art.where)
            elif art.kind == "image" or (art.kind == "other" and _IMAGE_NAME.search(art.filename)):
                # an image inside a document (a photo in a case report) is read with that document's text
                container = _container_text(inspection, art)
                key = str(hash(container))
                if key not in contexts:
                    contexts[key] = self.context_of(message_text + "\n\n" + container)
                finding = self._picture(inspection, art, contexts[key], embedded=bool(container))
                if finding:
                    out.append(finding)
                seen.add(art.where)
        # defence in depth: a DICOM file the extractors did not describe is still found by its preamble
        for part in inspection.parts:
            if part.where not in seen and part.data[128:132] == b"DICM":
                out.append(
                    Finding(
                        category=PATIENT_IMAGE,
                        type="DICOM_IMAGE",
                        where=part.where,
                        score=0.95,
                        evidence="DICOM file",
                        quoted=part.quoted,
                        detector=self.name,
                    )
                )
        return out

    # --- DICOM -------------------------------------------------------------------------------

    def _dicom(self, art: Artifact) -> Finding:
        meta = {k.lower(): v for k, v in art.metadata.items()}
        modality = str(meta.get("modality", "")).strip()
        modality = modality if re.fullmatch(r"[A-Z]{2,4}", modality) else ""
        return Finding(
            category=PATIENT_IMAGE,
            type="DICOM_IMAGE",
            where=art.where,
            score=0.95,
            evidence=f"DICOM {modality} image".replace("  ", " "),
            quoted=art.quoted,
            detector=self.name,
            details={"modality": modality} if modality else {},
        )

    # --- photographs and screenshots ---------------------------------------------------------

    def context(self, inspection: Inspection) -> ImageContext:
        """Clinical subjects, settings and photo words in the message's own text (body and subject)."""
        return self.context_of("\n".join(s.text for s in inspection.segments if s.kind in ("body", "header")))

    def context_of(self, text: str) -> ImageContext:
        """Clinical subjects, settings and photo words in `text`."""
        assert self.lexicon is not None
        lex = self.lexicon
        text = text[:200_000]
        subjects = lex.photo_subjects.distinct(text)
        # body parts and people are subjects only next to something clinical
        strong_subjects = {s for s in subjects if s not in _WEAK_SUBJECTS}
        settings = lex.clinical_terms.distinct(text)
        photo = lex.photo_words.search(text)
        linked = False
        for sentence in re.split(r"(?<=[.!?])\s+|\n\s*\n", text):
            if not lex.photo_subjects.search(sentence):
                continue
            sub = {s for s in lex.photo_subjects.distinct(sentence) if s not in _WEAK_SUBJECTS}
            cue = patient_cue(sentence, lex)
            if lex.teaching_cues.search(sentence) and not (cue or _CARE_SETTING.search(sentence)):
                continue  # "lecture slides on wound healing": a subject of teaching, not of a photograph
            if _PRACTICE.search(sentence) and not cue:
                continue  # "the wound dressing kit for clinical skills practice": no patient in it
            if sub and (lex.photo_words.search(sentence) or cue or _DEICTIC.search(sentence)):
                linked = True
                break
        care = bool(_CARE_SETTING.search(text))
        record = bool(_RECORD_SYSTEM.search(text))
        says = bool(_SAYS_SCREENSHOT.search(text))
        own = bool(_OWN_BODY.search(text))
        return ImageContext(
            frozenset(strong_subjects),
            frozenset(settings),
            photo,
            linked,
            care,
            record,
            says,
            own,
            patient_cue(text, lex) and not (lex.teaching_cues.search(text) or _PRACTICE.search(text)),
        )

    def _picture(
        self, inspection: Inspection, art: Artifact, ctx: ImageContext, *, embedded: bool = False
    ) -> Finding | None:
        meta = {k.lower(): v for k, v in art.metadata.items()}
        camera = bool(meta.get("make") or meta.get("model") or meta.get("gps"))
        screenshot = (
            bool(_SCREENSHOT_NAME.search(art.filename))
            or "screenshot" in str(meta.get("software", "")).lower()
        )
        own_text = self._image_text(inspection, art)
        reasons: list[str] = []
        score = 0.0
        if not screenshot and ctx.record and not _looks_decorative(art, meta):
            # "a screenshot of her EPR" sent as image.png; or a screen-sized PNG without camera data sent with
            # "her bloods from this morning" where patients are (phones save screenshots as IMG_1234.PNG)
            screen = (
                not camera
                and _screen_shaped(meta)
                and ctx.patient
                and (ctx.care_setting or len(ctx.settings) >= 2)
            )
            screenshot = ctx.says_screenshot or screen
        if own_text and _RECORD_TEXT.search(own_text):
            score, reasons = 0.85, ["clinical text in the image"]
        elif screenshot and ctx.record and (ctx.settings or ctx.care_setting):
            # a screenshot sent with words naming a patient record screen, in a clinical message
            score, reasons = 0.85, ["screenshot of a patient record", "clinical setting"]
        elif ctx.strong:
            if camera or screenshot:
                score = 0.9
            elif not _looks_decorative(art, meta) and (
                not embedded or ctx.photo_words or (ctx.linked and ctx.care_setting)
            ):
                # a picture in a document without camera data counts when the text says it is a photograph,
                # or ties the clinical subject to a patient in a care setting (a case write-up, "wound on
                # his shin, bed 4, ward 7"); slides and handouts carry published figures
                score = 0.7
            reasons = ["clinical subject in the message", "clinical setting"]
        elif (camera or screenshot) and ctx.subjects and (ctx.linked or ctx.care_setting):
            # a photo taken of a clinical subject where patients are, even if the text never says "photo"
            score, reasons = 0.6, ["clinical subject in the message"]
        elif (
            not embedded
            and ctx.subjects
            and ctx.linked
            and ctx.care_setting
            and not ctx.own_body
            and not _looks_decorative(art, meta)
        ):
            # a photo-sized picture attached beside "this is the wound I dressed on placement": phones and
            # messaging apps strip the camera data, the words still say what it shows and where
            score, reasons = 0.6, ["clinical subject in the message", "care setting"]
        elif camera and ctx.care_setting and ctx.photo_words and len(ctx.settings) >= 3:
            # a phone photo taken where patients are, in a message about their care: the guidance says
            # a camera is not used in a healthcare workplace at all
            score, reasons = 0.6, ["photo taken in a clinical setting"]
        if score < 0.5:
            return None
        kind = "SCREENSHOT" if screenshot else "CLINICAL_PHOTO"
        source = "screenshot" if screenshot else "camera photo" if camera else "image"
        return Finding(
            category=PATIENT_IMAGE,
            type=kind,
            where=art.where,
            score=score,
            evidence=f"{source}; " + ", ".join(reasons),
            quoted=art.quoted,
            detector=self.name,
            details={"camera": camera, "screenshot": screenshot},
        )

    def _image_text(self, inspection: Inspection, art: Artifact) -> str:
        """Text read from the image (OCR) and its descriptive metadata."""
        parts = [art.text] if art.text else []
        parts.extend(
            s.text for s in inspection.segments if s.where == art.where or s.where.startswith(art.where + "/")
        )
        return "\n".join(parts)


_WEAK_SUBJECTS = frozenset(
    {
        "skin",
        "eye",
        "tongue",
        "throat",
        "ear",
        "foot",
        "feet",
        "leg",
        "arm",
        "hand",
        "face",
        "lady",
        "man",
        "woman",
        "gentleman",
        "baby",
        "infant",
        "child",
        "notes",
        "results",
        "label",
        "monitor",
        "trace",
        "film",
        "op",
        "surgery",
        "operation",
        "theatre",
        "procedure",
        "scan",
    }
)
#: places where patients are: a photo taken there is of a patient's care, even when shared as a quiz
_CARE_SETTING = re.compile(
    r"\b(?:ward|resus|majors|minors|a&e|ed|icu|itu|hdu|clinic|theatre|bay|bed\s*\d+|gp\s+surgery|"
    r"district\s+nurse|home\s+visit|pacs|on\s+placement|on\s+call)\b",
    re.IGNORECASE,
)
#: a patient record system or screen: what a screenshot of a record shows
_RECORD_SYSTEM = re.compile(
    r"\b(?:epr|ehr|emr|e-?record|electronic (?:patient |health )?record|patient record|(?:his|her|their|the "
    r"patient'?s) (?:record|notes|results|obs|chart|drug chart|bloods)|results screen|results page|"
    r"cerner|emis|systmone|systm ?one|epic|trakcare|lorenzo|ice results|pacs|whiteboard|ward list|"
    r"patient list|obs chart|drug chart|observations chart)\b",
    re.IGNORECASE,
)
_SAYS_SCREENSHOT = re.compile(
    r"\b(?:screen ?shots?|screen[- ]?grabs?|screen ?caps?|snip(?:ped|pet)?|print ?screen|screenshotted)\b",
    re.IGNORECASE,
)
#: practice on models, kits and simulators: a clinical subject with no patient
_PRACTICE = re.compile(
    r"\b(?:clinical skills|skills lab|sim(?:ulation)? (?:lab|suite)|simulat(?:ed|ion|or)|mannequins?|manikins?"
    r"|moulage|dummy|(?:practice|training|teaching) (?:kit|session|model|pad|arm)|for practice|to practi[cs]e)\b",
    re.IGNORECASE,
)
#: the writer's own body: "the cut on my hand", "my rash", "my stitches"
_OWN_BODY = re.compile(
    r"\bmy\s+(?:own\s+|left\s+|right\s+)?(?:arm|leg|hand|foot|face|skin|back|knee|finger|toe|rash|wound|cut"
    r"|stitches|scar|mole|burn|bruise|ankle|wrist|eye|lip|neck|chest|tummy|stomach)\b",
    re.IGNORECASE,
)
_DEICTIC = re.compile(
    r"\b(?:this is|here's|here is|see the|look at|check out|you can see|pictured)\b", re.IGNORECASE
)


#: where a picture sits inside an Office or OpenDocument package
_PACKAGE_PICTURE = re.compile(r"/(?:(?:word|ppt|xl)/(?:media|embeddings)|Pictures)/[^/]+$")


def _container_text(inspection: Inspection, art: Artifact) -> str:
    """Text of the documents the image sits in ("attachment:case.docx" for ".../case.docx/word/media/x.png"),
    and of the document's own parts when its text is kept per slide or sheet ("attachment:case.pptx/slide 1"
    for ".../case.pptx/ppt/media/x.png")."""
    m = _PACKAGE_PICTURE.search(art.where)
    document = art.where[: m.start()] if m else None
    return "\n".join(
        s.text
        for s in inspection.segments
        if s.kind == "attachment"
        and not s.where.startswith(art.where)
        and (
            art.where.startswith(s.where + "/")
            or (document is not None and (s.where == document or s.where.startswith(document + "/")))
        )
    )[:100_000]


def is_dicom(art: Artifact) -> bool:
    return (
        art.kind == "dicom"
        or bool(_DICOM_NAME.search(art.filename))
        or art.content_type.lower() in ("application/dicom", "application/dicom+json")
    )


#: what screen-capture tools write (cameras write JPEG or HEIC), and the smallest screen they capture
_SCREEN_FORMATS = frozenset({"png", "bmp"})
_SCREEN_LONG, _SCREEN_SHORT = 1000, 600


def _screen_shaped(meta: dict[str, Any]) -> bool:
    """A lossless picture the size of a screen: a laptop's 1366x768 or 1920x1080, a phone's 1170x2532."""
    try:
        width, height = int(meta.get("width", 0)), int(meta.get("height", 0))
    except (TypeError, ValueError):
        return False
    fmt = str(meta.get("format", "")).lower()
    return (
        fmt in _SCREEN_FORMATS and max(width, height) >= _SCREEN_LONG and min(width, height) >= _SCREEN_SHORT
    )


def _looks_decorative(art: Artifact, meta: dict[str, Any]) -> bool:
    """Small inline pictures: logos, signature images, emoji."""
    try:
        width, height = int(meta.get("width", 0)), int(meta.get("height", 0))
    except (TypeError, ValueError):
        width = height = 0
    if width and height:
        # the size on screen decides when it is known: a flat-coloured record screen compresses to a few KB
        return min(width, height) < _SMALL_SIDE
    return 0 < art.size < _SMALL_BYTES


def build(settings: Settings | None, resources: Resources | None = None) -> ImageDetector:
    """The registry's factory; the word lists load in `load()`."""
    return ImageDetector()
