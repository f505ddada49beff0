"""The meaning detector over a hand-made model: thresholds, the patient gate, masking and routing."""

from __future__ import annotations

import math

import pytest

from gateway.detect.meaning import ABUSE_TYPE, PATIENT_TYPE, MeaningDetector
from gateway.detect.meaning.model import featurizer, text_features
from gateway.model.finding import ABUSIVE_LANGUAGE, PATIENT_IDENTIFIER
from gateway.model.learned import LearnedEntries
from tests.unit.detect.meaning.conftest import INTERNAL, OUTSIDE, SECURE, STAFF, Judge, toy_model

# "biopsy" pushes the patient output, "regret" the abuse output; other words weigh nothing
WEIGHTS = {"w:biopsy": (30.0, 0.0), "w:regret": (0.0, 30.0)}


def detector(**thresholds: float) -> Judge:
    d = MeaningDetector(internal=INTERNAL, secure=SECURE, model=toy_model(WEIGHTS, **thresholds))
    d.load()
    return Judge(d)


def score(text: str, output: int) -> float:
    return toy_model(WEIGHTS).scores(text_features(featurizer(), text))[output]


PATIENT_TEXT = "Karen Mbatha had a biopsy today"
ABUSE_TEXT = "you will regret this"


@pytest.mark.parametrize(
    ("text", "output", "type_"),
    [(PATIENT_TEXT, 0, PATIENT_TYPE), (ABUSE_TEXT, 1, ABUSE_TYPE)],
)
def test_a_finding_from_the_threshold_up(text: str, output: int, type_: str) -> None:
    """A window scoring exactly the threshold is reported; one a hair below it is not."""
    s = score(text, output)
    key = "patient" if output == 0 else "abuse"
    at = detector(**{key: s})
    above = detector(**{key: math.nextafter(s, 1.0)})
    assert type_ in at.types(text)
    assert type_ not in above.types(text)


@pytest.mark.parametrize(
    ("text", "reported"),
    [
        (PATIENT_TEXT, True),  # a full name
        ("Mrs Okafor had a biopsy today", True),  # a courtesy title
        ("the biopsy for hosp no 7734102 is back", True),  # an identifier shape
        ("I had a biopsy today", False),  # the writer's own
        ("a 67 year old man had a biopsy", False),  # an anonymised case
    ],
)
def test_a_patient_needs_a_person_or_an_identifier(text: str, reported: bool) -> None:
    """Below the very-high threshold, a patient finding needs a person mention or an identifier in the window."""
    judge = detector(patient=0.5, alone=0.999999)
    assert (PATIENT_TYPE in judge.types(text)) is reported


def test_a_very_high_score_needs_no_person() -> None:
    """From the `patient_alone` threshold up, no person mention is needed."""
    judge = detector(patient=0.5, alone=0.5)
    (f,) = judge("I had a biopsy today")
    assert f.type == PATIENT_TYPE
    assert "very high score" in " ".join(f.details["reasons"])


def test_correspondents_and_greetings_are_not_the_patient() -> None:
    """The reader named in the greeting, or a correspondent, does not make the writer's own biopsy a patient's."""
    judge = detector(patient=0.5, alone=0.999999)
    assert PATIENT_TYPE not in judge.types("Hi Priya, I had a biopsy today")
    assert PATIENT_TYPE not in judge.types("Priya Shah, I had a biopsy today", names=["Priya Shah"])
    assert PATIENT_TYPE in judge.types("Priya Shah had a biopsy today")


@pytest.mark.parametrize(
    ("text", "staff", "public", "reported"),
    [
        ("Mrs Fairweather had a biopsy today", ("Ottoline Fairweather",), (), False),
        ("Ottoline Fairweather had a biopsy today", ("Ottoline Fairweather",), (), False),
        ("Joseph Merrick had a biopsy", (), ("Joseph Merrick",), False),
        # only the accepted name: another person in the window, or a namesake with more names, stays
        ("Mrs Fairweather and Tom Ridley had a biopsy today", ("Ottoline Fairweather",), (), True),
        ("Harriet Fairweather had a biopsy today", ("Ottoline Fairweather",), (), True),
        ("Mrs Fairweather had a biopsy today", (), (), True),
    ],
)
def test_accepted_staff_and_public_figures_are_not_the_patient(
    text: str, staff: tuple[str, ...], public: tuple[str, ...], reported: bool
) -> None:
    """A name an administrator accepted (as staff or a public figure) from a reviewer's mark is no patient
    candidate for the model either; a new version of the entries is picked up at the next message."""
    d = MeaningDetector(
        internal=INTERNAL, secure=SECURE, model=toy_model(WEIGHTS, patient=0.5, alone=0.999999)
    )
    current = [LearnedEntries()]
    d.learned = lambda: current[0]
    d.load()
    judge = Judge(d)
    assert PATIENT_TYPE in judge.types(text)  # nothing accepted yet
    current[0] = LearnedEntries(version=1, staff_names=staff, public_figures=public)
    assert (PATIENT_TYPE in judge.types(text)) is reported


@pytest.mark.parametrize(
    ("text", "reported"),
    [
        # the writer signing off or introducing themselves
        ("The biopsy was normal, so no follow-up.\n\nBest wishes,\nChloe", False),
        ("The biopsy was normal, so no follow-up.\nLove, Cerys x", False),
        ("Hi, it's Lucy from the ward: the man in bed 4 asked about his biopsy", False),
        ("I'm Kemi, the FY1 - the biopsy list is in the office", False),
        # a doctor by title is staff
        ("Dr Evans took the biopsy himself, small world", False),
        ("Prof Okoro wants the biopsy slides back", False),
        # a place is not a person
        ("Meet at the Brackenholme Playhouse, the biopsy talk is there", False),
        # a third person stays a candidate, wherever the sign-off is
        ("Tom Ridley had a biopsy today.\nThanks,\nAmy", True),
        ("Thanks,\nTom Ridley had a biopsy today", True),
        ("Mrs Okafor's biopsy came back", True),
        ("Gareth from my street had a biopsy", True),
    ],
)
def test_the_writer_a_doctor_or_a_place_is_not_the_patient(text: str, reported: bool) -> None:
    """The gate does not take the writer's own signature, a titled doctor or a venue for the patient."""
    judge = detector(patient=0.5, alone=0.999999)
    assert (PATIENT_TYPE in judge.types(text)) is reported


@pytest.mark.parametrize(
    ("text", "reported"),
    [
        ("the biopsy for hosp no 7734102 is back", True),  # a hospital number
        ("biopsy list: 9960308243 in bay 4", True),  # a bare ten-digit run
        ("patient id 7734102, biopsy pending", True),  # a patient's label beside a generic one
        ("his mobile is 07700 900123, the biopsy is back", True),  # someone's own number
        ("dob 09/11/1947, biopsy booked", True),  # a date of birth
        ("the biopsy form is ticket ref INC0012345", False),  # a ticket
        ("order number 123456789: biopsy needles", False),  # an order
        ("Datix done (ref W-88417) after the biopsy", False),  # an incident reference
        ("queued as 4F2A1 1234567, the biopsy mail bounced", False),  # a mail queue id
        ("seen on 12/03/2025 for a biopsy, a 54 year old", False),  # a date that is not a birth date
    ],
)
def test_an_identifier_anchor_is_not_a_reference_or_a_visit_date(text: str, reported: bool) -> None:
    """A number labelled as a reference, order or queue id, or a date that is not a birth date, is no anchor."""
    judge = detector(patient=0.5, alone=0.999999)
    assert (PATIENT_TYPE in judge.types(text)) is reported


def test_the_finding_carries_a_label_and_a_span_never_the_text() -> None:
    """Evidence is a label and details hold offsets, scores and reasons: no word of the message."""
    body = "Morning all.\nKaren Mbatha had a biopsy today and you will regret this."
    findings = detector(patient=0.5, abuse=0.5)(body)
    assert {f.type for f in findings} == {PATIENT_TYPE, ABUSE_TYPE}
    words = {w.lower().strip(".") for w in body.split()}
    for f in findings:
        shown = (f.evidence + " " + repr(f.details)).lower()
        assert not {w for w in words if len(w) > 3 and w in shown.replace("meaning", "")}, shown
        ((start, end),) = f.details["spans"]
        assert "Karen Mbatha had a biopsy" in body[start:end]
        assert f.category == (PATIENT_IDENTIFIER if f.type == PATIENT_TYPE else ABUSIVE_LANGUAGE)
        assert f.score >= 0.5 and f.detector == "meaning"
    abuse = next(f for f in findings if f.type == ABUSE_TYPE)
    assert abuse.severity == "severe"


def test_one_finding_per_type_and_place() -> None:
    """Many windows over the threshold make one finding per type, place and quotedness: the best window."""
    body = "\n\n".join(f"Karen Mbatha had a biopsy, note {i}." for i in range(20))
    findings = detector(patient=0.5)(body, subject="Karen Mbatha biopsy")
    assert sorted(f.where for f in findings) == ["body", "header:Subject"]


@pytest.mark.parametrize(
    ("kw", "quoted"),
    [
        ({"body": ABUSE_TEXT}, [False]),
        ({"body": "fwd below", "quoted": ABUSE_TEXT}, [True]),
        ({"body": 'He wrote "you will regret this" on my locker'}, []),
        ({"body": 'The guidance says "you will regret this" is a threat'}, []),
        ({"body": 'You will regret this, and "soon"'}, [False]),
    ],
)
def test_quoted_abuse_is_marked_and_cited_abuse_left_to_the_rules(
    kw: dict[str, str], quoted: list[bool]
) -> None:
    """Abuse in quoted text is `quoted`, as the rules mark it (the policy then delivers a victim's report to
    staff, and holds it outside); abuse only in quotation marks inside the writer's text is not reported."""
    body = kw.pop("body")
    findings = [f for f in detector(abuse=0.5)(body, **kw) if f.type == ABUSE_TYPE]
    assert [f.quoted for f in findings] == quoted


@pytest.mark.parametrize(
    ("to", "reported"),
    [(STAFF, False), (("lead@nhs.net",), False), (OUTSIDE, True), ((*STAFF, *OUTSIDE), True)],
)
def test_a_concern_raised_properly_to_staff_is_not_abuse(to: tuple[str, ...], reported: bool) -> None:
    """A concern raised through the proper channel to internal or secure recipients only is privileged."""
    body = f"I would like to raise a concern in confidence. {ABUSE_TEXT}"
    assert (ABUSE_TYPE in detector(abuse=0.5).types(body, to=to)) is reported


def test_names_and_document_properties_are_not_read() -> None:
    """Display names and document properties are not prose, attachments are not email: no finding from them."""
    from gateway.model import Envelope, Inspection, Segment

    d = MeaningDetector(model=toy_model(WEIGHTS, patient=0.5, abuse=0.5))
    d.load()
    inspection = Inspection(
        envelope=Envelope("s@uni.ac.uk", ("x@gmail.com",)),
        segments=[
            Segment("Karen Mbatha biopsy regret", "header:From", kind="name"),
            Segment("Karen Mbatha biopsy regret", "attachment:a.docx/properties", kind="metadata"),
            Segment("Karen Mbatha biopsy regret", "attachment:a.docx", kind="attachment"),
        ],
    )
    assert d.detect(inspection) == []


def test_registered_in_the_registry() -> None:
    """The pipeline builds the meaning detector from the registry."""
    from gateway.detect.registry import DETECTORS, build_detectors

    assert ("meaning", "gateway.detect.meaning", "build") in DETECTORS
    (d,) = build_detectors(None, names=("meaning",))
    assert isinstance(d, MeaningDetector)
    assert d.categories == (PATIENT_IDENTIFIER, ABUSIVE_LANGUAGE)
