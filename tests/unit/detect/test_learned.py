"""Allowed codes and words: an accepted value is no longer a finding of its type."""

from __future__ import annotations

import pytest

from gateway.detect.learned import without_allowed
from gateway.model import Finding
from gateway.model.learned import LearnedEntries
from tests.unit.detect.patientfixtures import inspection

BODY = "Rota code WARD-0042 and ward 7 bay K9; hospital number RX4471 again WARD-0042.\n"
#: where each value stands in BODY
CODE, BAY, HOSP, CODE_AGAIN = (10, 19), (35, 37), (55, 61), (68, 77)


def _finding(type_: str, *spans: tuple[int, int], where: str = "body") -> Finding:
    details = {"spans": [list(s) for s in spans], "count": max(1, len(spans))}
    return Finding("patient_identifier", type_, where, 0.8, "[masked]", details=details)


def _allowed(*pairs: tuple[str, str]) -> LearnedEntries:
    return LearnedEntries(version=1, allowed=frozenset(pairs))


@pytest.mark.parametrize(
    ("entries", "finding", "left"),
    [
        (_allowed(), _finding("HOSPITAL_NUMBER", CODE), [CODE]),
        (_allowed(("HOSPITAL_NUMBER", "ward-0042")), _finding("HOSPITAL_NUMBER", CODE), None),
        (_allowed(("HOSPITAL_NUMBER", "ward-0042")), _finding("HOSPITAL_NUMBER", CODE, CODE_AGAIN), None),
        (_allowed(("HOSPITAL_NUMBER", "ward-0042")), _finding("HOSPITAL_NUMBER", CODE, HOSP), [HOSP]),
        (_allowed(("NHS_NUMBER", "ward-0042")), _finding("HOSPITAL_NUMBER", CODE), [CODE]),  # another type
        (_allowed(("HOSPITAL_NUMBER", "ward-004")), _finding("HOSPITAL_NUMBER", CODE), [CODE]),  # not exact
        (_allowed(("HOSPITAL_NUMBER", "k9")), _finding("HOSPITAL_NUMBER", BAY), None),  # case aside
        (
            _allowed(("HOSPITAL_NUMBER", "ward-0042")),
            _finding("HOSPITAL_NUMBER"),
            [],
        ),  # no spans: kept as it is
        (_allowed(("HOSPITAL_NUMBER", "ward-0042")), _finding("HOSPITAL_NUMBER", CODE, where="x"), [CODE]),
    ],
)
def test_an_allowed_value_suppresses_exactly_that_finding(
    entries: LearnedEntries, finding: Finding, left: list[tuple[int, int]] | None
) -> None:
    """Spans holding an accepted value of the finding's type go; a finding with none left goes too."""
    out = without_allowed([finding], inspection(BODY), entries)
    if left is None:
        assert out == []
        return
    [kept] = out
    assert [tuple(s) for s in kept.details["spans"]] == left
    assert kept.details["count"] == max(1, len(left))


def test_every_finding_of_a_message_is_judged_on_its_own() -> None:
    """One finding without spans, one dropped and one cut down, in one list: each gets its own answer,
    in order (a finding kept or dropped early does not end the pass)."""
    entries = _allowed(("HOSPITAL_NUMBER", "ward-0042"))
    findings = [
        _finding("HOSPITAL_NUMBER"),
        _finding("HOSPITAL_NUMBER", CODE),
        _finding("HOSPITAL_NUMBER", CODE_AGAIN, HOSP),
        _finding("NHS_NUMBER", CODE),
    ]
    out = without_allowed(findings, inspection(BODY), entries)
    assert [(f.type, [tuple(s) for s in f.details["spans"]]) for f in out] == [
        ("HOSPITAL_NUMBER", []),
        ("HOSPITAL_NUMBER", [HOSP]),
        ("NHS_NUMBER", [CODE]),
    ]


@pytest.mark.parametrize(
    ("count", "spans", "left_count"),
    [
        (5, (CODE, HOSP, CODE_AGAIN), 3),  # two of five occurrences were the allowed code
        (4, (CODE, HOSP), 3),  # one of four
        (1, (CODE, HOSP, CODE_AGAIN), 1),  # a count below the spans never falls under one
    ],
)
def test_the_count_falls_by_the_spans_taken_out(
    count: int, spans: tuple[tuple[int, int], ...], left_count: int
) -> None:
    """A finding's occurrence count loses one per allowed span taken out, and stays at least one."""
    finding = _finding("HOSPITAL_NUMBER", *spans)
    finding.details["count"] = count
    [kept] = without_allowed([finding], inspection(BODY), _allowed(("HOSPITAL_NUMBER", "ward-0042")))
    assert kept.details["count"] == left_count
