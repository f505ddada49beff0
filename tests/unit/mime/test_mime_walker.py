"""The MIME walker reads every part, marks what is quoted, and reports what is ambiguous or too deep."""

from __future__ import annotations

import base64
import quopri
import sys

import pytest

from gateway.config import LimitSettings
from gateway.mime import normalise_line_endings, parse_message, scan_structure, unflow
from gateway.model import Envelope, Inspection

LIMITS = LimitSettings()
ENV = Envelope("student@uni.example", ("friend@mail.example",))
NHS = "943 476 5919"


def parse(raw: str | bytes, **limits: object) -> Inspection:
    import dataclasses

    data = raw.encode("utf-8") if isinstance(raw, str) else raw
    return parse_message(normalise_line_endings(data), ENV, dataclasses.replace(LIMITS, **limits))  # type: ignore[arg-type]


def seg(insp: Inspection, where: str, *, quoted: bool | None = None) -> str:
    return "\n".join(
        s.text for s in insp.segments if s.where == where and (quoted is None or s.quoted is quoted)
    )


def ambiguous(insp: Inspection) -> set[str]:
    return {f.details.get("reason", "") for f in insp.findings if f.type == "AMBIGUOUS_MIME"}


HEAD = "From: Ann Student <ann@uni.example>\nTo: Bob <bob@mail.example>\nSubject: hello\nMIME-Version: 1.0\n"


# --- bodies, encodings, charsets ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("cte", "encode"),
    [
        ("base64", lambda b: base64.encodebytes(b).decode()),
        ("quoted-printable", lambda b: quopri.encodestring(b).decode()),
        ("8bit", lambda b: b.decode("utf-8")),
        ("7bit", lambda b: b.decode("utf-8")),
    ],
)
def test_transfer_encodings_are_decoded(cte, encode):
    """base64, quoted-printable, 8bit and 7bit bodies give the same text."""
    body = f"Patient seen, NHS {NHS}, caf\u00e9 ok\n".encode()
    raw = (
        HEAD + f"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: {cte}\n\n" + encode(body)
    )
    assert f"NHS {NHS}" in seg(parse(raw), "body")


def test_quoted_printable_soft_breaks_join_a_number():
    """A number split by a quoted-printable soft line break reads whole."""
    raw = (
        HEAD
        + "Content-Type: text/plain\nContent-Transfer-Encoding: quoted-printable\n\nNHS 943 47=\n6 5919\n"
    )
    assert NHS in seg(parse(raw), "body")


@pytest.mark.parametrize(
    ("charset", "text"),
    [
        ("iso-8859-1", "Gr\u00fc\u00dfe und caf\u00e9"),
        ("windows-1252", "\u201cquoted\u201d \u2013 dash"),
        ("koi8-r", "\u043f\u0440\u0438\u0432\u0435\u0442"),
        ("shift_jis", "\u3053\u3093\u306b\u3061\u306f"),
        ("utf-8", "emoji \U0001f600 ok"),
    ],
)
def test_charsets(charset, text):
    """Bodies in any declared charset are decoded to the same text."""
    body = base64.encodebytes(text.encode(charset)).decode()
    raw = HEAD + f"Content-Type: text/plain; charset={charset}\nContent-Transfer-Encoding: base64\n\n{body}"
    assert text in seg(parse(raw), "body")


def test_unknown_charset_falls_back():
    """An unknown or wrong charset label still yields readable text."""
    raw = (
        HEAD.encode()
        + b"Content-Type: text/plain; charset=x-bogus\nContent-Transfer-Encoding: 8bit\n\ncaf\xe9 NHS 943 476 5919\n"
    )
    assert NHS in seg(parse(raw), "body")


def test_encoded_word_subject_and_display_names():
    """Subject and display names are decoded and kept as header segments."""
    raw = (
        'From: =?utf-8?q?Zo=C3=AB_Student?= <z@uni.example>\nTo: "Dr Who" <w@x.example>, plain@y.example\n'
        "Subject: =?utf-8?b?" + base64.b64encode(f"NHS {NHS}".encode()).decode() + "?=\n\nbody\n"
    )
    insp = parse(raw)
    assert seg(insp, "header:Subject") == f"NHS {NHS}"
    assert insp.subject == f"NHS {NHS}"
    assert seg(insp, "header:From") == "Zo\u00eb Student"
    assert seg(insp, "header:To") == "Dr Who"
    assert ("", "plain@y.example") in insp.correspondents


def test_alternative_reads_both_text_and_html():
    """In multipart/alternative the plain and the HTML part are both read."""
    raw = (
        HEAD
        + 'Content-Type: multipart/alternative; boundary="b"\n\n--b\nContent-Type: text/plain\n\nplain words\n'
        "--b\nContent-Type: text/html\n\n<p>html <b>only</b> words</p><img alt='wound photo'>"
        "<a href='https://x.example/r'>record</a>\n--b--\n"
    )
    insp = parse(raw)
    assert seg(insp, "body") == "plain words"
    assert seg(insp, "html") == "html only words\n[image: wound photo] record <https://x.example/r>"


def test_html_only_mail():
    """A message with only an HTML body is read as text; its blockquote is quoted."""
    raw = (
        HEAD + "Content-Type: text/html\n\n<div>my words</div><blockquote type=cite>their words</blockquote>"
    )
    insp = parse(raw)
    assert seg(insp, "html", quoted=False) == "my words"
    assert seg(insp, "html", quoted=True) == "their words"


def test_format_flowed_is_unflowed():
    """format=flowed soft breaks are undone, so a wrapped identifier reads whole."""
    raw = HEAD + "Content-Type: text/plain; format=flowed\n\nNHS 943 476 \n5919 noted\n"
    assert f"NHS {NHS} noted" in seg(parse(raw), "body")


@pytest.mark.parametrize(
    ("text", "delsp", "expected"),
    [
        ("a \nb\n", False, "a b\n"),
        ("a \nb\n", True, "ab\n"),
        ("> q1 \n> q2\nown\n", False, "> q1 q2\nown\n"),
        ("-- \nsig\n", False, "-- \nsig\n"),
    ],
)
def test_unflow(text, delsp, expected):
    """RFC 3676: soft breaks joined, quote depth respected, signature separator kept."""
    assert unflow(text, delsp=delsp) == expected


# --- parts, forwards, locations ------------------------------------------------------------------


def test_attachments_become_parts_with_locations():
    """Attached and inline files become Parts at "attachment:NAME"; the inline flag is kept."""
    raw = (
        HEAD
        + 'Content-Type: multipart/mixed; boundary="m"\n\n--m\nContent-Type: text/plain\n\nsee attached\n'
        '--m\nContent-Type: application/pdf\nContent-Disposition: attachment; filename="Ward list.pdf"\n'
        "Content-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n"
        '--m\nContent-Type: image/png\nContent-Disposition: inline; filename="logo.png"\n\nPNG\n--m--\n'
    )
    insp = parse(raw)
    assert [(p.where, p.inline) for p in insp.parts] == [
        ("attachment:Ward list.pdf", False),
        ("attachment:logo.png", True),
    ]
    assert insp.parts[0].data == b"%PDF-1.4\n"


def test_nested_forward_is_quoted_with_its_attachments():
    """A message/rfc822 forward is read: headers and body quoted, its attachments under its name."""
    inner = (
        "From: Dr Reg <reg@hosp.example>\nSubject: jobs list\nContent-Type: multipart/mixed; boundary=i\n\n"
        f"--i\nContent-Type: text/plain\n\nbloods for NHS {NHS}\n"
        '--i\nContent-Type: text/csv\nContent-Disposition: attachment; filename="jobs.csv"\n\na,b\n--i--\n'
    )
    raw = (
        HEAD + 'Content-Type: multipart/mixed; boundary="o"\n\n--o\nContent-Type: text/plain\n\nFYI\n'
        '--o\nContent-Type: message/rfc822\nContent-Disposition: attachment; filename="jobs.eml"\n\n'
        + inner
        + "--o\nContent-Type: message/rfc822\n\nSubject: second\n\nunnamed forward text\n--o--\n"
    )
    insp = parse(raw)
    assert seg(insp, "body", quoted=False) == "FYI"
    assert NHS in seg(insp, "attachment:jobs.eml/body", quoted=True)
    assert seg(insp, "attachment:jobs.eml/header:Subject", quoted=True) == "jobs list"
    assert seg(insp, "attachment:jobs.eml/header:From", quoted=True) == "Dr Reg"
    assert seg(insp, "forwarded/body", quoted=True) == "unnamed forward text"
    assert [(p.where, p.quoted) for p in insp.parts] == [("attachment:jobs.eml/attachment:jobs.csv", True)]


def test_preamble_with_text_is_read():
    """Text hidden in a multipart preamble is read (beyond the usual boilerplate)."""
    raw = (
        HEAD
        + f'Content-Type: multipart/mixed; boundary="p"\n\nhidden NHS {NHS}\n--p\nContent-Type: text/plain\n\nhi\n--p--\n'
    )
    assert NHS in seg(parse(raw), "preamble")


@pytest.mark.parametrize(
    ("preamble", "read"),
    [
        ("This is a multi-part message in MIME format.", False),
        ("\n  this is a multipart message in MIME format \n\n", False),
        ("\n\n", False),
        (" " * 300_000 + f"NHS {NHS}", True),
        ("\t\n" * 100_000 + f"NHS {NHS}", True),
    ],
    ids=["boilerplate", "boilerplate-blanks", "blank", "300k-blanks-then-text", "200k-blank-lines-then-text"],
)
def test_preamble_boilerplate_is_skipped_and_text_after_blanks_is_read(preamble, read):
    """The usual preamble line is skipped; text after any run of blanks is read, in one pass (before: hours)."""
    raw = (
        HEAD
        + f'Content-Type: multipart/mixed; boundary="p"\n\n{preamble}\n--p\nContent-Type: text/plain\n\nhi\n--p--\n'
    )
    assert (NHS in seg(parse(raw), "preamble")) is read


def test_bare_cr_does_not_split_headers():
    """A bare CR inside a header is a space (as Postfix delivers it), not a new header."""
    insp = parse(b"Subject: a\rX-Evil: b\r\n\r\nbody\r\n")
    assert insp.header("X-Evil") is None
    assert insp.subject == "a X-Evil: b"


def test_pgp_inline_body_is_uninspectable():
    """An inline PGP-encrypted body cannot be read: ENCRYPTED_MESSAGE."""
    raw = (
        HEAD
        + "Content-Type: text/plain\n\n-----BEGIN PGP MESSAGE-----\n\nhQEMA9\n-----END PGP MESSAGE-----\n"
    )
    assert "ENCRYPTED_MESSAGE" in {f.type for f in parse(raw).findings}


# --- ambiguity between mail readers ---------------------------------------------------------------


def _leaf(headers: str) -> str:
    return (
        HEAD + 'Content-Type: multipart/mixed; boundary="z"\n\n--z\nContent-Type: text/plain\n\nhi\n'
        f"--z\n{headers}\n\nQUJD\n--z--\n"
    )


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (
            HEAD
            + 'Content-Type: multipart/mixed; boundary="one"; boundary="two"\n\n--one\n\na\n--two\n\nb\n--one--\n',
            "duplicate_boundary",
        ),
        (
            _leaf(
                "Content-Type: text/plain\nContent-Transfer-Encoding: base64\nContent-Transfer-Encoding: quoted-printable"
            ),
            "duplicate_transfer_encoding",
        ),
        (
            _leaf(
                "Content-Type: application/octet-stream\nContent-Disposition: attachment; filename*=utf-8''evil.exe; filename=\"ok.txt\""
            ),
            "filename_conflict",
        ),
        (
            _leaf(
                'Content-Type: application/octet-stream; name="ok.txt"\nContent-Disposition: attachment; filename="=?utf-8?b?ZXZpbC5leGU=?="'
            ),
            "filename_conflict",
        ),
        (
            _leaf(
                'Content-Type: application/octet-stream; name="report.pdf"\nContent-Disposition: attachment; filename="run.exe"'
            ),
            "filename_conflict",
        ),
        (_leaf("Content-Type: text/plain\nContent-Type: text/html"), "duplicate_content_type"),
        (_leaf('Content-Type: text/plain; charset="utf-8"; charset=koi8-r'), "duplicate_charset"),
        (
            HEAD + 'Content-Type: multipart/mixed; boundary="never"\n\nbody without the boundary\n',
            "missing_boundary",
        ),
    ],
    ids=[
        "boundary",
        "cte",
        "filename-star",
        "encoded-word",
        "name-vs-filename",
        "content-type",
        "charset",
        "no-boundary",
    ],
)
def test_ambiguous_mime_is_uninspectable(raw, reason):
    """Each discrepancy between mail readers is a full-score AMBIGUOUS_MIME finding."""
    insp = parse(raw)
    assert reason in ambiguous(insp)
    assert all(f.score == 1.0 for f in insp.findings if f.type == "AMBIGUOUS_MIME")


@pytest.mark.parametrize(
    "headers",
    [
        "Content-Type: text/plain\nContent-Transfer-Encoding: base64\nContent-Transfer-Encoding: base64",
        'Content-Type: application/pdf; name="Caf\u00e9.pdf"\nContent-Disposition: attachment; filename*=utf-8\'\'Caf%C3%A9.pdf; filename="Cafe.pdf"',
        'Content-Type: application/pdf; name="notes.pdf"\nContent-Disposition: attachment; filename="notes.pdf"',
        'Content-Type: application/pdf\nContent-Disposition: attachment; filename*0="long"; filename*1="name.pdf"',
    ],
    ids=["same-cte-twice", "ascii-fallback", "name-equals-filename", "rfc2231-continuation"],
)
def test_ordinary_mime_is_not_ambiguous(headers):
    """Repeated identical headers, ASCII fallbacks and RFC 2231 continuations are not flagged."""
    assert not ambiguous(parse(_leaf(headers)))


def test_body_before_the_discrepancy_is_still_read():
    """An ambiguous message is still read: its findings come with the text."""
    raw = _leaf(
        "Content-Type: text/plain\nContent-Transfer-Encoding: base64\nContent-Transfer-Encoding: 7bit"
    )
    insp = parse(raw)
    assert seg(insp, "body").startswith("hi")
    assert "duplicate_transfer_encoding" in ambiguous(insp)


def _nested(depth: int, text: str = "deep text") -> str:
    head = "".join(f'Content-Type: multipart/mixed; boundary="b{i}"\n\n--b{i}\n' for i in range(depth))
    tail = "".join(f"\n--b{i}--\n" for i in reversed(range(depth)))
    return HEAD + head + f"Content-Type: text/plain\n\n{text}\n" + tail


def test_nesting_bomb_does_not_recurse():
    """1000 nested multiparts give MIME_NESTING, no RecursionError, and the top is still read."""
    raw = (
        HEAD
        + 'Content-Type: multipart/mixed; boundary="top"\n\n--top\nContent-Type: text/plain\n\nvisible words\n--top\n'
    )
    raw += _nested(1000)[len(HEAD) :] + "\n--top--\n"
    limit = sys.getrecursionlimit()
    insp = parse(raw)
    assert sys.getrecursionlimit() == limit
    assert "MIME_NESTING" in {f.type for f in insp.findings}
    assert "visible words" in seg(insp, "body")


def test_message_rfc822_nesting_bomb():
    """1000 nested message/rfc822 parts (no boundaries at all) are cut the same way."""
    raw = HEAD + "Content-Type: message/rfc822\n\n" * 1000 + "Subject: x\n\nend\n"
    insp = parse(raw)
    assert "MIME_NESTING" in {f.type for f in insp.findings}


def test_nesting_within_the_limit_is_read():
    """Nesting up to max_mime_depth is read fully, without findings."""
    insp = parse(_nested(10))
    assert seg(insp, "body") == "deep text"
    assert not insp.findings


def test_too_many_parts_is_cut_and_reported():
    """More parts than max_parts: TOO_MANY_PARTS, and the parts before the cut are kept."""
    parts = "".join(
        f'--m\nContent-Type: text/csv\nContent-Disposition: attachment; filename="f{i}.csv"\n\nx\n'
        for i in range(30)
    )
    insp = parse(HEAD + 'Content-Type: multipart/mixed; boundary="m"\n\n' + parts + "--m--\n", max_parts=10)
    assert "TOO_MANY_PARTS" in {f.type for f in insp.findings}
    assert 1 <= len(insp.parts) <= 10


def test_scan_structure_counts_depth_and_parts():
    """The pre-scan measures nesting and part count without parsing."""
    shape = scan_structure(_nested(5).encode(), max_depth=2, max_parts=100)
    assert shape.reason == "MIME_NESTING"
    assert shape.cut is not None


def test_text_limit_in_bodies():
    """Body text past max_text_chars is cut and reported."""
    insp = parse(HEAD + "Content-Type: text/plain\n\n" + "word " * 5000, max_text_chars=100)
    assert sum(len(s.text) for s in insp.segments) <= 100
    assert "TEXT_LIMIT" in {f.type for f in insp.findings}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"a\nb\n", b"a\r\nb\r\n"),
        (b"a\r\nb\r\n", b"a\r\nb\r\n"),
        (b"a\rb\r\n", b"a b\r\n"),
        (b"a\r\nb\nc\r", b"a\r\nb\r\nc "),
    ],
)
def test_normalise_line_endings(raw, expected):
    """CRLF kept, bare LF becomes CRLF, bare CR becomes a space (Postfix's view)."""
    assert normalise_line_endings(raw) == expected


@pytest.mark.parametrize(
    ("disposition", "shown"),
    [
        ("attachment; filename*=utf-8''Caf%C3%A9%20list.pdf; filename=\"Cafe list.pdf\"", "Café list.pdf"),
        ('attachment; filename="=?utf-8?q?Ward_list.xlsx?="', "Ward list.xlsx"),
        ('attachment; filename*0="Ward "; filename*1="list.xlsx"', "Ward list.xlsx"),
        ('attachment; filename="../../etc/passwd"', ".._.._etc_passwd"),
    ],
)
def test_location_uses_the_name_a_mail_client_shows(disposition, shown):
    """The attachment's location uses the decoded name (RFC 2231 first), path separators removed."""
    raw = _leaf(f"Content-Type: application/octet-stream\nContent-Disposition: {disposition}")
    assert [p.where for p in parse(raw).parts] == [f"attachment:{shown}"]


def test_a_bomb_in_the_top_header_keeps_the_headers():
    """When the top-level header itself crosses a limit, the headers are still read."""
    raw = "Subject: still read\nContent-Type: multipart/mixed; " + "boundary=a; " * 500 + "\n\nbody\n"
    insp = parse(raw)
    assert "MIME_NESTING" in {f.type for f in insp.findings}
    assert insp.subject == "still read"


def test_delimiters_with_trailing_white_space_are_counted():
    """Boundary lines may end in white space (RFC 2046); a huge run of it is scanned in linear time."""
    raw = (
        'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b \t\r\n\r\nx\r\n--b'
        + " " * 200_000
        + "\r\n\r\ny\r\n--b--\r\n"
    ).encode()
    shape = scan_structure(raw, max_depth=5, max_parts=1)
    assert (shape.reason, shape.parts) == ("TOO_MANY_PARTS", 2)


def test_base64_forward_is_decoded_and_flagged():
    """A message/rfc822 part sent base64 is ambiguous, and is still handed on decoded to be read."""
    inner = base64.encodebytes(f"Subject: hidden\n\nNHS {NHS}\n".encode()).decode()
    raw = (
        HEAD + 'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain\n\nhi\n'
        "--b\nContent-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n" + inner + "--b--\n"
    )
    insp = parse(raw)
    assert "encoded_message" in ambiguous(insp)
    (part,) = insp.parts
    assert (part.where, part.content_type, part.quoted) == (
        "attachment:forwarded.eml",
        "message/rfc822",
        True,
    )
    assert NHS.encode() in part.data
