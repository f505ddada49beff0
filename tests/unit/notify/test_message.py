"""The notification message: headers built safely, automatic-mail markers, two alternatives."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from gateway.notify.message import MARKER, AddressError, address, build_message
from gateway.notify.render import Rendered, one_line
from tests.unit.notify.doubles import bodies, parse

WHEN = datetime(2025, 6, 2, 9, 30, tzinfo=UTC)


def build(**kw: object) -> bytes:
    options: dict[str, object] = {
        "sender": address("compliance@example.ac.uk", "Email compliance check"),
        "to": address("student@example.ac.uk"),
        "rendered": Rendered("Held for review: Ward round", "Plain text ünïcode\n", "<p>HTML</p>\n"),
        "kind": "sender",
        "date": WHEN,
    }
    options.update(kw)
    return build_message(**options)  # type: ignore[arg-type]


def test_marks_itself_as_automatic_and_as_ours() -> None:
    """Auto-Submitted, Exchange's suppression header and the gateway's own marker are set."""
    msg = parse(build())
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["X-Auto-Response-Suppress"] == "All"
    assert msg[MARKER] == "sender"
    assert msg["From"] == "Email compliance check <compliance@example.ac.uk>"
    assert msg["To"] == "student@example.ac.uk"
    assert msg["Date"] == "Mon, 02 Jun 2025 09:30:00 +0000"
    assert msg["Message-ID"].endswith("@example.ac.uk>")


def test_text_and_html_alternatives_with_crlf() -> None:
    """The notice is multipart/alternative, text first, both UTF-8, with CRLF line ends."""
    raw = build()
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    msg = parse(raw)
    assert msg.get_content_type() == "multipart/alternative"
    text, html = bodies(raw)
    assert text == "Plain text ünïcode\n" and html.strip() == "<p>HTML</p>"


def test_subject_cannot_smuggle_headers() -> None:
    """A subject carrying CR/LF becomes one line: no header can be added through it."""
    raw = build(rendered=Rendered("Held\r\nBcc: victim@example.com", "t", "<p>h</p>"))
    msg = parse(raw)
    assert msg["Bcc"] is None and "victim" in msg["Subject"]
    assert b"\r\nBcc:" not in raw


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "no-at-sign",
        "a@b@c",
        "alice@example.org)<bob@example.org>",  # CVE-2023-27043's shape
        "Bob <bob@example.org>",
        "x@example.org\r\nBcc: y@example.org",
        "a,b@example.org",
    ],
)
def test_only_plain_addresses_are_accepted(bad: str) -> None:
    """Anything but one bare address is refused: a notice never goes to a second, smuggled address."""
    with pytest.raises(AddressError):
        address(bad)


def test_angle_brackets_around_an_address_are_fine() -> None:
    """The envelope's <addr> form is read as the address."""
    a = address("<student@example.ac.uk>")
    assert (a.username, a.domain) == ("student", "example.ac.uk")


def test_refers_to_the_original_only_by_a_plain_message_id() -> None:
    """In-Reply-To is set from a well-formed Message-ID and dropped when it is anything else."""
    assert parse(build(in_reply_to="<orig-1@example.ac.uk>"))["In-Reply-To"] == "<orig-1@example.ac.uk>"
    for bad in ("orig@example", "<a@b>\r\nBcc: x@y", "<no-at-sign>", "<a b@c>"):
        msg = parse(build(in_reply_to=bad))
        assert msg["In-Reply-To"] is None and msg["Bcc"] is None


def test_kind_in_the_marker_is_a_token() -> None:
    """The marker header holds a plain token whatever kind is passed."""
    assert parse(build(kind="digest; x=\r\ny"))[MARKER] == "digest--x---y"


ROUND_TRIP = [
    # subject, text, html, sender's display name
    ("Held for review: Ward round", "Plain text\n", "<p>HTML</p>\n", "Email compliance check"),
    ("Überprüfung: naïve café — “quotes” " * 4, "ünïcode = sign =3D\n\nend", "<p>é</p>", "Conformité"),
    ("word " * 60, "x" * 300 + "\n  trailing spaces  \n", "<p>" + "é" * 200 + "</p>", 'The "check"; <team>'),
    ("😀 subject", "😀 body\n", "", "😀"),
]


@pytest.mark.parametrize(("subject", "text", "html", "name"), ROUND_TRIP)
def test_what_is_written_reads_back_the_same(subject: str, text: str, html: str, name: str) -> None:
    """Subject, display name and both bodies decode to what was rendered; no line passes RFC 5322's limit."""
    raw = build(
        sender=address("compliance@example.ac.uk", name),
        rendered=Rendered(subject.strip(), text, html),
    )
    assert all(len(line) <= 998 for line in raw.split(b"\r\n")) and raw.isascii()
    msg = parse(raw)
    assert str(msg["Subject"]) == one_line(subject)  # one line, capped
    assert msg["From"].addresses[0].display_name == name
    plain, markup = bodies(raw)
    assert plain.replace("\r\n", "\n") == (text if text.endswith("\n") else text + "\n")
    assert markup.replace("\r\n", "\n").rstrip("\n") == html.rstrip("\n")


def test_a_non_ascii_address_is_still_written() -> None:
    """An address the header registry can only encode is written as it writes it: the notice is not lost."""
    raw = build(to=address("stüdent@example.ac.uk"))
    assert b"\r\nTo: =?utf-8?q?st=C3=BCdent?=@example.ac.uk\r\n" in raw
