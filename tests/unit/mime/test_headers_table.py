"""Header values exactly as a reader sees them: encoded-words, unfolding, parameters, RFC 2231 file names, extensions."""

from __future__ import annotations

from email.message import Message
from email.parser import BytesParser
from email.policy import compat32

import pytest

from gateway.mime.headers import (
    all_readings,
    count_param,
    decode_words,
    extension,
    filename,
    filename_readings,
    fold,
    header_text,
    header_values,
    param,
    params,
    unfold,
)


def _part(headers: str) -> Message:
    """A message whose header block is `headers` (CRLF lines), read the way the walker reads it."""
    return BytesParser(policy=compat32).parsebytes(
        (headers + "\r\n\r\nbody\r\n").encode("utf-8", "surrogateescape")
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("Ward round", "Ward round"),
        ("=?utf-8?Q?caf=C3=A9_au_lait?=", "café au lait"),
        ("=?utf-8?q?caf=C3=A9?=", "café"),
        ("=?utf-8?B?Y2Fmw6k=?=", "café"),
        ("=?utf-8?b?Y2Fmw6k=?=", "café"),
        ("Re: =?utf-8?Q?caf=C3=A9?= menu", "Re: café menu"),
        ("=?utf-8?Q?a?= =?utf-8?Q?b?=", "ab"),
        ("=?utf-8?Q?a?=\r\n \t =?utf-8?Q?b?=", "ab"),
        ("=?utf-8?Q?a?==?utf-8?Q?b?=", "ab"),
        ("=?utf-8?Q?a?= x =?utf-8?Q?b?=", "a x b"),
        ("=?utf-8?q?a_b?=\r\n  =?utf-8?b?Yw==?=", "a bc"),
        ("=?utf-8?Q?=C3?= =?UTF-8?Q?=A9?=", "é"),
        ("=?utf-8?B?w6k=?= =?iso-8859-1?Q?=E9?=", "éé"),
        ("=?iso-8859-1?Q?=E9?= =?utf-8?B?w6k=?=", "éé"),
        ("=?utf-8*en?Q?caf=C3=A9?=", "café"),
        ("=?koi8-r*ru?Q?=C1?=", "а"),
        ("=?iso-8859-15?Q?=A4uro?=", "€uro"),
        ("=?koi8-r?Q?=C1?=", "а"),
        ("=?x-unknown?Q?caf=C3=A9?=", "café"),
        ("=?utf-7?Q?a+AOk-?=", "aé a+AOk-"),
        ("=?cp500?Q?=C1?=", "A Á"),
        ("=?utf-8?B?SGk=IQ==?=", "Hi! Hi\x08"),
        ("=?utf-8?B?SGk=IQ==?= =?utf-8?Q?x?=", "Hi! Hi\x08 x"),
        ("=?utf-8?Q?a b?=", "a b"),
        ("=?utf-8?X?abc?=", "=?utf-8?X?abc?="),
        ("=??Q?abc?=", "=??Q?abc?="),
        ("=?utf-8?Q??=", ""),
        ("a =?utf-8?Q?b?=\tc", "a b\tc"),
    ],
    ids=[
        "plain",
        "q-underscore",
        "q-lower",
        "b",
        "b-lower",
        "text-around",
        "adjacent",
        "adjacent-folded",
        "adjacent-touching",
        "text-between",
        "adjacent-mixed-encodings",
        "utf8-split-across-words",
        "charset-change-between-words",
        "charset-change-the-other-way",
        "rfc2231-language",
        "rfc2231-language-koi8-r",
        "latin9",
        "koi8-r",
        "unknown-charset",
        "utf7-both-ways",
        "ebcdic-both-ways",
        "base64-equals-inside-both-ways",
        "both-ways-then-another-word",
        "blank-inside",
        "unknown-encoding-kept",
        "no-charset-kept",
        "empty-word",
        "trailing-text",
    ],
)
def test_decode_words_table(value: str, text: str) -> None:
    """Each encoded-word decodes to exactly the text a client shows; blanks between adjacent words go, other text stays."""
    assert decode_words(value) == text
    assert header_text(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("a\r\n b", "a b"),
        ("a\n\tb", "a b"),
        ("a\r\n \t  b", "a b"),
        ("a\r\n b\r\n c", "a b c"),
        ("a\r\nb", "a\r\nb"),
        ("caf\udcc3\udca9", "café"),
        ("\udcc3\udca9", "é"),
        ("x\udcff", "x\ufffd"),
        ("café", "café"),
    ],
    ids=[
        "crlf-space",
        "lf-tab",
        "many-blanks",
        "twice",
        "not-folded",
        "utf8-bytes",
        "only-utf8-bytes",
        "bad-byte",
        "text",
    ],
)
def test_unfold_table(value: str, text: str) -> None:
    """A folded value is on one line (one space per fold); raw 8-bit bytes are read as UTF-8."""
    assert unfold(value) == text


def test_header_values_are_unfolded_decoded_and_stripped() -> None:
    """Every value of the header, in order, unfolded, encoded-words decoded and stripped; none when absent."""
    msg = _part("Subject: =?utf-8?Q?caf=C3=A9?=\r\n\tmenu \r\nTo: a@b.example\r\nSubject: second")
    assert header_values(msg, "Subject") == ["café menu", "second"]
    assert header_values(msg, "Comments") == []


class _Unparsable(Message):
    """A message whose header lookup fails, as a strict header policy does on a malformed header."""

    def get_all(self, name: str, failobj: object = None) -> list[str]:  # type: ignore[override]
        raise ValueError("malformed header")


def test_header_values_fall_back_to_the_raw_text() -> None:
    """A header the message cannot parse is read from its raw text, that header only, whatever its case."""
    msg = _Unparsable()
    msg["Subject"] = "=?utf-8?Q?caf=C3=A9?="
    msg["To"] = "a@b.example"
    msg["Comments"] = "not the subject"
    msg["SUBJECT"] = "again"
    assert header_values(msg, "subject") == ["café", "again"]


@pytest.mark.parametrize(
    ("headers", "name", "value"),
    [
        ("Content-Type: text/plain; format=Flowed", "format", "flowed"),
        ("Content-Type: text/plain; DelSp=YES", "delsp", "yes"),
        ("Content-Type: text/plain", "format", ""),
        ("Content-Type: text/plain; name*=utf-8''caf%C3%A9", "name", ""),
    ],
    ids=["lower-cased", "name-any-case", "absent", "rfc2231-tuple"],
)
def test_param_table(headers: str, name: str, value: str) -> None:
    """A Content-Type parameter in lower case; absent or RFC 2231-encoded gives ""."""
    assert param(_part(headers), name) == value


@pytest.mark.parametrize(
    ("header", "pairs"),
    [
        ("attachment; filename=a.pdf", [("filename", "a.pdf")]),
        ("attachment;filename=a.pdf", [("filename", "a.pdf")]),
        ("a;b=c;d=e", [("b", "c"), ("d", "e")]),
        ("attachment ;  FileName  =  a.pdf  ; size=3", [("filename", "a.pdf"), ("size", "3")]),
        ('attachment; filename="a;b.pdf"', [("filename", '"a;b.pdf"')]),
        ('attachment; filename="a\\";b.pdf"', [("filename", '"a\\";b.pdf"')]),
        ('attachment; filename=""', [("filename", '""')]),
        ("attachment; filename*0*=utf-8''a", [("filename*0*", "utf-8''a")]),
        ("attachment; x-y.z~1=v", [("x-y.z~1", "v")]),
        ("attachment; x$y^z+w=v", [("x$y^z+w", "v")]),
        ("name=a.pdf; size=3", [("size", "3")]),
        ("attachment; filename=", [("filename", "")]),
        ("attachment", []),
        ("text/plain; charset=utf-8; charset=koi8-r", [("charset", "utf-8"), ("charset", "koi8-r")]),
    ],
    ids=[
        "one",
        "no-blank",
        "no-blanks-two",
        "blanks-and-case",
        "quoted-semicolon",
        "quoted-escaped-quote",
        "quoted-empty",
        "rfc2231-key",
        "token-characters",
        "token-symbols",
        "first-item-is-never-a-parameter",
        "empty",
        "none",
        "repeated",
    ],
)
def test_params_table(header: str, pairs: list[tuple[str, str]]) -> None:
    """Parameters in order: names lower-cased, values as written (quotes kept), blanks around them dropped."""
    assert params(header) == pairs


@pytest.mark.parametrize(
    ("header", "count"),
    [
        ("multipart/mixed; boundary=a", 1),
        ("multipart/mixed; boundary=a; boundary=b", 2),
        ("multipart/mixed; boundary=a; boundary=a", 2),
        ("multipart/mixed; boundary*0=a; boundary*1=b", 1),
        ("multipart/mixed; boundary*0*=utf-8''a; boundary*1*=b", 1),
        ("multipart/mixed; boundary*=utf-8''a", 1),
        ("multipart/mixed; boundary=a; boundary*=utf-8''b", 2),
        ("multipart/mixed; boundary*0=a; boundary*0=b", 2),
        ("multipart/mixed; boundary*1=b", 0),
        ("multipart/mixed; charset=a; xboundary=b", 0),
        ("multipart/mixed; alpha=a; access-type=b", 0),
        ("multipart/mixed", 0),
    ],
    ids=[
        "one",
        "two",
        "two-same",
        "continued",
        "continued-encoded",
        "extended",
        "plain-and-extended",
        "two-first-pieces",
        "only-a-later-piece",
        "other-names",
        "names-before-it",
        "none",
    ],
)
def test_count_param_table(header: str, count: int) -> None:
    """Each logical value counts once: RFC 2231 continuations are one value, a repeated parameter two."""
    assert count_param(header, "boundary") == count


@pytest.mark.parametrize(
    ("header", "names"),
    [
        ("attachment; filename=a.pdf", ["a.pdf"]),
        ('attachment; filename="a b.pdf"', ["a b.pdf"]),
        ('attachment; filename="say \\"hi\\".pdf"', ['say "hi".pdf']),
        ('attachment; filename="a.pdf', ['"a.pdf']),
        ('attachment; filename=a.pdf"', ['a.pdf"']),
        ('attachment; filename="a;b.pdf"', ["a;b.pdf"]),
        ('attachment; filename=""; filename=b.pdf', ["b.pdf"]),
        ("attachment; size=3; filename=a.pdf", ["a.pdf"]),
        ("attachment; name=x.exe; filename=a.pdf; xfilename=y.exe", ["a.pdf"]),
        ("attachment; filename=a.pdf; filename=b.exe", ["b.exe", "a.pdf"]),
        ("attachment; filename==?utf-8?Q?caf=C3=A9.pdf?=", ["café.pdf"]),
        ("attachment; filename*=utf-8''caf%C3%A9.pdf", ["café.pdf"]),
        ("attachment; filename*=caf%C3%A9.pdf", ["café.pdf"]),
        ("attachment; filename*=koi8-r'ru'%C1.txt", ["а.txt"]),
        ("attachment; filename*=it's.pdf", ["it's.pdf"]),
        ("attachment; filename*=utf-8''it's%20a.pdf", ["it's a.pdf"]),
        ("attachment; filename*=utf-7''+AOk-.pdf", ["é.pdf", "+AOk-.pdf"]),
        ("attachment; filename*=utf-8''a.pdf; filename=b.pdf", ["a.pdf", "b.pdf"]),
        ("attachment; filename*0*=utf-8''caf%C3%A9; filename*1*=%20menu.pdf", ["café menu.pdf"]),
        ("attachment; filename*0=caf; filename*1=e%20.pdf", ["cafe%20.pdf"]),
        ("attachment; filename*1=b.pdf; filename*0=a", ["ab.pdf"]),
        ("attachment; filename*0*=koi8-r''%C1; filename*1*=%C2.txt", ["аб.txt"]),
        ("attachment; filename*0*=koi8-r''%C1; filename*1=%C2.txt", ["а%C2.txt"]),
        ("attachment; filename*0*=%41; filename*1*=koi8-r''%C1", ["Akoi8-r''Á"]),
        ("attachment; filename*0*=it's%20a.pdf", ["it's a.pdf"]),
        ("attachment; filename*0*=utf-8''it's; filename*1=.pdf", ["it's.pdf"]),
        ("attachment; filename*0=utf-8''a; filename*1*=%41.pdf", ["utf-8''aA.pdf"]),
        ("attachment; filename*0*=utf-7''a+AOk-; filename*1=.pdf", ["aé.pdf", "a+AOk-.pdf"]),
        ("attachment; filename*x=a.pdf; filename=b.pdf", ["b.pdf"]),
        ("attachment; filename*0*=utf-8''a.pdf; filename=b.pdf", ["a.pdf", "b.pdf"]),
        ("attachment", []),
    ],
    ids=[
        "plain",
        "quoted",
        "escaped-quotes",
        "unclosed-quote",
        "stray-closing-quote",
        "quoted-semicolon",
        "empty-dropped",
        "after-another-parameter",
        "other-names-ignored",
        "repeated-last-first",
        "encoded-word",
        "extended",
        "extended-no-charset",
        "extended-koi8-r",
        "extended-one-quote",
        "extended-quote-in-value",
        "extended-unusual-charset-both-ways",
        "extended-before-plain",
        "continued-encoded",
        "continued-raw",
        "continued-out-of-order",
        "continued-charset-carried",
        "continued-raw-piece-not-decoded",
        "charset-only-from-the-first-piece",
        "continued-one-quote",
        "continued-quote-in-value",
        "charset-only-on-encoded-first-piece",
        "continued-unusual-charset-both-ways",
        "bad-index-ignored",
        "continued-before-plain",
        "none",
    ],
)
def test_filename_readings_table(header: str, names: list[str]) -> None:
    """Every reading of the file name, RFC 2231 first, then the plain values last-first, empty ones dropped."""
    assert filename_readings(header, "filename") == names


@pytest.mark.parametrize(
    ("name", "folded"),
    [
        ("Café.PDF ", "cafe.pdf"),
        ("\ufb01le.pdf", "file.pdf"),
        ("Straße", "strasse"),
        ("  a\u0301 ", "a"),
    ],
    ids=["accent-case-blank", "ligature", "sharp-s", "combining-mark"],
)
def test_fold_table(name: str, folded: str) -> None:
    """A name compared loosely: accents, case, compatibility forms and outer blanks do not count."""
    assert fold(name) == folded


@pytest.mark.parametrize(
    ("name", "ext"),
    [
        ("report.PDF", "pdf"),
        ("Résumé.DOCX", "docx"),
        ("report.pdf. . ", "pdf"),
        ("a.tar.gz", "gz"),
        ("a.pdf .exe", "exe"),
        (".bashrc", ""),
        ("noext", ""),
        ("notes. final draft", ""),
        ("", ""),
    ],
    ids=[
        "upper",
        "accented",
        "trailing-dots-blanks",
        "last-only",
        "blank-in-stem",
        "no-stem",
        "no-dot",
        "blank-in-ext",
        "empty",
    ],
)
def test_extension_table(name: str, ext: str) -> None:
    """The extension Windows takes: after the last dot, trailing dots and blanks ignored, none without a stem or with a blank."""
    assert extension(name) == ext


@pytest.mark.parametrize(
    ("headers", "readings", "shown"),
    [
        (
            "Content-Type: application/pdf; name=b.pdf\r\nContent-Disposition: attachment; filename=a.pdf",
            ["a.pdf", "b.pdf"],
            "a.pdf",
        ),
        (
            "Content-Type: application/pdf; name=a.pdf\r\nContent-Disposition: attachment; filename=a.pdf",
            ["a.pdf"],
            "a.pdf",
        ),
        ("Content-Type: application/pdf; name=b.pdf", ["b.pdf"], "b.pdf"),
        ('Content-Disposition: attachment;\r\n filename="a\r\n b.pdf"', ["a b.pdf"], "a b.pdf"),
        (
            "Content-Disposition: attachment; filename=a.pdf\r\nContent-Disposition: attachment; filename=c.exe",
            ["c.exe", "a.pdf"],
            "c.exe",
        ),
        ("CONTENT-DISPOSITION: attachment; filename=a.pdf", ["a.pdf"], "a.pdf"),
        ("Content-Description: x; filename=d.exe\r\nContent-Type: text/plain", [], ""),
        ("X-Attach: y; filename=x.exe; name=y.exe\r\nContent-Type: text/plain", [], ""),
        ('Content-Disposition: attachment; filename="a\tb.pdf"', ["a\tb.pdf"], "a b.pdf"),
        ("Content-Disposition: attachment; filename=../etc/passwd", ["../etc/passwd"], ".._etc_passwd"),
        ("Content-Disposition: attachment; filename=a\\b.pdf", ["a\\b.pdf"], "a_b.pdf"),
        ('Content-Disposition: attachment; filename=" a.pdf "', [" a.pdf "], "a.pdf"),
        (
            "Content-Disposition: attachment; filename*=utf-8''caf%C3%A9.pdf; filename=cafe.pdf",
            ["café.pdf", "cafe.pdf"],
            "café.pdf",
        ),
    ],
    ids=[
        "disposition-first",
        "same-once",
        "type-only",
        "folded",
        "two-dispositions",
        "header-name-case",
        "other-headers-ignored",
        "later-headers-ignored",
        "control-character",
        "slashes",
        "backslash",
        "blanks",
        "rfc2231-shown",
    ],
)
def test_all_readings_and_filename_table(headers: str, readings: list[str], shown: str) -> None:
    """Every name from filename and name, each once, and the one a client shows, made safe to display."""
    part = _part(headers)
    assert all_readings(part) == readings
    assert filename(part) == shown


@pytest.mark.parametrize(("length", "kept"), [(199, 199), (200, 200), (201, 200), (300, 200)])
def test_filename_is_cut_at_200_characters(length: int, kept: int) -> None:
    """A shown file name is at most 200 characters."""
    part = _part(f"Content-Disposition: attachment; filename={'a' * length}")
    assert filename(part) == "a" * kept
