"""The walker exactly: every segment, part and finding for boundaries, encodings, charsets, forwards and limits."""

from __future__ import annotations

import base64
import binascii
import dataclasses
import quopri
from collections.abc import Callable

import pytest

from gateway.config import LimitSettings
from gateway.mime import normalise_line_endings, parse_message, pieces
from gateway.mime.walker import read_message
from gateway.model import Envelope, Inspection

ENV = Envelope("ann@uni.example", ("bob@mail.example",))
MIXED = 'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
Seg = tuple[str, str, bool, str]
Found = tuple[str, str, str, str]


def read(raw: str | bytes, **limits: object) -> Inspection:
    """The message as the gateway reads it, with the default limits changed as given."""
    data = raw.encode("utf-8") if isinstance(raw, str) else raw
    return parse_message(data, ENV, dataclasses.replace(LimitSettings(), **limits))  # type: ignore[arg-type]


def segments(insp: Inspection) -> list[Seg]:
    """(where, text, quoted, kind) of every segment, in reading order."""
    return [(s.where, s.text, s.quoted, s.kind) for s in insp.segments]


def findings(insp: Inspection) -> list[Found]:
    """(type, where, reason, evidence) of every finding, in the order made; each is uninspectable, full score, by mime."""
    assert all((f.category, f.score, f.detector) == ("uninspectable", 1.0, "mime") for f in insp.findings)
    assert all(f.details == ({"reason": f.details["reason"]} if f.details else {}) for f in insp.findings)
    return [(f.type, f.where, f.details.get("reason", ""), f.evidence) for f in insp.findings]


def leaf(headers: str, body: str) -> str:
    """A multipart/mixed message with one part: `headers` (CRLF lines) and `body`."""
    return f"{MIXED}--b\r\n{headers}\r\n\r\n{body}\r\n--b--\r\n"


def nested(depth: int, text: str = "deep text") -> str:
    """`depth` multiparts, each inside the last, around one text part."""
    head = "".join(f'Content-Type: multipart/mixed; boundary="b{i}"\r\n\r\n--b{i}\r\n' for i in range(depth))
    tail = "".join(f"\r\n--b{i}--\r\n" for i in reversed(range(depth)))
    return head + f"Content-Type: text/plain\r\n\r\n{text}\r\n" + tail


def test_headers_are_read_as_text_names_and_correspondents() -> None:
    """Subject, Thread-Topic, Comments, Keywords are header text; display names of the six address headers are names."""
    insp = read(
        "Subject: one\r\nSubject: =?utf-8?Q?tw=C3=B6?=\r\nThread-Topic: tt\r\nComments: cc\r\nKeywords: kk\r\n"
        "From: Ann <a@x.example>\r\nTo: Bob <b@x.example>, c@x.example\r\nCc: Cy <c@x.example>\r\n"
        "Bcc: Di <d@x.example>\r\nReply-To: Ed <e@x.example>\r\nSender: Flo <f@x.example>\r\nX-Other: skip\r\n"
        "\r\nbody\r\n"
    )
    assert segments(insp) == [
        ("header:Subject", "one", False, "header"),
        ("header:Subject", "twö", False, "header"),
        ("header:Thread-Topic", "tt", False, "header"),
        ("header:Comments", "cc", False, "header"),
        ("header:Keywords", "kk", False, "header"),
        ("header:From", "Ann", False, "name"),
        ("header:To", "Bob", False, "name"),
        ("header:Cc", "Cy", False, "name"),
        ("header:Bcc", "Di", False, "name"),
        ("header:Reply-To", "Ed", False, "name"),
        ("header:Sender", "Flo", False, "name"),
        ("body", "body", False, "body"),
    ]
    assert insp.correspondents == [
        ("Ann", "a@x.example"),
        ("Bob", "b@x.example"),
        ("", "c@x.example"),
        ("Cy", "c@x.example"),
        ("Di", "d@x.example"),
        ("Ed", "e@x.example"),
        ("Flo", "f@x.example"),
    ]
    assert insp.subject == "one"
    assert insp.headers[:2] == [("Subject", "one"), ("Subject", "twö")]
    assert insp.headers[-1] == ("X-Other", "skip")
    assert not insp.findings


@pytest.mark.parametrize(
    ("raw", "read_segments", "found"),
    [
        (
            MIXED + "pre text\r\n--b\r\n\r\nfirst\r\n--b\r\nContent-Type: text/html\r\n\r\n<p>second</p>\r\n"
            "--b--\r\nepilogue text\r\n",
            [
                ("preamble", "pre text", False, "body"),
                ("epilogue", "epilogue text\r\n", False, "body"),
                ("body", "first", False, "body"),
                ("html", "second", False, "body"),
            ],
            [],
        ),
        (
            MIXED + "This is a multi-part message in MIME format.\r\n--b\r\n\r\nfirst\r\n--b--\r\n\r\n",
            [("body", "first", False, "body")],
            [],
        ),
        (
            MIXED
            + "--b\r\n\r\none\r\n--bx not a delimiter\r\n-- b\r\nstill one\r\n--b\r\n\r\ntwo\r\n--b--\r\n",
            [
                ("body", "one\n--bx not a delimiter\n-- b\nstill one", False, "body"),
                ("body", "two", False, "body"),
            ],
            [],
        ),
        (
            MIXED + "--b\r\n\r\none\r\n--b\r\n\r\ntwo, never closed\r\n",
            [("body", "one", False, "body"), ("body", "two, never closed", False, "body")],
            [],
        ),
        (
            f'Content-Type: multipart/mixed; boundary="{"x" * 200}"\r\n\r\n--{"x" * 200}\r\n\r\nlong boundary\r\n'
            f"--{'x' * 200}--\r\n",
            [("body", "long boundary", False, "body")],
            [],
        ),
        (
            'Content-Type: multipart/mixed; boundary="b"; boundary="c"\r\n\r\n--b\r\n\r\nby b\r\n--c\r\n\r\nby c\r\n'
            "--b--\r\n",
            [("body", "by b\n--c\n\nby c", False, "body")],
            [("AMBIGUOUS_MIME", "message", "duplicate_boundary", "boundary parameter given twice")],
        ),
        (
            MIXED + "--b   \t\r\n\r\nblank after delimiter\r\n--b--  \r\n",
            [("body", "blank after delimiter", False, "body")],
            [],
        ),
        (MIXED + "--b\r\n\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n   \r\n--b--\r\n", [], []),
        (
            MIXED + " This is a multipart message in MIME format \r\n--b\r\n\r\nfirst\r\n--b--\r\n",
            [("body", "first", False, "body")],
            [],
        ),
        (
            MIXED + '--b\r\nContent-Type: multipart/alternative; boundary="c"\r\n\r\n--c\r\n\r\nplain\r\n'
            "--c\r\nContent-Type: text/html\r\n\r\n<b>rich</b>\r\n--c--\r\n"
            '--b\r\nContent-Type: application/pdf; name="x.pdf"\r\n\r\nPDF\r\n--b--\r\n',
            [
                ("body", "plain", False, "body"),
                ("html", "rich", False, "body"),
                ("attachment:x.pdf#filename", "x.pdf", False, "filename"),
            ],
            [],
        ),
        (
            MIXED
            + '--b\r\nContent-Type: multipart/alternative; boundary="c"\r\n\r\n--c\r\n\r\nunclosed inner\r\n'
            "--b\r\n\r\nouter two\r\n--b--\r\n",
            [("body", "unclosed inner", False, "body"), ("body", "outer two", False, "body")],
            [],
        ),
        (
            'Content-Type: multipart/mixed; boundary="never"\r\n\r\nno delimiter line\r\n',
            [("body", "no delimiter line", False, "body")],
            [("AMBIGUOUS_MIME", "message", "missing_boundary", "multipart boundary not found")],
        ),
        (
            "Content-Type: multipart/mixed; format=flowed\r\n\r\nab \r\ncd\r\n",
            [("body", "ab \ncd", False, "body")],
            [("AMBIGUOUS_MIME", "message", "missing_boundary", "multipart boundary not found")],
        ),
        (
            "Content-Type: multipart/mixed\r\n\r\nno boundary parameter\r\n",
            [("body", "no boundary parameter", False, "body")],
            [("AMBIGUOUS_MIME", "message", "missing_boundary", "multipart boundary not found")],
        ),
    ],
    ids=[
        "preamble-and-epilogue",
        "boilerplate-preamble-blank-epilogue",
        "boundary-text-inside-a-part",
        "unterminated",
        "overlong-boundary",
        "duplicate-boundary",
        "delimiter-trailing-blanks",
        "blank-parts",
        "boilerplate-preamble-unhyphenated-no-stop",
        "nested",
        "inner-left-open",
        "boundary-never-appears",
        "not-flowed-without-a-boundary",
        "no-boundary-parameter",
    ],
)
def test_boundaries_table(raw: str, read_segments: list[Seg], found: list[Found]) -> None:
    """Each multipart shape reads exactly these segments, in order, with exactly these findings."""
    insp = read(raw)
    assert segments(insp) == read_segments
    assert findings(insp) == found
    assert [p.where for p in insp.parts] == (["attachment:x.pdf"] if 'name="x.pdf"' in raw else [])


@pytest.mark.parametrize(
    ("headers", "body", "read_segments", "found"),
    [
        (
            "Content-Type: text/plain\r\nContent-Transfer-Encoding: x-gzip64",
            "abc",
            [("body", "abc", False, "body")],
            [("AMBIGUOUS_MIME", "body", "unknown_transfer_encoding", "unknown transfer encoding 'xgzip64'")],
        ),
        (
            "Content-Type: text/plain\r\nContent-Transfer-Encoding: base64",
            "!" * 20 + "QUJD",
            [("body", "ABC", False, "body")],
            [("PARSE_ERROR", "body", "damaged_base64", "base64 body is mostly not base64")],
        ),
        (
            "Content-Type: text/plain\r\nContent-Transfer-Encoding: base64",
            "SGk=IQ==",
            [("body", "Hi!", False, "body"), ("body", "Hi\x08", False, "body")],
            [
                (
                    "AMBIGUOUS_MIME",
                    "body",
                    "base64_readings",
                    "base64 with '=', '-' or '_' inside reads more than one way",
                )
            ],
        ),
        (
            "Content-Type: text/plain\r\nContent-Transfer-Encoding: base64",
            "Y2Fmw6kgYXUgbGFpdA==",
            [("body", "café au lait", False, "body")],
            [],
        ),
        (
            "Content-Type: text/plain\r\nContent-Transfer-Encoding: uuencode",
            "begin 644 x\r\nbroken",
            [("body", "begin 644 x\nbroken", False, "body")],
            [
                ("PARSE_ERROR", "body", "damaged_uuencode", "uuencoded body could not be decoded"),
                ("PARSE_ERROR", "attachment:x", "", "uuencode block in the text could not be decoded"),
            ],
        ),
        (
            "Content-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable",
            "caf=C3=A9 =\r\nau lait",
            [("body", "café au lait", False, "body")],
            [],
        ),
        (
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit",
            "café",
            [("body", "café", False, "body")],
            [],
        ),
        (
            "Content-Type: text/plain; charset=x-unknown\r\nContent-Transfer-Encoding: 8bit",
            "café",
            [("body", "café", False, "body")],
            [],
        ),
        (
            "Content-Type: text/plain; charset=cp500",
            "abc",
            [("body", "/\xc2\xc4", False, "body"), ("body", "abc", False, "body")],
            [("AMBIGUOUS_MIME", "body", "charset", "declared charset is not one mail clients know")],
        ),
        (
            "Content-Type: text/plain; format=flowed; delsp=yes",
            "ab \r\ncd",
            [("body", "abcd", False, "body")],
            [],
        ),
        ("Content-Type: text/plain; format=flowed", "ab \r\ncd", [("body", "ab cd", False, "body")], []),
        (
            "Content-Type: text/plain; format=flowed; delsp=yesno",
            "ab \r\ncd",
            [("body", "ab cd", False, "body")],
            [],
        ),
        ("Content-Type: text/plain", "ab \r\ncd", [("body", "ab \ncd", False, "body")], []),
        ("Content-Type: text/plain; format=x-flowed", "ab \r\ncd", [("body", "ab \ncd", False, "body")], []),
        (
            "Content-Type: text/plain\r\nContent-Disposition: inline",
            "inline text",
            [("body", "inline text", False, "body")],
            [],
        ),
        ("Content-Type: text/html; format=flowed", "ab \r\ncd", [("html", "ab\ncd", False, "body")], []),
        (
            "Content-Type: text/plain",
            "own words\r\n\r\nOn Mon, Bob wrote:\r\n> their words",
            [
                ("body", "own words\n\nOn Mon, Bob wrote:", False, "body"),
                ("body", "> their words", True, "body"),
            ],
            [],
        ),
        (
            "Content-Type: text/html",
            "<div>mine\n> plain quoted</div><blockquote type=cite>theirs</blockquote>",
            [("html", "mine", False, "body"), ("html", "> plain quoted\ntheirs", True, "body")],
            [],
        ),
        (
            "Content-Type: text/plain",
            "-----BEGIN PGP MESSAGE-----\r\nxx\r\n-----END PGP MESSAGE-----",
            [("body", "-----BEGIN PGP MESSAGE-----\nxx\n-----END PGP MESSAGE-----", False, "body")],
            [("ENCRYPTED_MESSAGE", "body", "", "text encrypted with PGP")],
        ),
    ],
    ids=[
        "unknown-encoding",
        "damaged-base64",
        "base64-two-readings",
        "base64",
        "damaged-uuencode",
        "quoted-printable",
        "8bit-utf8",
        "unknown-charset",
        "unusual-charset-both-ways",
        "flowed-delsp",
        "flowed",
        "flowed-unknown-delsp",
        "not-flowed",
        "unknown-format-is-fixed",
        "inline-text-is-body",
        "html-never-unflowed",
        "plain-quoted",
        "html-quoted-both-ways",
        "pgp",
    ],
)
def test_text_encodings_table(headers: str, body: str, read_segments: list[Seg], found: list[Found]) -> None:
    """A text part's transfer encoding, charset and flowed text give exactly these segments and findings."""
    insp = read(leaf(headers, body))
    assert segments(insp) == read_segments
    assert findings(insp) == found


@pytest.mark.parametrize(
    ("headers", "body", "part", "read_segments", "found"),
    [
        (
            "Content-Type: text/plain; name=n.txt",
            "named",
            ("attachment:n.txt", "text/plain", "n.txt", b"named", False, False),
            [("attachment:n.txt#filename", "n.txt", False, "filename")],
            [],
        ),
        (
            "Content-Type: text/plain\r\nContent-Disposition: attachment",
            "att",
            ("attachment:unnamed.plain", "text/plain", "unnamed.plain", b"att", False, False),
            [],
            [],
        ),
        (
            "Content-Type: text/plain\r\nContent-Disposition: inline; filename=i.txt",
            "inl",
            ("attachment:i.txt", "text/plain", "i.txt", b"inl", False, True),
            [("attachment:i.txt#filename", "i.txt", False, "filename")],
            [],
        ),
        (
            "Content-Type: text/csv",
            "a,b",
            ("attachment:unnamed.csv", "text/csv", "unnamed.csv", b"a,b", False, False),
            [],
            [],
        ),
        (
            "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: x-foo\r\n"
            'Content-Disposition: attachment; filename="r.bin"',
            "raw",
            ("attachment:r.bin", "application/octet-stream", "r.bin", b"raw", False, False),
            [("attachment:r.bin#filename", "r.bin", False, "filename")],
            [
                (
                    "AMBIGUOUS_MIME",
                    "attachment:r.bin",
                    "unknown_transfer_encoding",
                    "unknown transfer encoding 'xfoo'",
                )
            ],
        ),
        (
            "Content-Type: application/pdf; name=a.pdf\r\nContent-Transfer-Encoding: base64",
            "JVBERi0xLjQK",
            ("attachment:a.pdf", "application/pdf", "a.pdf", b"%PDF-1.4\n", False, False),
            [("attachment:a.pdf#filename", "a.pdf", False, "filename")],
            [],
        ),
        (
            "Content-Type: application/octet-stream\r\nContent-Disposition: x-foo; filename=a.bin",
            "zz",
            ("attachment:a.bin", "application/octet-stream", "a.bin", b"zz", False, False),
            [("attachment:a.bin#filename", "a.bin", False, "filename")],
            [],
        ),
    ],
    ids=[
        "named-text",
        "text-attachment",
        "inline-named",
        "other-text-type",
        "unknown-encoding",
        "base64",
        "unknown-disposition-not-inline",
    ],
)
def test_leaves_that_are_files_table(
    headers: str, body: str, part: tuple[object, ...], read_segments: list[Seg], found: list[Found]
) -> None:
    """A leaf with a name, an attachment disposition or a non-text type is a part; its name is read as text."""
    insp = read(leaf(headers, body))
    assert [(p.where, p.content_type, p.filename, p.data, p.quoted, p.inline) for p in insp.parts] == [part]
    assert segments(insp) == read_segments
    assert findings(insp) == found


def test_every_base64_reading_of_a_file_is_a_part() -> None:
    """A file whose base64 reads two ways is handed on twice, under one name, and flagged once."""
    insp = read(
        leaf("Content-Type: application/pdf; name=a.pdf\r\nContent-Transfer-Encoding: base64", "SGk=IQ==")
    )
    assert [(p.where, p.data) for p in insp.parts] == [
        ("attachment:a.pdf", b"Hi!"),
        ("attachment:a.pdf", b"Hi\x08"),
    ]
    assert findings(insp) == [
        (
            "AMBIGUOUS_MIME",
            "attachment:a.pdf",
            "base64_readings",
            "base64 with '=', '-' or '_' inside reads more than one way",
        )
    ]


def test_large_bodies_are_read_whole() -> None:
    """Bodies large enough to be kept out of the line parser are still read whole: the text and the file exactly."""
    text = "Ward round notes.\r\n" * 2000
    pdf = b"%PDF" + b"x" * 40_000
    insp = read(
        f"{MIXED}--b\r\nContent-Type: text/plain\r\n\r\n{text}--b\r\n"
        "Content-Type: application/pdf; name=a.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes(pdf).decode()
        + "--b--\r\n"
    )
    assert segments(insp) == [
        ("body", text.replace("\r\n", "\n").strip(), False, "body"),
        ("attachment:a.pdf#filename", "a.pdf", False, "filename"),
    ]
    assert [(p.where, p.data) for p in insp.parts] == [("attachment:a.pdf", pdf)]
    assert findings(insp) == []


def test_the_same_finding_at_the_same_place_is_made_once() -> None:
    """Two files of one name, both in an unknown encoding, give one finding for that place."""
    part = "--b\r\nContent-Type: application/octet-stream; name=a.bin\r\nContent-Transfer-Encoding: x-foo\r\n\r\nzz\r\n"
    insp = read(MIXED + part + part + "--b--\r\n")
    assert len(insp.parts) == 2
    assert findings(insp) == [
        (
            "AMBIGUOUS_MIME",
            "attachment:a.bin",
            "unknown_transfer_encoding",
            "unknown transfer encoding 'xfoo'",
        )
    ]


INNER = "Subject: in\r\nFrom: Zed <z@x.example>\r\n\r\nsecret words\r\n"


@pytest.mark.parametrize(
    ("headers", "body", "read_segments", "parts", "found"),
    [
        (
            "Content-Type: message/rfc822",
            INNER,
            [
                ("forwarded/header:Subject", "in", True, "header"),
                ("forwarded/header:From", "Zed", True, "name"),
                ("forwarded/body", "secret words", True, "body"),
            ],
            [],
            [],
        ),
        (
            'Content-Type: message/rfc822\r\nContent-Disposition: attachment; filename="fw.eml"',
            INNER,
            [
                ("attachment:fw.eml#filename", "fw.eml", True, "filename"),
                ("attachment:fw.eml/header:Subject", "in", True, "header"),
                ("attachment:fw.eml/header:From", "Zed", True, "name"),
                ("attachment:fw.eml/body", "secret words", True, "body"),
            ],
            [],
            [],
        ),
        (
            "Content-Type: message/rfc822\r\nContent-Transfer-Encoding: quoted-printable\r\n"
            "Content-Disposition: attachment; filename=f.eml",
            quopri.encodestring(INNER.encode()).decode(),
            [("attachment:f.eml#filename", "f.eml", True, "filename")],
            [("attachment:f.eml", "f.eml", b"Subject: in\nFrom: Zed <z@x.example>\n\nsecret words\n")],
            [
                (
                    "AMBIGUOUS_MIME",
                    "attachment:f.eml",
                    "encoded_message",
                    "forwarded message sent quoted-printable",
                )
            ],
        ),
        (
            "Content-Type: message/rfc822\r\nContent-Transfer-Encoding: x-uuencode",
            "begin 644 m.eml\r\n" + binascii.b2a_uu(b"Subject: u").decode() + "`\r\nend",
            [],
            [("attachment:forwarded.eml", "forwarded.eml", b"Subject: u")],
            [
                (
                    "AMBIGUOUS_MIME",
                    "attachment:forwarded.eml",
                    "encoded_message",
                    "forwarded message sent uuencode",
                )
            ],
        ),
        (
            "Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64",
            "!" * 20 + "U3ViamVjdDogdQ==",
            [],
            [("attachment:forwarded.eml", "forwarded.eml", b"Subject: u")],
            [
                (
                    "AMBIGUOUS_MIME",
                    "attachment:forwarded.eml",
                    "encoded_message",
                    "forwarded message sent base64",
                ),
                (
                    "PARSE_ERROR",
                    "attachment:forwarded.eml",
                    "damaged_base64",
                    "base64 body is mostly not base64",
                ),
            ],
        ),
    ],
    ids=["unnamed", "named", "quoted-printable", "uuencode", "damaged-base64"],
)
def test_forwards_table(
    headers: str,
    body: str,
    read_segments: list[Seg],
    parts: list[tuple[str, str, bytes]],
    found: list[Found],
) -> None:
    """A forwarded message is read as quoted under its name; one sent encoded is decoded and handed on as a file."""
    insp = read(leaf(headers, body))
    assert segments(insp) == read_segments
    assert [(p.where, p.filename, p.data) for p in insp.parts] == parts
    assert all(p.quoted and p.content_type == "message/rfc822" for p in insp.parts)
    assert findings(insp) == found
    assert insp.subject == ""
    assert insp.correspondents == ([("Zed", "z@x.example")] if not parts else [])


THREE = MIXED + "--b\r\n\r\none\r\n--b\r\n\r\ntwo\r\n--b\r\n\r\nthree\r\n--b--\r\n"
TWO_DEEP = (
    'Content-Type: multipart/mixed; boundary="o"\r\n\r\n--o\r\nContent-Type: multipart/mixed; boundary="i"\r\n\r\n'
    "--i\r\n\r\ninner\r\n--i--\r\n--o--\r\n"
)
FORWARD_IN_FORWARD = "Content-Type: message/rfc822\r\n\r\nSubject: s\r\nContent-Type: message/rfc822\r\n\r\nSubject: t\r\n\r\ndeep\r\n"
#: folded Content-Type headers the pre-scan does not see: the walker's own depth count cuts these
FOLDED_FORWARDS = "Content-Type: message/rfc822\r\n\r\nSubject: s\r\nContent-Type:\r\n message/rfc822\r\n\r\nSubject: t\r\n\r\ndeep\r\n"
FOLDED_FORWARD_OF_MULTIPART = (
    "Content-Type:\r\n message/rfc822\r\n\r\nContent-Type: multipart/mixed; boundary=i\r\n\r\n--i\r\n\r\ninner\r\n"
    "--i--\r\n"
)


@pytest.mark.parametrize(
    ("raw", "limits", "read_segments", "found"),
    [
        (THREE, {"max_parts": 4}, [("body", w, False, "body") for w in ("one", "two", "three")], []),
        (
            THREE,
            {"max_parts": 3},
            [("body", "one", False, "body"), ("body", "two", False, "body")],
            [("TOO_MANY_PARTS", "message", "", "more than 3 MIME parts")],
        ),
        (
            THREE,
            {"max_parts": 2},
            [("body", "one", False, "body")],
            [("TOO_MANY_PARTS", "message", "", "more than 2 MIME parts")],
        ),
        (TWO_DEEP, {"max_mime_depth": 2}, [("body", "inner", False, "body")], []),
        (
            TWO_DEEP,
            {"max_mime_depth": 1},
            [],
            [
                ("MIME_NESTING", "message", "", "multipart nesting deeper than 1"),
                ("AMBIGUOUS_MIME", "message", "missing_boundary", "multipart without its boundary"),
            ],
        ),
        (
            FORWARD_IN_FORWARD,
            {"max_mime_depth": 2},
            [
                ("forwarded/header:Subject", "s", True, "header"),
                ("forwarded/forwarded/header:Subject", "t", True, "header"),
                ("forwarded/forwarded/body", "deep", True, "body"),
            ],
            [],
        ),
        (
            FORWARD_IN_FORWARD,
            {"max_mime_depth": 1},
            [],
            [("MIME_NESTING", "message", "", "multipart nesting deeper than 1")],
        ),
        (
            FOLDED_FORWARDS,
            {"max_mime_depth": 2},
            [
                ("forwarded/header:Subject", "s", True, "header"),
                ("forwarded/forwarded/header:Subject", "t", True, "header"),
                ("forwarded/forwarded/body", "deep", True, "body"),
            ],
            [],
        ),
        (
            FOLDED_FORWARDS,
            {"max_mime_depth": 1},
            [
                ("forwarded/header:Subject", "s", True, "header"),
                ("forwarded/forwarded/header:Subject", "t", True, "header"),
            ],
            [("MIME_NESTING", "forwarded/forwarded", "", "multipart nesting deeper than 1")],
        ),
        (FOLDED_FORWARD_OF_MULTIPART, {"max_mime_depth": 2}, [("forwarded/body", "inner", True, "body")], []),
        (
            FOLDED_FORWARD_OF_MULTIPART,
            {"max_mime_depth": 1},
            [],
            [("MIME_NESTING", "forwarded", "", "multipart nesting deeper than 1")],
        ),
        (
            MIXED + "--b\r\nContent-Type:\r\n message/rfc822\r\n\r\nSubject: in\r\n\r\ninner\r\n"
            "--b\r\n\r\nafter\r\n--b--\r\n",
            {"max_mime_depth": 1},
            [("forwarded/header:Subject", "in", True, "header"), ("body", "after", False, "body")],
            [("MIME_NESTING", "forwarded", "", "multipart nesting deeper than 1")],
        ),
        (nested(100), {"max_mime_depth": 1000}, [("body", "deep text", False, "body")], []),
        (
            nested(101),
            {"max_mime_depth": 1000},
            [],
            [
                ("MIME_NESTING", "message", "", "multipart nesting deeper than 100"),
                ("AMBIGUOUS_MIME", "message", "missing_boundary", "multipart without its boundary"),
            ],
        ),
        (
            "Subject: still read\r\nContent-Type: multipart/mixed; "
            + "boundary=a; " * 500
            + "\r\n\r\nbody\r\n",
            {},
            [("header:Subject", "still read", False, "header")],
            [
                ("MIME_NESTING", "message", "", "multipart nesting deeper than 20"),
                ("AMBIGUOUS_MIME", "message", "duplicate_boundary", "boundary parameter given twice"),
                ("AMBIGUOUS_MIME", "message", "missing_boundary", "multipart without its boundary"),
            ],
        ),
        (
            "Content-Type: multipart/mixed; " + "boundary=a; " * 500 + "\r\nSubject: no body",
            {},
            [("header:Subject", "no body", False, "header")],
            [
                ("MIME_NESTING", "message", "", "multipart nesting deeper than 20"),
                ("AMBIGUOUS_MIME", "message", "duplicate_boundary", "boundary parameter given twice"),
                ("AMBIGUOUS_MIME", "message", "missing_boundary", "multipart without its boundary"),
            ],
        ),
        (
            "Content-Type: multipart/mixed; "
            + "boundary=a; " * 500
            + "\r\nSubject: last header\r\n\r\nbody\r\n",
            {},
            [("header:Subject", "last header", False, "header")],
            [
                ("MIME_NESTING", "message", "", "multipart nesting deeper than 20"),
                ("AMBIGUOUS_MIME", "message", "duplicate_boundary", "boundary parameter given twice"),
                ("AMBIGUOUS_MIME", "message", "missing_boundary", "multipart without its boundary"),
            ],
        ),
        (
            MIXED
            + "".join(f"--b\r\nContent-Type: text/csv; name=f{i}.csv\r\n\r\nx\r\n" for i in range(5))
            + "--b--\r\n",
            {"max_parts": 2},
            [("attachment:f0.csv#filename", "f0.csv", False, "filename")],
            [("TOO_MANY_PARTS", "message", "", "more than 2 MIME parts")],
        ),
    ],
    ids=[
        "parts-within",
        "parts-root-counts",
        "parts-fewer",
        "depth-within",
        "depth-cut",
        "forward-depth-within",
        "forward-depth-cut",
        "folded-forwards-within",
        "folded-forwards-cut-by-the-walker",
        "folded-forward-of-multipart-within",
        "folded-forward-of-multipart-cut-by-the-walker",
        "cut-by-the-walker-then-a-sibling",
        "hard-depth-within",
        "hard-depth-cut",
        "bomb-in-top-header-keeps-headers-only",
        "bomb-in-top-header-without-a-body",
        "bomb-in-top-header-keeps-the-last-header",
        "pre-scan-cut",
    ],
)
def test_structure_limits_table(
    raw: str, limits: dict[str, object], read_segments: list[Seg], found: list[Found]
) -> None:
    """Part count and nesting depth are cut exactly at the limits (the whole message counts as a part), 100 at most."""
    insp = read(raw, **limits)
    assert segments(insp) == read_segments
    assert findings(insp) == found


@pytest.mark.parametrize(
    ("body", "limit", "read_segments", "cut"),
    [
        (
            "0123456",
            10,
            [("header:Subject", "abc", False, "header"), ("body", "0123456", False, "body")],
            False,
        ),
        (
            "01234567",
            10,
            [("header:Subject", "abc", False, "header"), ("body", "0123456", False, "body")],
            True,
        ),
        (
            "0123456789xyz",
            10,
            [("header:Subject", "abc", False, "header"), ("body", "0123456", False, "body")],
            True,
        ),
        ("   \r\n", 3, [("header:Subject", "abc", False, "header")], False),
        ("xyz", 2, [("header:Subject", "ab", False, "header")], True),
    ],
    ids=["exactly-the-limit", "one-over", "far-over", "blank-costs-nothing", "header-cut"],
)
def test_text_budget_table(body: str, limit: int, read_segments: list[Seg], cut: bool) -> None:
    """Headers and bodies draw on one budget of max_text_chars; text past it is cut and reported once as TEXT_LIMIT."""
    insp = read(f"Subject: abc\r\n\r\n{body}", max_text_chars=limit)
    assert segments(insp) == read_segments
    assert findings(insp) == (
        [("TEXT_LIMIT", "message", "", f"more than {limit} characters of text")] if cut else []
    )


def test_the_subject_is_only_the_subject_header() -> None:
    """A message without a Subject has no subject, whatever other text headers it has."""
    insp = read("Thread-Topic: tt\r\nKeywords: kk\r\n\r\nbody\r\n")
    assert insp.subject == ""
    assert segments(insp)[:2] == [
        ("header:Thread-Topic", "tt", False, "header"),
        ("header:Keywords", "kk", False, "header"),
    ]


def test_text_cut_down_to_blanks_is_not_a_segment() -> None:
    """A preamble whose share of the budget is only blanks gives no segment, and the cut is reported."""
    insp = read("Subject: abc\r\n" + MIXED + "   xyz\r\n--b\r\n\r\n\r\n--b--\r\n", max_text_chars=5)
    assert segments(insp) == [("header:Subject", "abc", False, "header")]
    assert findings(insp) == [("TEXT_LIMIT", "message", "", "more than 5 characters of text")]


def test_an_attached_message_is_read_under_its_prefix_with_the_callers_budget() -> None:
    """read_message with a prefix: every location under it, everything quoted, the caller's budget, no top headers."""
    insp = Inspection(envelope=ENV)
    taken: list[str] = []

    def take(text: str) -> str:
        taken.append(text)
        return text[:4]

    budget: Callable[[str], str] = take
    raw = (
        b"Subject: s\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nhello there\r\n"
        b"--b\r\nContent-Type: application/pdf\r\n\r\nPDF\r\n--b\r\nContent-Transfer-Encoding: x-foo\r\n\r\nzz\r\n--b--\r\n"
    )
    parts = read_message(
        raw, insp, LimitSettings(), prefix="attachment:a.eml/", quoted=True, take_text=budget
    )
    assert segments(insp) == [
        ("attachment:a.eml/header:Subject", "s", True, "header"),
        ("attachment:a.eml/body", "hell", True, "body"),
        ("attachment:a.eml/body", "zz", True, "body"),
    ]
    assert taken == ["s", "hello there", "zz"]
    assert [(p.where, p.data, p.quoted) for p in parts] == [
        ("attachment:a.eml/attachment:unnamed.pdf", b"PDF", True)
    ]
    assert insp.parts == []
    assert findings(insp) == [
        (
            "AMBIGUOUS_MIME",
            "attachment:a.eml/body",
            "unknown_transfer_encoding",
            "unknown transfer encoding 'xfoo'",
        )
    ]
    assert (insp.headers, insp.subject, insp.size) == ([], "", 0)


def test_an_attached_message_cut_by_a_limit_is_reported_at_its_prefix() -> None:
    """A limit crossed inside an attached message is reported at the attachment, not at the message."""
    insp = Inspection(envelope=ENV)
    read_message(
        THREE.encode(), insp, dataclasses.replace(LimitSettings(), max_parts=2), prefix="attachment:a.eml/"
    )
    assert findings(insp) == [("TOO_MANY_PARTS", "attachment:a.eml", "", "more than 2 MIME parts")]


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        (b"a\nb", b"a\r\nb"),
        (b"a\r\nb\r\n", b"a\r\nb\r\n"),
        (b"a\r\nb\nc", b"a\r\nb\r\nc"),
        (b"a\r\nb\rc", b"a\r\nb c"),
        (b"a\rb", b"a b"),
        (b"a\r\rb\r\n", b"a  b\r\n"),
        (b"ab", b"ab"),
    ],
    ids=["lf", "crlf", "crlf-and-lf", "crlf-and-cr", "cr", "two-crs", "none"],
)
def test_line_endings_table(raw: bytes, normalised: bytes) -> None:
    """CRLF stays, a bare LF becomes CRLF, a bare CR a space; the message's size is counted after that."""
    assert normalise_line_endings(raw) == normalised
    assert read(raw).size == len(normalised)


@pytest.mark.parametrize(
    ("text", "size", "overlap", "cut"),
    [
        ("short", 10, 2, ["short"]),
        ("0123456789", 10, 2, ["0123456789"]),
        ("aaaa\nbbbb\ncccc\n", 10, 2, ["aaaa\nbbbb\n", "b\ncccc\n"]),
        ("a" * 23, 10, 2, ["a" * 10, "a" * 10, "a" * 7]),
        ("a\n" + "b" * 17, 10, 3, ["a\n" + "b" * 8, "b" * 10, "b" * 5]),
        ("abcdefghij\nklm", 10, 20, ["abcdefghij", "bcdefghij\n", "cdefghij\n", "defghij\n", "efghij\nklm"]),
        ("abcde\nfghijklmnopqrst", 10, 0, ["abcde\n", "fghijklmno", "pqrst"]),
        ("\nbcdefghijklm", 10, 0, ["\nbcdefghij", "klm"]),
        ("aaaa\n" + "b" * 15, 12, 0, ["aaaa\nbbbbbbb", "bbbbbbbb"]),
        ("a\nbcdef", 3, 0, ["a\n", "bcd", "ef"]),
    ],
    ids=[
        "short",
        "exactly-one",
        "cut-at-line-end",
        "no-line-end",
        "line-end-too-early",
        "overlap-longer-than-pieces",
        "no-overlap",
        "line-end-at-the-start",
        "line-end-in-the-first-half",
        "line-end-in-a-tiny-piece",
    ],
)
def test_pieces_table(text: str, size: int, overlap: int, cut: list[str]) -> None:
    """Long text is cut at the last line end in the second half of a piece, each piece repeating the last's tail."""
    assert pieces(text, size, overlap) == cut


def test_segments_are_a_million_characters_overlapping_by_two_thousand() -> None:
    """The default pieces: a million characters each, the next starting two thousand before the cut."""
    assert pieces("x" * 1_000_000) == ["x" * 1_000_000]
    assert [len(p) for p in pieces("x" * 1_000_001)] == [1_000_000, 2_001]


UU_LINE = binascii.b2a_uu(b"ward list").decode()


@pytest.mark.parametrize(
    ("block", "name", "found"),
    [
        (f"begin 644 notes.txt\r\n{UU_LINE}`\r\nend\r\n", "notes.txt", []),
        (
            f"begin 644 cut.txt\r\n{UU_LINE}",
            "cut.txt",
            [("PARSE_ERROR", "attachment:cut.txt", "", "uuencode block in the text has no end line")],
        ),
    ],
    ids=["whole", "no-end-line"],
)
def test_files_written_into_a_text_body_table(block: str, name: str, found: list[Found]) -> None:
    """A uuencoded file in a text body is a part under its own name, its name read as text, the body still read."""
    insp = read(leaf("Content-Type: text/plain", "see below\r\n" + block))
    assert [(p.where, p.content_type, p.filename, p.data, p.quoted) for p in insp.parts] == [
        (f"attachment:{name}", "application/octet-stream", name, b"ward list", False)
    ]
    assert segments(insp)[0] == (f"attachment:{name}#filename", name, False, "filename")
    assert segments(insp)[1][1].startswith("see below\nbegin 644 ")
    assert findings(insp) == found


def test_nesting_the_pre_scan_misses_still_ends_in_a_finding() -> None:
    """1000 forwards behind folded Content-Type headers overflow the parser: MIME_NESTING, the top part kept, no crash."""
    insp = read("Content-Type:\r\n message/rfc822\r\n\r\n" * 1000 + "Subject: x\r\n\r\nend\r\n")
    assert findings(insp) == [("MIME_NESTING", "message", "", "nesting too deep to parse")]
    assert [(p.where, p.content_type, p.data) for p in insp.parts] == [
        ("attachment:unnamed.rfc822", "message/rfc822", b"")
    ]
    assert segments(insp) == []


def test_a_file_after_an_undecodable_one_is_still_read() -> None:
    """A uuencoded block that cannot be decoded is reported, and the next block in the body is still a part."""
    bad = "begin 644 bad.txt\r\nbroken\r\nend\r\n"
    insp = read(leaf("Content-Type: text/plain", bad + f"begin 644 ok.txt\r\n{UU_LINE}`\r\nend\r\n"))
    assert [(p.where, p.data) for p in insp.parts] == [("attachment:ok.txt", b"ward list")]
    assert findings(insp) == [
        ("PARSE_ERROR", "attachment:bad.txt", "", "uuencode block in the text could not be decoded")
    ]


def test_an_address_header_is_read_without_the_others() -> None:
    """A display name in To is read when the message has no From."""
    insp = read("To: Bob <b@x.example>\r\n\r\nbody\r\n")
    assert segments(insp) == [("header:To", "Bob", False, "name"), ("body", "body", False, "body")]
    assert insp.correspondents == [("Bob", "b@x.example")]
