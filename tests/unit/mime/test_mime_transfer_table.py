"""The transfer-decoding layer, exactly: every encoding name clients accept, comments, and what each decoder returns and reports."""

from __future__ import annotations

import base64
import binascii
from email.message import Message

import pytest

from gateway.mime.decoding import (
    BASE64,
    IDENTITY,
    QUOTED_PRINTABLE,
    UUENCODE,
    Decoded,
    decode_body,
    decode_transfer,
    encoding_name,
    part_encoding,
    payload_bytes,
    without_comments,
)

TEXT = b"Ward list for Monday"
UU = binascii.b2a_uu(TEXT)


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ("", "identity"),
        ("7bit", "identity"),
        ("8BIT", "identity"),
        ("binary", "identity"),
        ("base64", "base64"),
        ("Base-64", "base64"),
        ("x-base64", "base64"),
        ("B64", "base64"),
        ("quoted-printable", "quoted-printable"),
        ("quoted printable", "quoted-printable"),
        ("quoted_printable", "quoted-printable"),
        ("x-quoted-printable", "quoted-printable"),
        ("QP", "quoted-printable"),
        ("x-qp", "quoted-printable"),
        ("uuencode", "uuencode"),
        ("x-uuencode", "uuencode"),
        ("uue", "uuencode"),
        ("x-uue", "uuencode"),
        ('"base64"', "base64"),
        ("'base64'", "base64"),
        ("\tbase64 \r\n", "base64"),
        ("base64 (sent by a gateway)", "base64"),
        ("(a (nested) comment)base64", "base64"),
        ("base64; x=1", "base64"),
        ("x-gzip64", "xgzip64"),
        ("Base-65", "base65"),
    ],
)
def test_encoding_name_table(value: str, name: str) -> None:
    """Case, quotes, white space, dashes, underscores, comments and parameters do not change the encoding a name means."""
    assert encoding_name(value) == name


@pytest.mark.parametrize(
    ("text", "stripped"),
    [
        ("base64", "base64"),
        ("a(b)c", "a c"),
        ("a(b(c)d)e", "a e"),
        ("a(b(c)d)e(f)g", "a e g"),
        ("a(b(c)d)e(f)g(h", "a e g(h"),
        (")a(b)", ")a "),
        ("(a)(b)", "  "),
        ("((a))", " "),
        ("a(b)c(d(e)f)g", "a c g"),
    ],
)
def test_without_comments_table(text: str, stripped: str) -> None:
    """Each outermost balanced comment becomes one space; an unbalanced parenthesis stays."""
    assert without_comments(text) == stripped


@pytest.mark.parametrize(
    ("raw", "name", "decoded"),
    [
        (TEXT, IDENTITY, Decoded(TEXT, "identity")),
        (base64.b64encode(TEXT), BASE64, Decoded(TEXT, "base64")),
        (
            b"Ward=20list=\n for=3D Monday",
            QUOTED_PRINTABLE,
            Decoded(b"Ward list for= Monday", "quoted-printable"),
        ),
        (b"begin 644 a.txt\n" + UU + b"`\nend\n", UUENCODE, Decoded(TEXT, "uuencode")),
        (UU, UUENCODE, Decoded(TEXT, "uuencode")),
        (
            b"begin 644 a.txt\n" + UU + b"`\n",
            UUENCODE,
            Decoded(TEXT, "uuencode", "uuencoded body has no end line"),
        ),
        (b"", UUENCODE, Decoded(b"", "uuencode", "uuencoded body could not be decoded")),
        (
            b"begin 644 a.txt\nend\n",
            UUENCODE,
            Decoded(b"begin 644 a.txt\nend\n", "uuencode", "uuencoded body could not be decoded"),
        ),
        (TEXT, "xgzip64", Decoded(TEXT, "xgzip64", "unknown transfer encoding 'xgzip64'")),
        (TEXT, "8bits", Decoded(TEXT, "8bits", "unknown transfer encoding '8bits'")),
        (TEXT, "gzip", Decoded(TEXT, "gzip", "unknown transfer encoding 'gzip'")),
        (
            TEXT,
            "x\x00\x01" + "a" * 50,
            Decoded(TEXT, "x\x00\x01" + "a" * 50, "unknown transfer encoding '" + "x" + "a" * 39 + "'"),
        ),
    ],
)
def test_decode_transfer_table(raw: bytes, name: str, decoded: Decoded) -> None:
    """Each encoding gives the bytes a client shows; a damaged or unknown one keeps the bytes and says why (printable, at most 40 characters)."""
    got = decode_transfer(raw, name)
    assert (got.data, got.encoding, got.problem, got.others) == (
        decoded.data,
        decoded.encoding,
        decoded.problem,
        (),
    )


def test_base64_with_other_readings() -> None:
    """Base64 a web-mail client reads another way ("-" as "+") keeps both readings, the usual one first."""
    got = decode_transfer(b"V2Fy-ZCBs", BASE64)
    assert got == Decoded(b"Ward l", "base64", "", (b"War\xf9\x90\x81",))
    assert got.readings() == [b"Ward l", b"War\xf9\x90\x81"]


def part(payload: object, cte: str | None = None) -> Message:
    msg = Message()
    if cte is not None:
        msg["Content-Transfer-Encoding"] = cte
    msg._payload = payload  # type: ignore[attr-defined]
    return msg


@pytest.mark.parametrize(
    ("payload", "raw"),
    [
        (b"caf\xe9", b"caf\xe9"),
        ("caf\udce9", b"caf\xe9"),
        ("café", "café".encode()),
        ("plain", b"plain"),
        (None, b""),
        ([Message()], b""),
    ],
)
def test_payload_bytes_table(payload: object, raw: bytes) -> None:
    """The body as it came over the wire: stored bytes, escaped bytes restored, text set by code as UTF-8, no body as nothing."""
    assert payload_bytes(part(payload)) == raw


@pytest.mark.parametrize(
    ("cte", "encoding", "data"),
    [
        (None, "identity", b"V2FyZA=="),
        ("BASE64", "base64", b"Ward"),
        (" x-base64 (old gateway)", "base64", b"Ward"),
    ],
)
def test_decode_body_reads_the_header(cte: str | None, encoding: str, data: bytes) -> None:
    """A part's Content-Transfer-Encoding header picks the decoder; no header means the bytes as they are."""
    p = part("V2FyZA==", cte)
    assert part_encoding(p) == encoding
    got = decode_body(p)
    assert (got.encoding, got.data, got.problem) == (encoding, data, "")
