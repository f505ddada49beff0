"""Fuzz: the planted sentence in any encoding the generator knows is never passed outside (issue 13, fuzz target).

Messages are built from a carrier of the sentence (a text or HTML body in
7bit, quoted-printable or base64 under any spelling a client accepts, the
base64 damaged: a stray "!", "-" or "_" or a "=" anywhere, padding
stripped; a body declared in a charset clients do not use; a zip member's
content or name; an attachment's name; a uuencoded, begin-base64 or yEnc
block in a body, whole or damaged, with the sentence encoded in it or
written as plain text inside it, after it, or in place of its end line; a
subject encoded-word, its base64 damaged the same way) wrapped in
random nesting (multipart/mixed, /alternative, /related with sibling parts,
message/rfc822 forwards), then run through the inspector `gateway scan`
builds. A verdict must come back, and it must not be `pass`. The example
budget is fixed and small so the test takes seconds in CI.
"""

from __future__ import annotations

import base64
import binascii
import html
import quopri
from dataclasses import dataclass
from functools import cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.model import Verdict
from tests.unit.extract import fixture_files as ff
from tests.unit.mime.planted import HEAD, SENTENCE, inspect

FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
NAME = SENTENCE.replace("/", "-").replace(",", "") + ".txt"
FILLER = "Café notes for the study group, week three.\r\n"


@dataclass(frozen=True)
class Entity:
    """One MIME entity: its header lines (CRLF-terminated) and its body bytes."""

    headers: str
    body: bytes

    def bytes(self) -> bytes:
        return self.headers.encode() + b"\r\n" + self.body


# --- transfer encodings ----------------------------------------------------------------------------

_B64_NAMES = ["base64", "BASE64", "Base64 ", "base64 (scanner)", '"base64"', "base-64", "x-base64"]
_QP_NAMES = ["quoted-printable", "Quoted-Printable", "quoted-printable (x)"]


@st.composite
def encoded(draw: st.DrawFn, data: bytes) -> tuple[str, bytes]:
    """(Content-Transfer-Encoding header line, body) for `data` in an encoding drawn."""
    kind = draw(st.sampled_from(["7bit", "qp", "base64", "base64-damaged"]))
    if kind == "7bit" and all(b < 128 for b in data):
        return "Content-Transfer-Encoding: 7bit\r\n", data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    if kind == "qp":
        body = quopri.encodestring(data).replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        return f"Content-Transfer-Encoding: {draw(st.sampled_from(_QP_NAMES))}\r\n", body
    text = base64.b64encode(data)
    if kind == "base64-damaged":
        text = draw(damaged_base64(text))
    width = draw(st.sampled_from([76, 64, 40]))
    body = b"\r\n".join(text[i : i + width] for i in range(0, len(text), width))
    return f"Content-Transfer-Encoding: {draw(st.sampled_from(_B64_NAMES))}\r\n", body + b"\r\n"


@st.composite
def damaged_base64(draw: st.DrawFn, text: bytes) -> bytes:
    """`text` (base64) with a stray or pad character put anywhere, or its padding stripped."""
    damage = draw(st.sampled_from([b"!", b"-", b"_", b"=", b"==", b"strip"]))
    if damage == b"strip":
        return text.rstrip(b"=")
    at = draw(st.integers(0, len(text)))
    return text[:at] + damage + text[at:]


# --- carriers of the sentence ----------------------------------------------------------------------


@st.composite
def text_part(draw: st.DrawFn, text: str) -> Entity:
    charset = draw(st.sampled_from(["utf-8", "iso-8859-1", "x-unknown", "cp500", "cp037"]))
    as_html = draw(st.booleans())
    content = f"<html><body><p>{html.escape(text)}</p></body></html>" if as_html else text
    data = (FILLER + content + "\r\n").encode("latin-1" if charset == "iso-8859-1" else "utf-8")
    cte, body = draw(encoded(data))
    ctype = "text/html" if as_html else "text/plain"
    return Entity(f"Content-Type: {ctype}; charset={charset}\r\n{cte}", body)


@cache
def _zips() -> tuple[bytes, bytes]:
    return ff.zip_of({"notes.txt": SENTENCE.encode()}), ff.zip_of({NAME: b"hello"})


@st.composite
def attachment(draw: st.DrawFn) -> Entity:
    which = draw(st.sampled_from(["zip-content", "zip-name", "file-name", "text-file"]))
    content, member_name = _zips()
    name, data, ctype = {
        "zip-content": ("notes.zip", content, "application/zip"),
        "zip-name": ("notes.zip", member_name, "application/zip"),
        "file-name": (NAME, b"hello", "application/octet-stream"),
        "text-file": ("notes.txt", (SENTENCE + "\r\n").encode(), "text/plain"),
    }[which]
    cte, body = draw(encoded(data))
    return Entity(
        f'Content-Type: {ctype}; name="{name}"\r\nContent-Disposition: attachment; filename="{name}"\r\n{cte}',
        body,
    )


def _uuencode(data: bytes) -> tuple[bytes, bytes, bytes]:
    lines = [binascii.b2a_uu(data[i : i + 45]) for i in range(0, len(data), 45)]
    return b"begin 644 notes.txt\n", b"".join(lines) + b"`\n", b"end\n"


def _begin_base64(data: bytes) -> tuple[bytes, bytes, bytes]:
    return b"begin-base64 644 notes.txt\n", base64.encodebytes(data), b"====\n"


def _yenc(data: bytes) -> tuple[bytes, bytes, bytes]:
    out = bytearray()
    for byte in data:
        enc = (byte + 42) % 256
        out += bytes((61, (enc + 64) % 256)) if enc in (0, 10, 13, 61) else bytes((enc,))
    return b"=ybegin line=128 size=%d name=notes.txt\n" % len(data), bytes(out) + b"\n", b"=yend\n"


@st.composite
def inline_block(draw: st.DrawFn) -> Entity:
    """A file written into a text body, the sentence encoded in it or written as text in or around it."""
    encode = draw(st.sampled_from([_uuencode, _begin_base64, _yenc]))
    where = draw(st.sampled_from(["encoded", "instead-of-data", "after-data", "after-block"]))
    begin, lines, end = encode(SENTENCE.encode() if where == "encoded" else b"hello")
    text = SENTENCE.encode() + b"\n"
    if where == "instead-of-data":
        lines = text
    elif where == "after-data":
        lines += text
    if draw(st.booleans()):  # damaged: the end line lost, or a line that decodes to nothing
        end = draw(st.sampled_from([b"", b"zzzz!\n" + end]))
    block = begin + lines + end + (text if where == "after-block" else b"")
    data = b"Hi,\n" + block + b"Thanks\n"
    cte, body = draw(encoded(data.replace(b"\n", b"\r\n")))
    return Entity(f"Content-Type: text/plain; charset=iso-8859-1\r\n{cte}", body)


def carrier() -> st.SearchStrategy[Entity]:
    return st.one_of(text_part(SENTENCE), attachment(), inline_block())


# --- wrappers --------------------------------------------------------------------------------------


@st.composite
def wrapped(draw: st.DrawFn, inner: Entity, level: int) -> Entity:
    how = draw(st.sampled_from(["multipart", "rfc822"]))
    if how == "rfc822":
        forwarded = "From: a@b.example\r\nSubject: fwd\r\nMIME-Version: 1.0\r\n" + inner.headers
        return Entity("Content-Type: message/rfc822\r\n", forwarded.encode() + b"\r\n" + inner.body)
    boundary = f"=_b{level}_{draw(st.integers(0, 999))}"
    siblings = draw(st.lists(text_part("Lecture moved to room 4."), max_size=2))
    parts = [inner, *siblings] if draw(st.booleans()) else [*siblings, inner]
    body = b"".join(b"--" + boundary.encode() + b"\r\n" + p.bytes() + b"\r\n" for p in parts)
    subtype = draw(st.sampled_from(["mixed", "alternative", "related"]))
    return Entity(
        f'Content-Type: multipart/{subtype}; boundary="{boundary}"\r\n',
        b"preamble\r\n" + body + b"--" + boundary.encode() + b"--\r\n",
    )


@st.composite
def planted_message(draw: st.DrawFn) -> bytes:
    if draw(st.integers(0, 9)) == 0:  # the sentence in a subject encoded-word, charset known or not
        charset = draw(st.sampled_from(["utf-8", "x-unknown", "iso-8859-1"]))
        text = base64.b64encode(SENTENCE.encode())
        if draw(st.booleans()):
            text = draw(damaged_base64(text))
        word = f"=?{charset}?B?{text.decode()}?="
        head = HEAD.replace("Subject: notes", f"Subject: {word}")
        return (head + "Content-Type: text/plain\r\n\r\nhello\r\n").encode()
    entity = draw(carrier())
    for level in range(draw(st.integers(0, 3))):
        entity = draw(wrapped(entity, level))
    return HEAD.encode() + entity.bytes()


@FUZZ
@given(planted_message())
def test_planted_sentence_is_never_passed(raw):
    """Whatever encoding and nesting carries the planted sentence, a verdict comes back and it is not pass."""
    out = inspect(raw)
    assert isinstance(out.verdict, Verdict)
    assert out.verdict is not Verdict.PASS, [(f.type, f.where) for f in out.findings]
