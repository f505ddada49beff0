"""Builders for patient-detector tests: identifiers with real check digits, and inspections.

Everything here is invented for the tests; numbers get their check digits
computed, never copied from anywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gateway.model import Artifact, Envelope, Finding, Inspection, Segment

SENDER = ("Robin Ashcombe", "robin.ashcombe@student.northam.ac.uk")
FRIEND = ("Kit Marlowe", "kit.marlowe99@gmail.com")


def check_digit(nine: str) -> int | None:
    """The modulus-11 check digit of nine digits (None when it would be 10: no valid number)."""
    total = sum(int(c) * w for c, w in zip(nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    return None if check == 10 else 0 if check == 11 else check


def nhs_number(start: str = "485", sep: str = " ") -> str:
    """A valid NHS number starting with `start`, written 3-3-4 with `sep` between the groups."""
    for n in range(10**6):
        nine = (start + str(n).zfill(9))[:9]
        check = check_digit(nine)
        if check is not None:
            d = nine + str(check)
            return f"{d[:3]}{sep}{d[3:6]}{sep}{d[6:]}"
    raise AssertionError("no valid number")  # pragma: no cover


def nhs_numbers(count: int, first: str = "4") -> list[str]:
    """`count` different valid NHS numbers (plain digits) starting with `first`."""
    out = []
    n = 12_345_678
    while len(out) < count:
        nine = (first + str(n))[:9]
        check = check_digit(nine)
        if check is not None:
            out.append(nine + str(check))
        n += 7919
    return out


def failing_number(start: str = "612") -> str:
    """Ten digits whose last digit is not the check digit (an order or tracking number)."""
    for n in range(10**6):
        nine = (start + str(n).zfill(9))[:9]
        check = check_digit(nine)
        if check is not None:
            return nine + str((check + 3) % 10)
    raise AssertionError("unreachable")  # pragma: no cover


def never_valid(start: str = "733") -> str:
    """Ten digits whose first nine give a check value of 10: no NHS number can start so."""
    for n in range(10**6):
        nine = (start + str(n).zfill(9))[:9]
        if check_digit(nine) is None:
            return nine + "4"
    raise AssertionError("unreachable")  # pragma: no cover


def chi_number(ddmmyy: str = "140372", serial: str = "45") -> str:
    """A valid CHI number for a date of birth (DDMMYY), as ten digits."""
    for sex in range(10):
        nine = ddmmyy + serial + str(sex)
        check = check_digit(nine)
        if check is not None:
            return nine + str(check)
    raise AssertionError("no valid CHI")  # pragma: no cover


def inspection(
    body: str = "",
    *,
    subject: str = "",
    sender: tuple[str, str] = SENDER,
    to: Sequence[tuple[str, str]] = (FRIEND,),
    segments: Sequence[Segment] = (),
    artifacts: Sequence[Artifact] = (),
    quoted_body: str = "",
) -> Inspection:
    """A message as the MIME walker and the extractors would hand it to detectors."""
    env = Envelope(sender[1], tuple(a for _, a in to))
    insp = Inspection(envelope=env, subject=subject)
    insp.correspondents = [sender, *to]
    if subject:
        insp.segments.append(Segment(subject, "header:Subject", kind="header"))
    for display, _addr in [sender, *to]:
        if display:
            insp.segments.append(Segment(display, "header:From", kind="name"))
    if body:
        insp.segments.append(Segment(body, "body", kind="body"))
    if quoted_body:
        insp.segments.append(Segment(quoted_body, "body", quoted=True, kind="body"))
    insp.segments.extend(segments)
    insp.artifacts.extend(artifacts)
    return insp


def attachment(text: str, name: str = "notes.docx", kind: str = "attachment") -> Segment:
    return Segment(text, f"attachment:{name}", kind=kind)


def found(detector: Any, insp: Inspection, type_: str | None = None) -> list[Finding]:
    """What `detector` reports, optionally only findings of one type."""
    out = detector.detect(insp)
    return [f for f in out if type_ is None or f.type == type_]


def types(detector: Any, insp: Inspection) -> set[str]:
    return {f.type for f in detector.detect(insp)}
