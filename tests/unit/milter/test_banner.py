"""The annotate banner goes at the top of the text the reader sees, every other byte untouched."""

from __future__ import annotations

import base64
import email
import email.policy

from gateway.milter.banner import insert_banner

BANNER = "Reminder: keep it professional."


def split(raw: bytes) -> tuple[list[tuple[bytes, bytes]], bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    headers: list[tuple[bytes, bytes]] = []
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t"):
            name, value = headers[-1]
            headers[-1] = (name, value + b"\r\n" + line)
        else:
            name, _, value = line.partition(b":")
            headers.append((name, value))
    return headers, body


def text_of(raw: bytes, ctype: str = "text/plain") -> str:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    part = msg.get_body(preferencelist=(ctype.split("/")[1],))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")


def with_banner(raw: bytes) -> bytes | None:
    headers, body = split(raw)
    new = insert_banner(headers, body, BANNER)
    if new is None:
        return None
    return raw[: len(raw) - len(body)] + new


def test_plain_text_message() -> None:
    """A simple text message gets the banner, a blank line, then the original text."""
    raw = b"Subject: x\r\n\r\nHello there\r\n"
    out = with_banner(raw)
    assert out == b"Subject: x\r\n\r\n" + BANNER.encode() + b"\r\n\r\nHello there\r\n"


def test_quoted_printable_text() -> None:
    """In a quoted-printable part the banner is encoded the same way, and decodes back."""
    raw = (
        b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
        b"caf=C3=A9 at noon\r\n"
    )
    out = with_banner(raw)
    assert out is not None
    assert text_of(out).startswith(BANNER + "\n\ncafé at noon")


def test_base64_text_is_reencoded() -> None:
    """A base64 text part is decoded, given the banner, and encoded again."""
    body = base64.encodebytes("Dear colleague, café\r\n".encode()).replace(b"\n", b"\r\n")
    raw = b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" + body
    out = with_banner(raw)
    assert out is not None
    assert text_of(out) == BANNER + "\n\nDear colleague, café\n"


MULTIPART = (
    b"MIME-Version: 1.0\r\n"
    b'Content-Type: multipart/mixed; boundary="outer"\r\n'
    b"\r\n"
    b"preamble\r\n"
    b"--outer\r\n"
    b'Content-Type: multipart/alternative; boundary="inner"\r\n'
    b"\r\n"
    b"--inner\r\n"
    b"Content-Type: text/plain\r\n"
    b"\r\n"
    b"Plain words\r\n"
    b"--inner\r\n"
    b"Content-Type: text/html\r\n"
    b"\r\n"
    b"<html><body class=x><p>Html words</p></body></html>\r\n"
    b"--inner--\r\n"
    b"--outer\r\n"
    b"Content-Type: application/pdf\r\n"
    b"Content-Transfer-Encoding: base64\r\n"
    b"\r\n"
    b"JVBERi0xLjQK\r\n"
    b"--outer--\r\n"
)


def test_multipart_alternative_gets_it_in_both_text_and_html() -> None:
    """Inside multipart/mixed -> multipart/alternative, the plain and the HTML part both get it."""
    out = with_banner(MULTIPART)
    assert out is not None
    assert text_of(out, "text/plain").startswith(BANNER + "\n\nPlain words")
    assert "<body class=x><p>" + BANNER + "</p>" in text_of(out, "text/html")


def test_attachments_are_left_byte_for_byte() -> None:
    """Everything outside the text parts is unchanged: the attachment and the structure."""
    out = with_banner(MULTIPART)
    assert out is not None
    assert out.endswith(MULTIPART[MULTIPART.index(b"--outer\r\nContent-Type: application/pdf") :])
    msg = email.message_from_bytes(out, policy=email.policy.default)
    assert [p.get_content_type() for p in msg.walk()] == [
        "multipart/mixed",
        "multipart/alternative",
        "text/plain",
        "text/html",
        "application/pdf",
    ]


def test_html_special_characters_are_escaped() -> None:
    """The banner is text, never markup, in an HTML part."""
    headers, body = split(b"Content-Type: text/html\r\n\r\n<body>x</body>\r\n")
    out = insert_banner(headers, body, "<b>&</b>")
    assert out is not None and b"&lt;b&gt;&amp;&lt;/b&gt;" in out


def test_no_text_part_means_no_banner() -> None:
    """A message whose first part is not text gets no banner (None: headers only)."""
    raw = (
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: image/png\r\n\r\nPNG\r\n--b--\r\n"
    )
    assert with_banner(raw) is None


def test_broken_multipart_means_no_banner() -> None:
    """A multipart without its boundary in the body is left alone."""
    raw = b'Content-Type: multipart/mixed; boundary="missing"\r\n\r\nno parts here\r\n'
    assert with_banner(raw) is None


def test_empty_banner_is_no_banner() -> None:
    """An empty banner text changes nothing."""
    headers, body = split(b"Subject: x\r\n\r\nHello\r\n")
    assert insert_banner(headers, body, "  ") is None
