"""What is masked wherever held content is shown: detectors' spans first, patterns as a second net."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from gateway.model.masking import find_spans, located_spans, mask_place, mask_text, placeholder


@pytest.mark.parametrize(
    ("text", "hidden", "kind"),
    [
        ("NHS no 943 476 5919 today", "943 476 5919", "number"),
        ("hospital number RXH1234567.", "RXH1234567", "number"),
        ("call 0131 496 0000 please", "0131 496 0000", "number"),
        ("born 01/02/1950", "01/02/1950", "date"),
        ("born 3rd March 2024", "3rd March 2024", "date"),
        ("seen on 2024-11-05", "2024-11-05", "date"),
        ("lives at EH1 1AB", "EH1 1AB", "postcode"),
        ("saw Mrs Ada Lovelock on the ward", "Ada Lovelock", "name"),
        ("write to pat.someone@mail.example.com", "pat.someone@mail.example.com", "email"),
        ("NHS no 943/476/5919 today", "943/476/5919", "number"),
        ("NHS no 943\u00a0476\u00a05919 today", "943\u00a0476\u00a05919", "number"),
        ("lives at eh16 4sa now", "eh16 4sa", "postcode"),
        ("date of birth 3rd of April 1961, admitted", "3rd of April 1961", "date"),
        ("Subject: seen 2024-11-05 10:40:11 on ward", "2024-11-05 10:40:11", "date"),
    ],
)
def test_identifiers_are_masked(text: str, hidden: str, kind: str) -> None:
    """Each kind of identifier is found as one span of its kind."""
    spans = find_spans(text)
    assert [(text[s.start : s.end], s.kind) for s in spans] == [(hidden, kind)]


@pytest.mark.parametrize("text", ["meet at 10:30 in room 12", "3 of 4 students", "the year 2024 went well"])
def test_short_numbers_stay_visible(text: str) -> None:
    """Times, counts and years are not identifiers: nothing is masked."""
    assert find_spans(text) == []


def test_known_addresses_stay_visible() -> None:
    """The envelope addresses, shown in clear anyway, are not masked in the text."""
    assert find_spans("from a@example.ac.uk", keep=["A@example.ac.uk"]) == []


def test_detector_spans_are_masked_and_marked() -> None:
    """A span a detector located is masked even when no pattern matches it."""
    spans = find_spans("the patient Bobby said", located=[(12, 17)])
    assert [(s.start, s.end, s.located) for s in spans] == [(12, 17, True)]


@pytest.mark.parametrize(
    ("located", "expected"), [([(12, 40)], [(12, 17)]), ([(17, 20)], []), ([(-1, 3)], []), ([(5, 5)], [])]
)
def test_located_spans_past_the_end_are_cut_to_the_text(
    located: list[tuple[int, int]], expected: list[tuple[int, int]]
) -> None:
    """A span running past a text cut short (a long subject) hides what is left; one outside it, nothing."""
    assert [(s.start, s.end) for s in find_spans("the patient Bobby", located=located)] == expected


def test_placeholder_shows_no_character_of_the_value() -> None:
    """The placeholder names the kind only."""
    p = placeholder("number", "9434765919")
    assert not any(ch.isdigit() for ch in p) and "number" in p


def test_a_detector_kind_names_the_placeholder() -> None:
    """A located span carries its finding's kind; it wins over the pattern kind it overlaps."""
    text = "Patient Philippa Quennell lives at eh16 4sa"
    spans = find_spans(text, located=[(8, 25, "patient name"), (35, 43, "patient address")])
    assert [(text[s.start : s.end], s.kind) for s in spans] == [
        ("Philippa Quennell", "patient name"),
        ("eh16 4sa", "patient address"),
    ]


def test_mask_text_hides_located_and_pattern_spans() -> None:
    """mask_text replaces each span by its placeholder and leaves the rest as it was."""
    text = "Philippa at ward 7, NHS 943 476 5919."
    masked = mask_text(text, located=[(0, 8, "patient name")])
    assert masked.startswith("[patient name ·") and masked.count("[") == 2
    assert "Philippa" not in masked and "5919" not in masked and "at ward 7, NHS " in masked


def _finding(where: str, spans: object, quoted: bool = False, **details: object) -> SimpleNamespace:
    return SimpleNamespace(
        type="PATIENT_NAME", where=where, quoted=quoted, details={"spans": spans, **details}
    )


@pytest.mark.parametrize(
    ("findings", "where", "quoted", "expected"),
    [
        ([_finding("body", [[0, 4]])], "body", False, [(0, 4, "patient name")]),
        ([_finding("body", [[0, 4]])], "header:Subject", None, []),
        ([_finding("body", [[0, 4]], quoted=True)], "body", False, []),
        ([_finding("body", [[0, 4]], quoted=True)], "body", True, [(0, 4, "patient name")]),
        (
            [_finding("body", [[0, 4]], quoted=True, segment_quoted=False)],
            "body",
            False,
            [(0, 4, "patient name")],
        ),
        (
            [_finding("body", [[0, 4]], spans_elsewhere={"header:Subject": [[2, 6]]})],
            "header:Subject",
            None,
            [(2, 6, "patient name")],
        ),
        (
            [_finding("body", "junk"), _finding("body", [[1], ["a", 2], [3, 5]])],
            "body",
            None,
            [(3, 5, "patient name")],
        ),
        ([SimpleNamespace(type="X", where="body", details=None)], "body", None, []),
        (
            [
                SimpleNamespace(
                    category="university_document", type="X", where="body", details={"spans": [[0, 9]]}
                )
            ],
            "body",
            None,
            [],
        ),
        (
            [SimpleNamespace(category="etiquette", type="X", where="body", details={"spans": [[0, 9]]})],
            "body",
            None,
            [],
        ),
    ],
)
def test_located_spans_reads_stored_findings(
    findings: list[SimpleNamespace], where: str, quoted: bool | None, expected: list[tuple[int, int, str]]
) -> None:
    """Spans are read for the place and quoting asked for, from elsewhere-maps too; junk and markings are skipped."""
    assert located_spans(findings, where, quoted) == expected


@pytest.mark.parametrize(
    ("spans", "shown"),
    [
        ([[0, 8]], "attachment:[patient name ·••] notes.txt/Sheet1"),
        ([[0, 80]], "attachment:[patient name ·••••••]/Sheet1"),  # another reading of the name: all of it
        ([], "attachment:Quennell notes.txt/Sheet1"),
    ],
)
def test_mask_place_masks_file_names_in_locations(spans: list[list[int]], shown: str) -> None:
    """A file name in a location is masked by its own spans, wholly when they do not fit it."""
    findings = [_finding("attachment:Quennell notes.txt#filename", spans)]
    assert mask_place("attachment:Quennell notes.txt/Sheet1", findings) == shown
