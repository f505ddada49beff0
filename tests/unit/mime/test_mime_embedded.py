"""Files written into a text body (uuencode, yEnc) are decoded and read as attachments (issue 13 #8)."""

from __future__ import annotations

import base64
import binascii

import pytest

from gateway.config import LimitSettings
from gateway.mime import find_blocks, parse_message
from gateway.model import Verdict
from gateway.model.finding import UNINSPECTABLE
from tests.unit.mime.planted import ENV, SENTENCE, message, verdict

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


def begin_base64(data: bytes, name: str = "notes.txt") -> bytes:
    return f"begin-base64 644 {name}\n".encode() + base64.encodebytes(data) + b"====\n"


S = SENTENCE.encode()


@pytest.mark.parametrize(
    "body",
    [
        b"Dear colleague\nbegin 644 x\n`\n" + S + b"\n",
        b"Dear colleague\nbegin 644 x\n`\n" + S + b"\nend\n",
        b"Dear colleague\nbegin 644 x\n" + S + b"\nend\n",
        b"=ybegin line=128 size=10 name=a.txt\n" + S + b"\n=yend\n",
        b"=ybegin line=128 size=10 name=a.txt\n" + S + b"\n",
        b"=ybegin line=128 name=a.txt\n" + S + b"\n=yend\n",
        b"Hi\nbegin-base64 644 x\n" + S + b"\n",
        b"Hi\n" + begin_base64(b"hello") + S + b"\n",
        b"Hi\n" + uuencode(b"hello") + S + b"\n",
    ],
    ids=[
        "uu-no-end",
        "uu-after-terminator",
        "uu-text-line",
        "yenc",
        "yenc-no-end",
        "yenc-no-size",
        "begin-base64-no-end",
        "after-begin-base64",
        "after-uu",
    ],
)
def test_text_in_or_around_a_block_is_read_and_held(body):
    """Text a client may show inside or after a uuencode, begin-base64 or yEnc block is read as body text and held."""
    raw = message("Content-Type: text/plain", body.replace(b"\n", b"\r\n"))
    insp = parse_message(raw, ENV, LimitSettings())
    assert any(SENTENCE in s.text and s.where == "body" for s in insp.segments)
    assert verdict(raw) is Verdict.HOLD


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (uuencode(DATA), ""),
        (yenc(DATA), ""),
        (begin_base64(DATA), ""),
        (uuencode(DATA)[: -len(b"end\n")], "has no end line"),
        (yenc(DATA).rsplit(b"=yend", 1)[0], "has no end line"),
        (begin_base64(DATA)[: -len(b"====\n")], "has no end line"),
        (uuencode(DATA).replace(b"`\nend", b"`\n" + S + b"\nend"), "has lines that could not be decoded"),
        (
            uuencode(DATA).replace(b"begin 644 notes.txt\n", b"begin 644 notes.txt\n" + S + b"\n"),
            "could not be",
        ),
        (yenc(DATA).replace(b"size=%d" % len(DATA), b"size=10"), "does not have the size"),
        (yenc(DATA).replace(b" size=%d" % len(DATA), b""), "gives no size"),
        (begin_base64(DATA).replace(b"\n", b"\nQU=", 1), "damaged base64"),
    ],
    ids=[
        "uu",
        "yenc",
        "b64",
        "uu-no-end",
        "yenc-no-end",
        "b64-no-end",
        "uu-after",
        "uu-bad-line",
        "yenc-size",
        "yenc-no-size",
        "b64-damaged",
    ],
)
def test_a_block_that_is_not_whole_says_so(body, problem):
    """A block with no end line, an undecodable line or a missing or wrong yEnc size has a problem; a whole one none."""
    (block,) = find_blocks(b"Hi\n" + body + b"Thanks\n")
    assert (problem in block.problem) and bool(block.problem) == bool(problem)


def test_a_damaged_block_is_a_parse_error():
    """A block in a body that is not whole is PARSE_ERROR at its attachment location."""
    raw = message("Content-Type: text/plain", uuencode(DATA)[: -len(b"end\n")].replace(b"\n", b"\r\n"))
    insp = parse_message(raw, ENV, LimitSettings())
    assert any(f.type == "PARSE_ERROR" and f.where == "attachment:notes.txt" for f in insp.findings)


def test_begin_base64_is_base64_up_to_its_end_line():
    """A begin-base64 block is decoded as base64 and ends at its ==== line."""
    body = b"Hi\n" + begin_base64(DATA) + b"Thanks\n"
    (block,) = find_blocks(body)
    assert (block.kind, block.name, block.data) == ("base64", "notes.txt", DATA)
    assert body[block.end :] == b"Thanks\n"


@pytest.mark.parametrize(
    ("body", "name"),
    [
        (b"=ybegin name=" + b" " * 300_000 + b"x\n=yend\n", "x"),
        (b"begin 644 " + b" " * 300_000 + b"x\nend\n", "x"),
        (b"=ybegin line=128 name=n" + b"\t" * 300_000 + b"\r\n=yend\n", "n"),
        (b"begin 644 n\n" * 50_000, "n"),
        (b"=ybegin name=n\n" * 50_000, "n"),
    ],
    ids=["yenc-spaces", "uu-spaces", "yenc-tabs", "many-uu-begins", "many-yenc-begins"],
)
def test_begin_lines_are_read_in_one_pass(body, name):
    """A begin line of 300,000 blanks, or 50,000 begin lines with no end, is read in one pass (before: hours)."""
    blocks = find_blocks(body)
    assert blocks[0].name == name and blocks[-1].end == len(body)
