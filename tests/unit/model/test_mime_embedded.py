"""Files written into a text body (uuencode, yEnc) are decoded and read as attachments (issue 13 #8)."""

from __future__ import annotations

import binascii

import pytest

from gateway.config import LimitSettings
from gateway.model import Verdict
from gateway.model.finding import UNINSPECTABLE
from gateway.model.mime import find_blocks, parse_message
from tests.unit.model.planted import ENV, SENTENCE, message, verdict

DATA = (SENTENCE + "\n").encode() * 3 + bytes(range(256))


def uuencode(data: bytes, name: str = "notes.txt") -> bytes:
    lines = [binascii.b2a_uu(data[i : i + 45]) for i in range(0, len(data), 45)]
    return f"begin 644 {name}\n".encode() + b"".join(lines) + b"`\nend\n"


def yenc(data: bytes, name: str = "notes.txt") -> bytes:
    out = bytearray()
    for byte in data:
        enc = (byte + 42) % 256
        if enc in (0, 10, 13, 61):
            out += bytes((61, (enc + 64) % 256))
        else:
            out.append(enc)
    body = b"\n".join(bytes(out[i : i + 128]) for i in range(0, len(out), 128))
    return (
        f"=ybegin line=128 size={len(data)} name={name}\n".encode()
        + body
        + f"\n=yend size={len(data)}\n".encode()
    )


@pytest.mark.parametrize("encode", [uuencode, yenc], ids=["uuencode", "yenc"])
def test_blocks_decode_to_their_bytes(encode):
    """A block between its begin and end lines decodes to exactly the bytes encoded."""
    body = b"Hi,\nthe file:\n" + encode(DATA) + b"Thanks\n"
    (block,) = find_blocks(body)
    assert (block.name, block.data) == ("notes.txt", DATA)
    assert body[: block.start] == b"Hi,\nthe file:\n" and body[block.end :] == b"Thanks\n"


@pytest.mark.parametrize("encode", [uuencode, yenc], ids=["uuencode", "yenc"])
@pytest.mark.parametrize("cte", ["7bit", "quoted-printable", "base64"])
def test_block_in_a_body_is_read_and_held(encode, cte):
    """The planted sentence inside a uuencoded or yEnc block in a text body is read and held."""
    import base64
    import quopri

    body = b"Hi,\r\n" + encode(DATA).replace(b"\n", b"\r\n") + b"Thanks\r\n"
    wire = {"7bit": body, "quoted-printable": quopri.encodestring(body), "base64": base64.encodebytes(body)}[
        cte
    ]
    raw = message(f"Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: {cte}", wire)
    insp = parse_message(raw, ENV, LimitSettings())
    assert [p.where for p in insp.parts] == ["attachment:notes.txt"] and insp.parts[0].data == DATA
    assert verdict(raw) is Verdict.HOLD


def test_uuencoded_transfer_encoding_is_decoded():
    """A part sent with Content-Transfer-Encoding: x-uuencode is decoded like base64 would be."""
    raw = message(
        'Content-Type: text/plain; name="n.txt"\r\nContent-Disposition: attachment; filename="n.txt"\r\n'
        "Content-Transfer-Encoding: x-uuencode",
        uuencode(DATA).replace(b"\n", b"\r\n"),
    )
    insp = parse_message(raw, ENV, LimitSettings())
    assert insp.parts[0].data == DATA
    assert verdict(raw) is Verdict.HOLD


def test_a_block_that_cannot_be_decoded_is_uninspectable():
    """A begin line followed by nothing decodable is reported, never silently dropped."""
    raw = message("Content-Type: text/plain", b"begin 644 x.txt\r\n\r\nend\r\n")
    insp = parse_message(raw, ENV, LimitSettings())
    assert any(f.category == UNINSPECTABLE and f.where == "attachment:x.txt" for f in insp.findings)


def test_prose_mentioning_begin_is_not_a_block():
    """Ordinary text with "begin" in it is text, not an attachment."""
    assert find_blocks(b"We begin at 9.\nbegin the meeting\nend\n") == []
