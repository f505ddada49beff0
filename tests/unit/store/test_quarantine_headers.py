"""The subject and Message-ID a hold records are read from the header section alone, as from the whole."""

from __future__ import annotations

from email.parser import BytesHeaderParser
from email.policy import compat32
from email.policy import default as default_policy

import pytest

from gateway.mime.headers import header_values
from gateway.store.quarantine import _subject_and_id, header_block

BODY = b"Subject: not this one\r\nMessage-ID: <body@example.org>\r\n\r\ntext\r\n"

CASES = {
    "crlf": b"Subject: ward list\r\nMessage-ID: <a@example.org>\r\n\r\n" + BODY,
    "lf": b"Subject: ward list\nMessage-ID: <a@example.org>\n\n" + BODY.replace(b"\r\n", b"\n"),
    "folded subject": b"Subject: a long\r\n subject line\r\nMessage-ID: <a@example.org>\r\n\r\n" + BODY,
    "no body": b"Subject: only headers\r\nMessage-ID: <a@example.org>\r\n",
    "no blank line, no end": b"Subject: cut short",
    "empty header section": b"\r\nSubject: in the body\r\n",
    "empty header section, lf": b"\nSubject: in the body\n",
    "non-header line ends headers": b"Subject: first\r\nthis is not a header\r\nSubject: later\r\n\r\nx",
    "mixed endings": b"Subject: mixed\nMessage-ID: <m@example.org>\r\n\r\n" + BODY,
    "encoded subject": b"Subject: =?utf-8?q?caf=C3=A9?=\r\nMessage-ID: <e@example.org>\r\n\r\n" + BODY,
    "empty": b"",
}


def whole_message_reading(raw: bytes) -> tuple[str, str]:
    """What the quarantine read before: the same parsers over the whole message."""
    head = BytesHeaderParser(policy=default_policy).parsebytes(raw, headersonly=True)
    mid = str(head.get("Message-ID", "") or "")
    subjects = header_values(BytesHeaderParser(policy=compat32).parsebytes(raw, headersonly=True), "Subject")
    return (subjects[0] if subjects else "")[:500], mid.strip()[:300]


@pytest.mark.parametrize("raw", CASES.values(), ids=list(CASES))
def test_subject_and_id_as_from_the_whole_message(raw: bytes) -> None:
    """The recorded subject and Message-ID are those a parser of the whole message reads."""
    assert _subject_and_id(raw) == whole_message_reading(raw)


@pytest.mark.parametrize("raw", CASES.values(), ids=list(CASES))
def test_header_block_is_a_prefix_that_ends_at_the_first_empty_line(raw: bytes) -> None:
    """The header block is the message's beginning, through its first empty line and no further."""
    block = header_block(raw)
    assert raw.startswith(block)
    rest = raw[len(block) :]
    assert b"\n\n" not in block[:-1] and b"\n\r\n" not in block[:-1]
    assert not rest or block.endswith((b"\n\n", b"\n\r\n")) or block in (b"\n", b"\r\n")


def test_the_body_is_not_read() -> None:
    """A subject written in the body is not the message's subject."""
    assert _subject_and_id(CASES["crlf"]) == ("ward list", "<a@example.org>")
    assert header_block(CASES["crlf"]).endswith(b"<a@example.org>\r\n\r\n")
