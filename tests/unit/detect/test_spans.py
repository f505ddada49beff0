"""Spans are part of the finding: every finding on text says where its evidence stands in that text.

A property over the detectors' tables: run the patient, language,
document and etiquette detectors over positive examples (this file's own,
and the tables of the detectors' own tests), in several places of a
message, and check that every finding on a text carries spans, that every
span lies inside the text its finding names, and, for the examples here,
that the span covers the value (the digits of an NHS number lie inside it,
a copyright line inside a marking's span).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from gateway.config import Settings
from gateway.detect.etiquette import EtiquetteDetector
from gateway.detect.language import LanguageDetector
from gateway.detect.patient import PatientDetector, PatientDetectorOptions
from gateway.extract import extract_all
from gateway.mime import parse_message
from gateway.model import Finding, Inspection
from gateway.model.masking import find_spans, located_spans, mask_text
from tests.unit.detect import docfixtures as fx
from tests.unit.detect import patientfixtures as pf
from tests.unit.detect import test_documents as documents
from tests.unit.detect import test_etiquette as etiquette
from tests.unit.detect.language import test_language_compositional as compositional
from tests.unit.detect.language import test_language_defamation as defamation
from tests.unit.detect.language import test_language_discrimination as discrimination
from tests.unit.detect.language import test_language_harassment as harassment
from tests.unit.detect.language import test_language_insults as insults
from tests.unit.detect.language import test_language_meaning as meaning
from tests.unit.detect.language import test_language_threats as threats
from tests.unit.detect.patient import test_identifier_formats as formats
from tests.unit.detect.patient import test_indirect as indirect
from tests.unit.detect.patient import test_patient_detector as handover
from tests.unit.detect.patient import test_person_health as person_health

NHS = pf.nhs_number("485", " ")
CHI = pf.chi_number()

#: (text, finding type, the value its spans must cover): invented for these tests
PATIENT_VALUES = [
    (
        "Patient Philippa Quennell lives at 12 Acacia Avenue, eh16 4sa, date of birth 3rd of April 1961, "
        "admitted to ward 7",
        "PATIENT_NAME",
        "Philippa Quennell",
    ),
    (
        "Patient Philippa Quennell lives at 12 Acacia Avenue, eh16 4sa, date of birth 3rd of April 1961, "
        "admitted to ward 7",
        "DATE_OF_BIRTH",
        "3rd of April 1961",
    ),
    (
        "Patient Philippa Quennell lives at 12 Acacia Avenue, eh16 4sa, date of birth 3rd of April 1961, "
        "admitted to ward 7",
        "PATIENT_ADDRESS",
        "12 Acacia Avenue",
    ),
    (handover.IDENTIFIED, "NHS_NUMBER", NHS),
    (handover.IDENTIFIED, "PATIENT_NAME", "Hester Quayle"),
    (handover.IDENTIFIED, "DATE_OF_BIRTH", "04/05/1941"),
    (handover.IDENTIFIED, "HOSPITAL_NUMBER", "NRH-339021"),
    (handover.IDENTIFIED, "PATIENT_ADDRESS", "14 Heron Close"),
    (handover.IDENTIFIED, "PATIENT_PHONE", "07700 900789"),
    (f"Her CHI is {CHI}, seen in the respiratory clinic today.", "CHI_NUMBER", CHI),
    (f"NHS no {NHS}\u00a0- please chase the bloods", "NHS_NUMBER", NHS),
    *(
        (
            f"His NHS number is {pf.nhs_number('485', sep)} if you need it for the referral.",
            "NHS_NUMBER",
            value,
        )
        for _, sep in formats.NHS_SEPARATORS
        for value in [pf.nhs_number("485", sep)]
    ),
    (
        "Seen Mr Osric Threlfall (DOB 14/02/1938) in clinic\u2014he\u2019s very frail.",
        "PATIENT_NAME",
        "Osric Threlfall",
    ),
    ("Seen Mr Osric Threlfall (DOB 14/02/1938) in clinic today.", "DATE_OF_BIRTH", "14/02/1938"),
]

#: (text, finding type, a phrase its spans must cover)
LANGUAGE_PHRASES = [
    ("Hi Sam.\nI know where you live and I will hurt you if you report me.\nBye", "THREAT", "hurt you"),
    ("Thanks for nothing.\u200b You\u2019re a useless waste of space.", "INSULT", "waste of space"),
    ("> quoted line\n> and you are a pathetic little idiot\n", "INSULT", "idiot"),
    ("ok \u2014 fine \u2014 but watch your back. This isn't over.", "THREAT", "watch your back"),
]


def _patient_inputs() -> Iterator[str]:
    yield handover.IDENTIFIED
    yield from (text for text, _, _ in PATIENT_VALUES)
    yield from (body for _, body in formats.HOSPITAL_NUMBERS)
    yield from (body for _, body in formats.DATES_OF_BIRTH)
    yield from (row[1] for row in person_health.POSITIVES)
    yield from (row[1] for row in indirect.KNOWN)


def _language_inputs() -> Iterator[str]:
    yield from threats.THREATS
    yield from harassment.HARASSMENT_CASES
    yield from discrimination.HOSTILITY
    yield from meaning.VEILED_THREATS
    yield from compositional.SEVERE_INTIMIDATION
    yield from (row[0] for row in insults.AIMED)
    yield from (row[0] for row in discrimination.SLURS)
    yield from (row[0] for row in defamation.ALLEGATIONS)
    yield from (text for text, _, _ in LANGUAGE_PHRASES)


def _placed(text: str) -> Iterator[tuple[str, Inspection]]:
    """The same text in the body, as quoted text, in the subject, in an attachment and after a prefix."""
    yield "body", pf.inspection(text)
    yield "quoted", pf.inspection("See below.", quoted_body=text)
    yield "subject", pf.inspection("Following up, see subject.", subject=text.replace("\n", " "))
    yield "attachment", pf.inspection("Notes attached.", segments=[pf.attachment(text)])
    yield "prefixed", pf.inspection("Morning all,\r\n\r\n> " + text.replace("\n", "\n> "))


def _text_of(insp: Inspection, f: Finding, where: str, quoted: bool) -> str:
    texts = [s.text for s in insp.segments if s.where == where and s.quoted == quoted]
    assert len(texts) == 1, f"{f.type}: {where} (quoted={quoted}) names {len(texts)} texts"
    return texts[0]


def _check(insp: Inspection, findings: list[Finding]) -> None:
    text_places = {s.where for s in insp.segments}
    for f in findings:
        if f.where not in text_places:
            continue  # a finding on a file (DICOM, an image), not on text
        spans = f.details.get("spans")
        assert spans, f"{f.type} in {f.where} has no spans"
        places = {f.where: spans, **f.details.get("spans_elsewhere", {})}
        quoted = bool(f.details.get("segment_quoted", f.quoted))
        for where, pairs in places.items():
            text = _text_of(insp, f, where, quoted)
            for start, end in pairs:
                assert 0 <= start < end <= len(text), f"{f.type}: [{start}, {end}) outside {where}"
                assert text[start:end].strip() == text[start:end], f"{f.type}: span starts or ends in space"


@pytest.fixture(scope="module")
def patient() -> PatientDetector:
    d = PatientDetector(PatientDetectorOptions())
    d.load()
    return d


@pytest.fixture(scope="module")
def language() -> LanguageDetector:
    d = LanguageDetector(internal=("northam.ac.uk",))
    d.load()
    return d


@pytest.mark.parametrize("text", list(dict.fromkeys(_patient_inputs())))
def test_patient_findings_carry_spans_inside_their_text(patient: PatientDetector, text: str) -> None:
    """Every patient finding on text, wherever the text stands, has spans inside that text."""
    for _, insp in _placed(text):
        findings = patient.detect(insp)
        _check(insp, findings)


@pytest.mark.parametrize("text", list(dict.fromkeys(_language_inputs())))
def test_language_findings_carry_spans_inside_their_text(language: LanguageDetector, text: str) -> None:
    """Every language finding, wherever the text stands, has spans inside the texts it names."""
    seen = 0
    for _, insp in _placed(text):
        findings = language.detect(insp)
        seen += len(findings)
        _check(insp, findings)
    assert seen, "a table example found nothing anywhere: the property would hold vacuously"


def _covering(insp: Inspection, f: Finding, value: str) -> bool:
    quoted = bool(f.details.get("segment_quoted", f.quoted))
    text = _text_of(insp, f, f.where, quoted)
    at = text.find(value)
    assert at >= 0
    return any(a <= at and at + len(value) <= b for a, b in f.details["spans"])


@pytest.mark.parametrize(("text", "type_", "value"), PATIENT_VALUES)
def test_patient_spans_cover_the_value(patient: PatientDetector, text: str, type_: str, value: str) -> None:
    """The finding's spans cover the identifying value itself, in the body, the subject and an attachment."""
    for place, insp in _placed(text):
        if place == "prefixed":
            continue  # the quote markers put it in quoted text, judged otherwise
        found = [f for f in patient.detect(insp) if f.type == type_]
        assert found, f"no {type_} when the text is in the {place}"
        assert any(_covering(insp, f, value.replace("\n", " ")) for f in found), place


@pytest.mark.parametrize(("text", "type_", "phrase"), LANGUAGE_PHRASES)
def test_language_spans_cover_the_phrase(
    language: LanguageDetector, text: str, type_: str, phrase: str
) -> None:
    """A language finding's spans cover the offending phrase, mapped back through cleaning and quote markers."""
    insp = pf.inspection(text)
    (f,) = [f for f in language.detect(insp) if f.type == type_]
    assert _covering(insp, f, phrase)


def test_masking_from_spans_hides_what_patterns_miss(patient: PatientDetector) -> None:
    """Masked with the findings' spans, the issue's example shows no name, street, postcode or date."""
    text = PATIENT_VALUES[0][0]
    insp = pf.inspection(text)
    masked = mask_text(text, located_spans(patient.detect(insp), "body", quoted=False))
    for secret in ("Philippa", "Quennell", "Acacia", "eh16", "4sa", "April", "1961"):
        assert secret not in masked
    assert "ward 7" in masked


@pytest.mark.parametrize("text", list(dict.fromkeys(_patient_inputs())))
def test_patient_evidence_leaves_nothing_for_the_second_net(patient: PatientDetector, text: str) -> None:
    """A patient finding's evidence shows no shape the display would mask: no postcode, date, number, e-mail."""
    for _, insp in _placed(text):
        for f in patient.detect(insp):
            assert find_spans(f.evidence) == [], f"{f.type}: {f.evidence}"


def test_evidence_masks_a_lower_case_postcode_and_a_cut_e_mail(patient: PatientDetector) -> None:
    """Values no recognizer claims are masked in the evidence, even when the excerpt cuts them in two."""
    text = PATIENT_VALUES[0][0] + ".\nNHS no 943/476/5919. Email p.quennell@mail.example.com"
    evidence = " ".join(f.evidence for f in patient.detect(pf.inspection(text)))
    assert "[POSTCODE]" in evidence
    for secret in ("eh", "4sa", "quennell", "@"):
        assert secret not in evidence.lower(), secret


#: (case, message, registered?, a phrase the spans must cover)
DOCUMENTS = [
    ("minutes", fx.message("x", {"tqc.docx": fx.docx_bytes(fx.COMMITTEE_MINUTES)}), False, ""),
    ("tutor notes", fx.message("x", {"tutor notes.docx": fx.docx_bytes(fx.TUTOR_NOTES)}), False, ""),
    ("pasted marking", fx.message("Here it is:\n\n" + fx.text(fx.TUTOR_NOTES) + "\n\nbye"), False, ""),
    (
        "copyright",
        fx.message(
            "x",
            {"h.pdf": fx.pdf_bytes([*fx.ESSAY[:2], "(c) University of Northam 2026, not for distribution"])},
        ),
        False,
        "(c) University of Northam",
    ),
    ("registered", fx.message("x", {"notes.docx": fx.docx_bytes(fx.HANDBOOK)}), True, ""),
    (
        "registered zipped",
        fx.message("x", {"p.zip": fx.zip_bytes({"w/h.pdf": fx.pdf_bytes(fx.HANDBOOK)})}),
        True,
        "",
    ),
    ("registered pasted", fx.message("They gave us:\n\n" + fx.text(fx.HANDBOOK[3:6]) + "\n\nA"), True, ""),
]


@pytest.mark.parametrize(("case", "raw", "registered", "phrase"), DOCUMENTS, ids=[d[0] for d in DOCUMENTS])
def test_document_findings_carry_spans_inside_their_text(
    case: str, raw: bytes, registered: bool, phrase: str
) -> None:
    """Registered documents span the text they were found in; markings span the marking itself."""
    limits = Settings().limits
    insp = parse_message(raw, documents.ENV, limits)
    extract_all(insp, limits)
    findings = documents.detector(documents.registered_from_docx() if registered else None).detect(insp)
    assert findings, case
    _check(insp, findings)
    for f in findings:
        if phrase:
            assert _covering(insp, f, phrase)


@pytest.mark.parametrize("body", [etiquette.SHOUTING, "Morning.\n\n" + etiquette.SHOUTING])
def test_etiquette_findings_on_text_carry_spans(body: str) -> None:
    """An all-capitals finding spans the text it measured."""
    insp = etiquette.inspection(body)
    findings = EtiquetteDetector().detect(insp)
    assert findings
    _check(insp, findings)
