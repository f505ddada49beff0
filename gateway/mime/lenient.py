"""Base64 and charsets read the way mail clients read them, with every plausible reading kept.

Mail clients are tolerant, so a filter must be at least as tolerant or it
reads something other than what the recipient sees; where clients could
show two different texts, both are returned and the caller reads both.

Base64 (`base64_readings`): characters outside the standard alphabet
(line breaks, "!") are skipped, a missing pad is supplied, a lone
character left over at the end is dropped. "-" and "_" are skipped too, as
Python's and most mail decoders do, but some (Node's, used by web mail)
take them for "+" and "/" of the URL-safe alphabet: when that reads
otherwise, it is a second reading. A "=" before the end is read two ways
when the two differ: as the end of a separately padded chunk (the next
chunk decoded on its own) and as a stray character skipped (the bit
stream runs on through it, as Python's decoder and others do). A body that
is mostly not base64 is reported as damaged.

Charsets (`charset_readings`): a declared charset that mail clients know
(the WHATWG encodings, plus US-ASCII and ISO-8859-1) gives one reading. Any
other charset Python knows (EBCDIC code pages, UTF-7, UTF-16...) gives two:
the declared one and the ordinary UTF-8 / Windows-1252 reading, because
an ASCII body declared EBCDIC reads as garbage in one and as the text in
the other. An unknown charset is read as UTF-8, else Windows-1252.
"""

from __future__ import annotations

import binascii
import codecs
import re

_NOT_BASE64 = re.compile(rb"[^A-Za-z0-9+/=]+")
_URLSAFE = bytes.maketrans(b"-_", b"+/")
#: what clean base64 is made of, line breaks and padding included
_BASE64_BYTES = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/= \t\r\n"
#: a base64 body with more than this share of stray characters is not base64 at all
_MAX_STRAY_SHARE = 0.05

#: charset labels mail clients decode (the WHATWG Encoding Standard's encodings, and the IANA
#: names mail uses for them); resolved through Python's codec registry to compare canonical names
_MAIL_LABELS = [
    "utf-8",
    "us-ascii",
    "iso-8859-1",
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
    "windows-874",
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
    "ks_c_5601-1987",
]  # not UTF-16: text/* in mail must be ASCII-compatible (RFC 2781), and ASCII read as UTF-16 is CJK


def _canonical(label: str) -> str:
    try:
        return codecs.lookup(label).name
    except (LookupError, ValueError):  # ValueError: a NUL or a lone surrogate in the label
        return ""


_MAIL_CODECS = frozenset(filter(None, map(_canonical, _MAIL_LABELS)))


def base64_readings(raw: bytes) -> tuple[list[bytes], str]:
    """Base64 decoded as mail clients do: (readings, problem); one reading unless "=", "-" or "_" split them."""
    if not raw.translate(None, _BASE64_BYTES) and b"=" not in raw.rstrip(b" \t\r\n="):
        try:  # the common case, clean base64: one pass in C
            return [binascii.a2b_base64(raw)], ""
        except binascii.Error:
            pass  # a bad length: the lenient path below
    compact = raw.translate(None, b" \t\r\n")
    clean = _NOT_BASE64.sub(b"", compact)
    strays = len(compact) - len(clean)
    alphabets = [clean]
    if b"-" in compact or b"_" in compact:
        alphabets.append(_NOT_BASE64.sub(b"", compact.translate(_URLSAFE)))
    readings: list[bytes] = []
    for text in alphabets:
        readings.append(b"".join(_quads(chunk) for chunk in re.split(rb"=+", text)))
        if b"=" in text.rstrip(b"="):  # a "=" inside the data: the chunk reading and the skipping one
            readings.append(_quads(text.replace(b"=", b"")))
    readings = list(dict.fromkeys(readings))
    if strays > max(8, _MAX_STRAY_SHARE * len(compact)):
        return readings, "base64 body is mostly not base64"
    return readings, ""


def base64_lenient(raw: bytes) -> tuple[bytes, str]:
    """The first reading of `base64_readings` and its problem ("" when it read cleanly enough)."""
    readings, problem = base64_readings(raw)
    return readings[0], problem


def _quads(chunk: bytes) -> bytes:
    """Characters of the base64 alphabet only, padded: a lone character left over cannot carry a byte."""
    if len(chunk) % 4 == 1:
        chunk = chunk[:-1]
    return binascii.a2b_base64(chunk + b"=" * (-len(chunk) % 4)) if chunk else b""


def charset_label(charset: str) -> str:
    """A charset parameter as a codec label: no quotes, no surrounding blanks, lower case."""
    return charset.strip().strip('"').strip("'").lower()


def decode_charset(data: bytes, charset: str) -> str:
    """Bytes as text: the declared charset, else UTF-8, else Windows-1252 with replacement."""
    for cs in (charset_label(charset), "utf-8"):
        if not cs:
            continue
        try:
            return data.decode(cs)
        except (LookupError, UnicodeDecodeError, ValueError):
            continue
    return data.decode("cp1252", "replace")


def is_mail_charset(charset: str) -> bool:
    """Whether mail clients know the charset (an unknown or empty one is read as UTF-8 / Windows-1252)."""
    name = _canonical(charset_label(charset)) if charset_label(charset) else ""
    return not name or name in _MAIL_CODECS


def charset_readings(data: bytes, charset: str) -> list[str]:
    """The text read in the declared charset and, if that is no mail charset and reads otherwise, the usual way."""
    first = decode_charset(data, charset)
    if is_mail_charset(charset):
        return [first]
    usual = decode_charset(data, "")
    return [first] if usual == first else [first, usual]
