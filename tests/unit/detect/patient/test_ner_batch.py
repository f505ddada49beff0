"""spaCy is asked about a message's windows in one call, and about each distinct window text once."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest

from gateway.detect.patient import PatientDetector
from gateway.model import Segment
from tests.unit.detect import patientfixtures as pf

BODY = "Odalys Brightwater has metastatic carcinoma and is very frightened about it."
OTHER = "Her husband Tomasz Brightwater was admitted with pneumonia on the same ward."


@pytest.fixture
def asked(detector: PatientDetector) -> Iterator[list[list[str]]]:
    """The windows of each call the detector makes to spaCy (the real model answers)."""
    assert detector.engine is not None
    engine = detector.engine
    real = engine.persons
    calls: list[list[str]] = []

    def persons(windows: Sequence[str]) -> list[list[tuple[int, int]]]:
        calls.append(list(windows))
        return real(windows)

    engine.persons = persons  # type: ignore[method-assign]
    try:
        yield calls
    finally:
        del engine.persons  # the class's method again


def test_plain_and_html_bodies_share_their_windows(detector: PatientDetector, asked: list[list[str]]) -> None:
    """The same sentence in the plain and the HTML body goes to spaCy once, and both get its findings."""
    html = Segment(BODY + "\n" + OTHER, "body:html", kind="body")
    found = detector.detect(pf.inspection(BODY + "\n" + OTHER, subject="hi", segments=[html]))
    assert len(asked) == 1 and asked[0] and len(asked[0]) == len(set(asked[0]))
    by_place = {w: sorted(f.type for f in found if f.where == w) for w in ("body", "body:html")}
    assert by_place["body"] and by_place["body"] == by_place["body:html"]


def test_sharing_changes_no_finding(detector: PatientDetector, asked: list[list[str]]) -> None:
    """A body's findings are the same whether or not another part of the message repeats it."""
    alone = detector.detect(pf.inspection(BODY + "\n" + OTHER, subject="hi"))
    html = Segment(BODY + "\n" + OTHER, "body:html", kind="body")
    both = detector.detect(pf.inspection(BODY + "\n" + OTHER, subject="hi", segments=[html]))
    assert [f for f in both if f.where == "body"] == alone
    assert asked[0] == asked[1]
