"""When no notice may be sent: bounces, automatic mail, list mail, our own notices (RFC 3834)."""

from __future__ import annotations

import pytest

from gateway.notify.safety import suppression
from tests.unit.notify.doubles import envelope, message

OWN = ("compliance@example.ac.uk", "check@example.ac.uk")


@pytest.mark.parametrize(
    ("sender", "headers", "reason"),
    [
        ("student@example.ac.uk", [], ""),
        ("", [], "bounce"),
        ("<>", [], "bounce"),
        ("MAILER-DAEMON@example.ac.uk", [], "mailer-daemon"),
        ("owner-surgery@lists.example.ac.uk", [], "list"),
        ("surgery-request@lists.example.ac.uk", [], "list"),
        ("compliance@example.ac.uk", [], "own"),
        ("Check@Example.ac.uk", [], "own"),
        ("student@example.ac.uk", [("X-Compliance-Notification", "sender")], "own"),
        ("student@example.ac.uk", [("Auto-Submitted", "auto-replied")], "auto-submitted"),
        ("student@example.ac.uk", [("Auto-Submitted", "auto-generated (vacation)")], "auto-submitted"),
        ("student@example.ac.uk", [("Auto-Submitted", "no")], ""),
        ("student@example.ac.uk", [("Auto-Submitted", "No (a person wrote this)")], ""),
        ("student@example.ac.uk", [("List-Id", "Year 3 <year3.example.ac.uk>")], "list"),
        ("student@example.ac.uk", [("Precedence", "bulk")], "list"),
        ("student@example.ac.uk", [("Precedence", "junk")], "list"),
        ("student@example.ac.uk", [("Precedence", "list")], "list"),
        ("student@example.ac.uk", [("Precedence", "first-class")], ""),
    ],
)
def test_suppression(sender: str, headers: list[tuple[str, str]], reason: str) -> None:
    """Each kind of automatic, list or own mail is recognised; a person's message is not."""
    raw = message(sender=sender or "x@example.ac.uk", headers=headers)
    assert suppression(envelope(sender), raw, own_addresses=OWN) == reason


def test_delivery_reports_are_never_answered() -> None:
    """A multipart/report (a bounce or read receipt) with a real-looking sender is not answered."""
    raw = (
        b"From: postmaster@example.org\r\nSubject: Delivery Status Notification\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="r"\r\n\r\n--r--\r\n'
    )
    assert suppression(envelope("postmaster@example.org"), raw) == "report"


def test_only_the_header_block_is_read() -> None:
    """Header-like lines in the body do not count."""
    raw = message(body="Auto-Submitted: auto-generated\nList-Id: <x>\n")
    assert suppression(envelope(), raw) == ""
