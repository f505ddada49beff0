"""One decoding layer: every transfer encoding a client reads is read, the rest is uninspectable (issue 13 #6, #8)."""

from __future__ import annotations

import base64
import quopri
from urllib.parse import quote

import pytest

from gateway.config import LimitSettings
from gateway.mime import parse_message
from gateway.mime.decoding import base64_lenient, decode_charset, encoding_name
from gateway.mime.headers import decode_words
from gateway.mime.lenient import base64_readings, charset_readings
from gateway.model import Inspection, Verdict
from gateway.model.finding import UNINSPECTABLE
from tests.unit.mime.planted import ENV, HEAD, SENTENCE, message, verdict

B64 = base64.encodebytes(SENTENCE.encode())
QP = quopri.encodestring(SENTENCE.encode() + b"\n" + "Café 12".encode())


def parse(raw: bytes) -> Inspection:
    return parse_message(raw, ENV, LimitSettings())


def read(insp: Inspection) -> str:
    return "\n".join(s.text for s in insp.segments)


def uninspectable(insp: Inspection) -> set[str]:
    return {f.details.get("reason", f.type) for f in insp.findings if f.category == UNINSPECTABLE}


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ("base64", "base64"),
        ("BASE64", "base64"),
        ("Base64 ", "base64"),
        (" base64\t(sent by a scanner)", "base64"),
        ('"base64"', "base64"),
        ("base-64", "base64"),
        ("x-base64", "base64"),
        ("Quoted-Printable", "quoted-printable"),
        ("quoted printable", "quoted-printable"),
        ("x-uuencode", "uuencode"),
        ("7bit", "identity"),
        ("8BIT", "identity"),
        ("binary", "identity"),
        ("", "identity"),
        ("x-foo", "xfoo"),
        ("base64 ((nested) comment (two))", "base64"),
        ("(a) base64 (b)", "base64"),
        ("base64 (unclosed", "base64(unclosed"),
        ("base64 )(", "base64)("),
    ],
)
def test_encoding_names_are_read_as_clients_read_them(value, name):
    """Case, white space, quotes, comments and hyphens do not change which encoding a name means."""
    assert encoding_name(value) == name


@pytest.mark.parametrize(
    "cte",
    ["base64", "base64 ", "base64 (comment)", '"base64"', "base-64", "BASE64", "Base64", "x-base64"],
)
def test_base64_spellings_are_decoded_and_held(cte):
    """A body sent in any spelling of base64 is decoded, read, and the planted sentence held."""
    raw = message(f"Content-Type: text/plain\r\nContent-Transfer-Encoding: {cte}", B64)
    assert SENTENCE in read(parse(raw))
    assert verdict(raw) is Verdict.HOLD


@pytest.mark.parametrize("cte", ["quoted-printable (x)", "QUOTED-PRINTABLE", '"quoted-printable"'])
def test_quoted_printable_spellings_are_decoded(cte):
    """Quoted-printable in any spelling is decoded, so an NHS number split by soft breaks reads whole."""
    raw = message(f"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: {cte}", QP)
    assert SENTENCE in read(parse(raw)) and "Café 12" in read(parse(raw))


@pytest.mark.parametrize(
    "body",
    [
        base64.b64encode(SENTENCE.encode()) + b"!",  # one stray character at the end
        base64.b64encode(SENTENCE.encode())[:-1],  # length not a multiple of 4
        base64.b64encode(SENTENCE.encode()) + b"Q",  # one character past a multiple of 4
        b"\r\n".join(base64.b64encode(SENTENCE.encode())[i : i + 7] for i in range(0, 120, 7)) + b"*\r\n",
        base64.b64encode(SENTENCE[:30].encode())
        + base64.b64encode(SENTENCE[30:].encode()),  # two padded chunks
    ],
    ids=["stray", "short", "long", "stray-in-lines", "chunks"],
)
def test_damaged_base64_is_decoded_leniently(body):
    """Base64 with stray characters or a wrong length is decoded as clients do, and held."""
    raw = message("Content-Type: text/plain\r\nContent-Transfer-Encoding: base64", body)
    assert SENTENCE[:20] in read(parse(raw))
    assert verdict(raw) is Verdict.HOLD


def test_unknown_transfer_encoding_is_uninspectable():
    """A transfer encoding no client knows is held as uninspectable; its raw text is still read."""
    raw = message("Content-Type: text/plain\r\nContent-Transfer-Encoding: x-foo", B64)
    assert "unknown_transfer_encoding" in uninspectable(parse(raw))
    assert verdict(raw) is Verdict.HOLD
    plain = message("Content-Type: text/plain\r\nContent-Transfer-Encoding: x-foo", SENTENCE.encode())
    assert SENTENCE in read(parse(plain))


def test_base64_that_is_mostly_not_base64_is_uninspectable():
    """A body labelled base64 that is mostly other characters is reported, not silently garbled."""
    body = ("Über § ¶ " * 40).encode("utf-8")
    _data, problem = base64_lenient(body)
    assert problem
    raw = message("Content-Type: text/plain\r\nContent-Transfer-Encoding: base64", body)
    assert "damaged_base64" in uninspectable(parse(raw))


@pytest.mark.parametrize("cte", ["base64 ", "base-64", "x-foo"])
def test_attachment_encodings_go_through_the_same_layer(cte):
    """An attachment in a tolerant base64 spelling is decoded for the extractors; an unknown one is reported."""
    raw = message(
        f'Content-Type: text/plain; name="a.txt"\r\nContent-Disposition: attachment; filename="a.txt"\r\n'
        f"Content-Transfer-Encoding: {cte}",
        B64,
    )
    insp = parse(raw)
    if cte == "x-foo":
        assert "unknown_transfer_encoding" in uninspectable(insp)
    else:
        assert insp.parts[0].data == SENTENCE.encode()
    assert verdict(raw) is Verdict.HOLD


def test_forwarded_message_in_a_tolerant_encoding_is_decoded():
    """A message/rfc822 part sent "base64 " is decoded and read like a forwarded message."""
    inner = f"From: a@b.example\r\nSubject: x\r\n\r\n{SENTENCE}\r\n".encode()
    raw = message(
        "Content-Type: message/rfc822\r\nContent-Transfer-Encoding: Base64 ", base64.encodebytes(inner)
    )
    assert verdict(raw) is Verdict.HOLD


@pytest.mark.parametrize(
    ("header", "text"),
    [
        ("=?x-unknown?B?" + base64.b64encode(SENTENCE.encode()).decode() + "?=", SENTENCE),
        ("=?utf-8?B?" + base64.b64encode(SENTENCE.encode()).decode()[:-1] + "?=", SENTENCE[:60]),
        ("=?utf-8?Q?" + SENTENCE.replace(" ", "_") + "?=", SENTENCE),
        ("=?iso-8859-1?Q?Caf=E9?= =?iso-8859-1?Q?_au_lait?=", "Café au lait"),
        ("=?utf-8?B?" + base64.b64encode("é".encode())[:2].decode() + "?=", ""),
        ("=?koi8-r?B?" + base64.b64encode("привет".encode("koi8-r")).decode() + "?=", "привет"),
    ],
    ids=["unknown-charset", "damaged-base64", "q", "adjacent-words", "broken-utf8", "koi8-r"],
)
def test_encoded_words_are_always_decoded(header, text):
    """Subject encoded-words are decoded whatever their charset or damage; none is left encoded."""
    assert text in decode_words(header) and "=?" not in decode_words(header)


def test_subject_in_an_unknown_charset_is_held():
    """A subject encoded-word naming an unknown charset is still read, so the planted sentence is held."""
    word = "=?x-unknown?B?" + base64.b64encode(SENTENCE.encode()).decode() + "?="
    raw = (
        f"From: r@uni.ac.uk\r\nTo: k@gmail.com\r\nSubject: {word}\r\nMIME-Version: 1.0\r\n\r\nhello\r\n"
    ).encode()
    assert SENTENCE in read(parse(raw))
    assert verdict(raw) is Verdict.HOLD


@pytest.mark.parametrize(
    ("data", "charset", "text"),
    [
        ("Café".encode(), "utf-8", "Café"),
        ("Café".encode("latin-1"), "x-unknown", "Café"),
        ("Café".encode(), "x-unknown", "Café"),
        ("Café".encode("cp1252"), "us-ascii", "Café"),
    ],
)
def test_text_is_decoded_in_its_charset_or_a_fallback(data, charset, text):
    """Declared charset, else UTF-8, else Windows-1252: an unknown charset never hides text."""
    assert decode_charset(data, charset) == text


def _planted_b64(damage: bytes, at: int) -> bytes:
    text = base64.b64encode(SENTENCE.encode())
    return text[:at] + damage + text[at:]


@pytest.mark.parametrize(
    ("damage", "at"),
    [(b"_", 4), (b"-", 4), (b"_", 6), (b"-", 7), (b"=", 6), (b"=", 7), (b"=", 5), (b"==", 6), (b"=", 8)],
    ids=[
        "underscore",
        "hyphen",
        "underscore-mid-quad",
        "hyphen-mid-quad",
        "pad-2",
        "pad-3",
        "pad-1",
        "pads",
        "pad-0",
    ],
)
def test_base64_with_a_url_safe_or_pad_character_inside_is_held(damage, at):
    """A "-", "_" or "=" inside base64 never hides the planted sentence a client shows: it is read and held."""
    raw = message("Content-Type: text/plain\r\nContent-Transfer-Encoding: base64", _planted_b64(damage, at))
    assert SENTENCE in read(parse(raw))
    assert verdict(raw) is Verdict.HOLD


@pytest.mark.parametrize(
    ("body", "readings"),
    [
        (b"QUJDREVG", [b"ABCDEF"]),
        (b"QUJD\r\nREVG\r\n", [b"ABCDEF"]),
        (b"QUJD_REVG", [b"ABCDEF", b"ABC\xfd\x11\x15"]),  # "_" skipped, or the URL-safe "/"
        (b"QU-JDREVG", [b"ABCDEF", b"AO\x89\r\x11\x15"]),  # "-" skipped, or the URL-safe "+"
        (b"QUJD_-_-REVG", [b"ABCDEF", b"ABC\xff\xef\xfeDEF"]),
        (b"QUI=", [b"AB"]),
        (b"QUJD=REVG", [b"ABCDEF"]),  # a "=" between quads: both readings agree
        (b"QUI=QUI=", [b"ABAB", b"AB\x10P"]),  # separately padded chunks, or one stream
        (b"QUJ=DREVG", [b"AB\r\x11\x15", b"ABCDEF"]),  # a "=" inside a quad: the bit stream shifts or not
    ],
)
def test_base64_readings_are_every_reading_a_client_may_show(body, readings):
    """Clean base64 has one reading; a "=" inside gives the chunked and the skipped reading when they differ."""
    assert base64_readings(body) == (readings, "")


@pytest.mark.parametrize("damage", [b"=", b"-", b"_"])
def test_base64_read_two_ways_is_reported_ambiguous(damage):
    """A base64 body whose "=", "-" or "_" makes clients disagree is reported AMBIGUOUS_MIME, every reading read."""
    insp = parse(
        message("Content-Type: text/plain\r\nContent-Transfer-Encoding: base64", _planted_b64(damage, 6))
    )
    assert "base64_readings" in uninspectable(insp)


@pytest.mark.parametrize(
    ("damage", "at"), [(b"_", 4), (b"-", 4), (b"=", 6)], ids=["underscore", "hyphen", "pad"]
)
def test_subject_encoded_word_with_a_stray_inside_is_held(damage, at):
    """A subject encoded-word with a "_", "-" or "=" inside its base64 is read as clients read it, and held."""
    word = "=?utf-8?B?" + _planted_b64(damage, at).decode() + "?="
    raw = (HEAD.replace("Subject: notes", f"Subject: {word}") + "\r\nhello\r\n").encode()
    assert SENTENCE in read(parse(raw))
    assert verdict(raw) is Verdict.HOLD


@pytest.mark.parametrize("charset", ["cp500", "cp037", "ibm1140", "cp875", "cp1026", "utf-16", "utf-16le"])
def test_ascii_body_in_a_charset_clients_do_not_use_is_read_and_reported(charset):
    """An ASCII body declared in a charset mail clients do not use is read the usual way too, and reported."""
    raw = message(
        f"Content-Type: text/plain; charset={charset}", (SENTENCE + " \r\n").encode()
    )  # even length
    insp = parse(raw)
    assert SENTENCE in read(insp)
    assert "charset" in uninspectable(insp)
    assert verdict(raw) is Verdict.HOLD


def test_body_really_in_an_unusual_charset_is_read_in_it():
    """A body truly written in EBCDIC and declared so is read in its charset: what a client that knows it shows."""
    raw = message("Content-Type: text/plain; charset=cp500", (SENTENCE + "\r\n").encode("cp500"))
    assert SENTENCE in read(parse(raw))


@pytest.mark.parametrize(
    "charset",
    ["utf-8", "us-ascii", "iso-8859-1", "windows-1252", "Windows-1250", "koi8-r", "x-unknown", '"utf-8"'],
)
def test_mail_charsets_are_not_reported(charset):
    """A charset mail clients know (or one nobody knows, read as UTF-8) gives one reading and no finding."""
    insp = parse(message(f"Content-Type: text/plain; charset={charset}", "Café au lait\r\n".encode()))
    assert "charset" not in uninspectable(insp)


def test_subject_in_an_unusual_charset_is_read_both_ways():
    """A subject encoded-word declared EBCDIC over ASCII bytes is read the usual way as well."""
    word = "=?cp500?B?" + base64.b64encode(SENTENCE.encode()).decode() + "?="
    assert SENTENCE in decode_words(word)


@pytest.mark.parametrize(
    "param",
    ["filename*=cp500''{q}", "filename*0*=cp500''{q}; filename*1=.txt"],
    ids=["extended", "continued"],
)
def test_file_name_in_an_unusual_charset_is_read_both_ways(param):
    """An RFC 2231 file name declared EBCDIC over ASCII bytes is read the usual way as well, and held."""
    disposition = "attachment; " + param.format(q=quote(SENTENCE + ".txt"))
    raw = message(
        f"Content-Type: application/octet-stream\r\nContent-Disposition: {disposition}", b"hello\r\n"
    )
    assert any(SENTENCE in s.text and s.kind == "filename" for s in parse(raw).segments)
    assert verdict(raw) is Verdict.HOLD


def test_url_safe_base64_is_also_read_as_web_mail_reads_it():
    """A body in URL-safe base64 is read as the decoders that accept "-" and "_" show it, and held."""
    data = (SENTENCE + " ~~~ ???").encode()
    body = base64.urlsafe_b64encode(data)
    assert b"-" in body or b"_" in body
    raw = message("Content-Type: text/plain\r\nContent-Transfer-Encoding: base64", body)
    assert SENTENCE in read(parse(raw))
    assert verdict(raw) is Verdict.HOLD


def test_deeply_nested_comments_are_stripped_in_one_pass():
    """A Content-Transfer-Encoding of 50,000 nested comments is read in one pass (before: one pass per level)."""
    assert encoding_name("base64 " + "(" * 50_000 + ")" * 50_000) == "base64"


@pytest.mark.parametrize("charset", ["utf\x00", "\udcff", "x" * 10_000, "base64", "rot13", "undefined"])
def test_a_charset_that_is_no_text_codec_is_read_the_usual_way(charset):
    """A charset label Python cannot look up or that names no text codec is read as UTF-8, never raising."""
    assert charset_readings("Café".encode(), charset)[-1] == "Café"
