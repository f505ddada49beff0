"""Lenient base64 and charsets, exactly: every mail charset, the stray-character limit, and each reading a client may show."""

from __future__ import annotations

import pytest

from gateway.mime.lenient import (
    base64_lenient,
    base64_readings,
    charset_label,
    charset_readings,
    decode_charset,
    is_mail_charset,
)

#: what mail clients decode (the WHATWG encodings and the IANA names mail uses), written out here on purpose
MAIL_CHARSETS = [
    "utf-8",
    "UTF8",
    "us-ascii",
    "ascii",
    "iso-8859-1",
    "latin1",
    "ibm866",
    "iso-8859-2",
    "iso-8859-3",
    "iso-8859-4",
    "iso-8859-5",
    "iso-8859-6",
    "iso-8859-7",
    "iso-8859-8",
    "iso-8859-9",
    "iso-8859-10",
    "iso-8859-11",
    "iso-8859-13",
    "iso-8859-14",
    "iso-8859-15",
    "iso-8859-16",
    "koi8-r",
    "koi8-u",
    "macintosh",
    "mac-cyrillic",
    "tis-620",
    "windows-1250",
    "windows-1251",
    "windows-1252",
    "windows-1253",
    "windows-1254",
    "windows-1255",
    "windows-1256",
    "windows-1257",
    "windows-1258",
    "gbk",
    "gb2312",
    "gb18030",
    "big5",
    "big5-hkscs",
    "euc-jp",
    "iso-2022-jp",
    "shift_jis",
    "windows-31j",
    "euc-kr",
]


@pytest.mark.parametrize("charset", MAIL_CHARSETS)
def test_every_mail_charset_is_one(charset: str) -> None:
    """Each charset mail clients decode is known as one, so a body in it is read once, in it."""
    assert is_mail_charset(charset) is True
    assert charset_readings("Ward".encode(charset), charset) == ["Ward"]


@pytest.mark.parametrize(
    ("charset", "mail"),
    [
        ("cp500", False),
        ("ebcdic-cp-us", False),
        ("utf-7", False),
        ("utf-16", False),
        ("cp437", False),
        ("", True),
        ("no-such-charset", True),
        ("bad\x00label", True),
        (' "UTF-8" ', True),
    ],
)
def test_other_charsets(charset: str, mail: bool) -> None:
    """Charsets Python knows but mail clients do not are flagged; empty or unknown ones are read the usual way."""
    assert is_mail_charset(charset) is mail


@pytest.mark.parametrize(
    ("data", "charset", "readings"),
    [
        ("Ward".encode("cp500"), "cp500", ["Ward", "\u00e6\ufffd\u2122\u201e"]),
        (b"Ward", "cp500", ["\u00ef/\u00ca\u00c0", "Ward"]),
        (b"", "cp500", [""]),
        (b"Ward", "utf-7", ["Ward"]),
        ("caf\u00e9".encode(), "utf-8", ["caf\u00e9"]),
    ],
)
def test_charset_readings_table(data: bytes, charset: str, readings: list[str]) -> None:
    """A charset clients do not use gives the declared reading and the usual one, once when they agree."""
    assert charset_readings(data, charset) == readings


@pytest.mark.parametrize(
    ("data", "charset", "text"),
    [
        (b"caf\xe9", "latin-1", "caf\u00e9"),
        ("caf\u00e9".encode(), "", "caf\u00e9"),
        ("caf\u00e9".encode(), "no-such-charset", "caf\u00e9"),
        ("caf\u00e9".encode(), "bad\x00label", "caf\u00e9"),
        (b"caf\xe9", "us-ascii", "caf\u00e9"),
        (b"caf\xe9 \x81", "utf-8", "caf\u00e9 \ufffd"),
    ],
)
def test_decode_charset_table(data: bytes, charset: str, text: str) -> None:
    """The declared charset, else UTF-8, else Windows-1252 with a replacement character for what it lacks."""
    assert decode_charset(data, charset) == text


def test_charset_label() -> None:
    """Quotes, blanks and case around a charset parameter are dropped."""
    assert [charset_label(c) for c in (' "UTF-8" ', "'Latin1'", "\tKOI8-R ")] == ["utf-8", "latin1", "koi8-r"]


@pytest.mark.parametrize(
    ("raw", "readings", "problem"),
    [
        (b"V2FyZA==", [b"Ward"], ""),
        (b"V2Fy\r\nZA==\r\n", [b"Ward"], ""),
        (b"V2FyZA=", [b"Ward"], ""),
        (b"V2FyZA", [b"Ward"], ""),
        (b"V2FyZ", [b"War"], ""),
        (b"", [b""], ""),
        (b"V2Fy!!!!!!!!ZA==", [b"Ward"], ""),
        (b"V2Fy!!!!!!!!!ZA==", [b"Ward"], "base64 body is mostly not base64"),
        (b"V2FyZA==V2FyZA==", [b"WardWard", b"Ward\x05v\x17&@"], ""),
        (b"V2FyZA==V2FyZA==\r\n==", [b"WardWard", b"Ward\x05v\x17&@"], ""),
        (b"V2Fy_ZA", [b"Ward", b"War\xfd\x90"], ""),
        (b"V2F5-ZA", [b"Wayd", b"Way\xf9\x90"], ""),
        (
            b"V2Fy-ZA==V2FyZA==",
            [b"WardWard", b"Ward\x05v\x17&@", b"War\xf9\x90Ward", b"War\xf9\x90\x15\xd8\\\x99"],
            "",
        ),
    ],
)
def test_base64_readings_table(raw: bytes, readings: list[bytes], problem: str) -> None:
    """Line breaks and a few strays are skipped, a missing pad supplied, a lone last character dropped; "=" inside and "-"/"_" give more readings."""
    assert base64_readings(raw) == (readings, problem)
    assert base64_lenient(raw) == (readings[0], problem)


def test_stray_share_on_a_long_body() -> None:
    """Past eight strays, more than one character in twenty that is not base64 makes the body "mostly not base64"."""
    body = b"QUFB" * 50  # 200 characters
    assert base64_readings(body[:100] + b"!" * 10 + body[100:])[1] == ""
    assert base64_readings(body[:100] + b"!" * 11 + body[100:])[1] == "base64 body is mostly not base64"
