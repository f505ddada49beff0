"""Etiquette: a long message in capitals and a long visible external recipient list are annotated."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from gateway.config import DomainSettings, EtiquetteSettings, Settings
from gateway.detect.etiquette import ALL_CAPS, LARGE_EXTERNAL_RECIPIENT_LIST, EtiquetteDetector, build
from gateway.detect.registry import DETECTORS
from gateway.inspector import Inspector
from gateway.model import Envelope, Inspection, Segment, Verdict
from gateway.policy import load_policy

DETECTOR = EtiquetteDetector(internal=("uni.ac.uk",), secure=("nhs.net",))
SHOUTING = (
    "I HAVE TOLD YOU THREE TIMES THAT THE ROTA IS WRONG AND NOBODY HAS FIXED IT. "
    "PLEASE SORT IT OUT BEFORE MONDAY BECAUSE I CANNOT KEEP SWAPPING SHIFTS."
)


def inspection(body: str, *, quoted: str = "", to: str = "friend@gmail.com", cc: str = "") -> Inspection:
    segments = [Segment(body, "body")]
    if quoted:
        segments.append(Segment(quoted, "body", quoted=True))
    headers = [("To", to)] + ([("Cc", cc)] if cc else [])
    rcpts = tuple(a.strip() for a in (to + "," + cc).split(",") if a.strip())
    return Inspection(envelope=Envelope("s@uni.ac.uk", rcpts), headers=headers, segments=segments)


def types(insp: Inspection) -> list[str]:
    return [f.type for f in DETECTOR.detect(insp)]


def test_long_message_in_capitals_is_all_caps() -> None:
    """A message written in capitals is an ALL_CAPS etiquette finding with a count, not the text."""
    (finding,) = DETECTOR.detect(inspection(SHOUTING))
    assert (finding.category, finding.type, finding.where) == ("etiquette", ALL_CAPS, "body")
    assert "letters in capitals" in finding.evidence and "ROTA" not in finding.evidence


@pytest.mark.parametrize(
    "body",
    [
        "URGENT: room change",
        "You were supposed to do the methods THREE WEEKS AGO. Please send your section by Wednesday.",
        "Bloods: FBC, U&E, LFT, CRP, INR, G&S. ECG and CXR done. NEWS 2, GCS 15, on the AMU.",
        "The OSCE for MBChB Year 3 is in the CSC on Friday; bring your ID, the DOPS forms and your logbook.",
    ],
)
def test_short_shouting_and_acronyms_are_not_all_caps(body: str) -> None:
    """A capitalised subject, one emphatic phrase or clinical acronyms do not count."""
    assert types(inspection(body)) == []


def test_capitals_in_quoted_text_are_not_the_senders() -> None:
    """Shouting in the message being replied to is not the sender's etiquette."""
    assert types(inspection("Sorry about that, I'll fix the rota today.", quoted=SHOUTING)) == []


def test_many_visible_external_addresses() -> None:
    """Eleven outside addresses in To/Cc is a LARGE_EXTERNAL_RECIPIENT_LIST finding with counts only."""
    to = ", ".join(f"sponsor{i}@example.com" for i in range(8))
    cc = ", ".join(f"friend{i}@gmail.com" for i in range(3))
    (finding,) = DETECTOR.detect(inspection("Please sponsor our 10k!", to=to, cc=cc))
    assert finding.type == LARGE_EXTERNAL_RECIPIENT_LIST and finding.details["external"] == 11
    assert "@" not in finding.evidence


def test_internal_recipients_and_ten_outside_are_fine() -> None:
    """University and NHS addresses never count; ten outside addresses is still within the limit."""
    to = ", ".join([f"s{i}@uni.ac.uk" for i in range(30)] + [f"d{i}@nhs.net" for i in range(5)])
    cc = ", ".join(f"friend{i}@gmail.com" for i in range(10))
    assert types(inspection("Year 3 social on Friday!", to=to, cc=cc)) == []


def test_limits_come_from_settings() -> None:
    """[etiquette] in the configuration sets the limits."""
    settings = dataclasses.replace(
        Settings(),
        domains=DomainSettings(internal=("uni.ac.uk",)),
        etiquette=EtiquetteSettings(max_external_recipients=2),
    )
    detector = build(settings)
    to = ", ".join(f"p{i}@example.com" for i in range(3))
    assert [f.type for f in detector.detect(inspection("hi", to=to))] == [LARGE_EXTERNAL_RECIPIENT_LIST]
    assert ("etiquette", "gateway.detect.etiquette", "build") in DETECTORS


def test_default_policy_annotates_etiquette() -> None:
    """Etiquette slips are delivered with a reminder, never held."""
    policy = load_policy([Path(__file__).parents[3] / "policies" / "default.yaml"])
    settings = dataclasses.replace(Settings(), domains=DomainSettings(internal=("uni.ac.uk",)))
    raw = f"From: s@uni.ac.uk\r\nTo: friend@gmail.com\r\nSubject: rota\r\n\r\n{SHOUTING}\r\n".encode()
    outcome = Inspector(settings, [DETECTOR], policy).inspect(
        Envelope("s@uni.ac.uk", ("friend@gmail.com",)), raw
    )
    assert outcome.verdict is Verdict.ANNOTATE and outcome.decision.rule == "etiquette"
