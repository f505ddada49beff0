"""Header values as a mail client shows them: unfolded, encoded-words and RFC 2231 parameters decoded.

Encoded-words (RFC 2047, `=?charset?B?...?=`) are decoded here rather than
by `email.header`, which gives up on a whole header when one word names an
unknown charset or carries damaged base64: a word is decoded with its
charset, else as UTF-8, else as Windows-1252 with replacement, and its
base64 leniently, so no header is ever left encoded (and unread). A word
clients could read two ways (a "=" inside its base64, a charset mail
clients do not know) is read both ways, one after the other.
File names get every reading a client might show (`filename_readings`, an
RFC 2231 name in a charset clients do not know both ways);
the ambiguity checks compare those readings' extensions.
"""

from __future__ import annotations

import binascii
import re
import unicodedata
from email.message import Message
from typing import Any
from urllib.parse import unquote_to_bytes

from gateway.mime.lenient import base64_readings, charset_readings

_SURROGATES = re.compile("[\udc80-\udcff]")
_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?]*)\?=")
_WHITE = re.compile(r"[ \t\r\n]*")


def decode_words(value: str) -> str:
    """Every RFC 2047 encoded-word in `value` decoded; white space between adjacent words dropped."""
    if "=?" not in value:
        return value
    out: list[str] = []
    pending: list[bytes] = []
    pending_charset = ""
    pos = 0

    def flush() -> None:
        if pending:
            out.append(" ".join(charset_readings(b"".join(pending), pending_charset)))
            pending.clear()

    for m in _WORD.finditer(value):
        between = value[pos : m.start()]
        if not (pending and _WHITE.fullmatch(between)):
            flush()
            out.append(between)
        charset = m.group(1).split("*", 1)[0]
        if pending and charset.lower() != pending_charset.lower():
            flush()
        pending_charset = charset
        text = m.group(3)
        if m.group(2) in "bB":
            readings, _ = base64_readings(text.encode("ascii", "replace"))
            pending.append(readings[0])
            if len(readings) > 1:  # read both ways, each on its own
                flush()
                out.append(" ")
                pending.append(readings[1])
                flush()
        else:
            pending.append(binascii.a2b_qp(text.encode("utf-8", "replace"), header=True))
        pos = m.end()
    flush()
    out.append(value[pos:])
    return "".join(out)


def header_text(value: Any) -> str:
    """A raw header value decoded for reading (encoded-words), never raising."""
    return decode_words(str(value))


def header_values(msg: Message, name: str) -> list[str]:
    out: list[str] = []
    try:
        values = msg.get_all(name) or []
    except Exception:  # a header the policy cannot parse: fall back to its raw text
        values = [v for k, v in msg.raw_items() if k.lower() == name.lower()]
    for v in values:
        out.append(header_text(unfold(v)).strip())
    return out


def param(part: Message, name: str) -> str:
    value = part.get_param(name)
    return value.lower() if isinstance(value, str) else ""


def unfold(value: str) -> str:
    """A raw header value on one line, 8-bit bytes read as UTF-8 (RFC 6532 headers)."""
    text = str(value)
    if _SURROGATES.search(text):
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return re.sub(r"\r?\n[ \t]+", " ", text)


_PARAM = re.compile(
    r';\s*([!#$%&\'*+\-.^_`|~0-9A-Za-z]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)',
)


def params(header: str) -> list[tuple[str, str]]:
    return [(m.group(1).lower(), m.group(2).strip()) for m in _PARAM.finditer(";" + header.split(";", 1)[-1])]


def count_param(header: str, name: str) -> int:
    """How many logical values of a parameter (RFC 2231 continuations count once)."""
    count = 0
    for key, _ in params(header):
        base, _, rest = key.partition("*")
        index = rest.rstrip("*")
        if base == name and (not index.isdigit() or index == "0"):
            count += 1
    return count


def filename_readings(header: str, name: str) -> list[str]:
    """Every file name a client may read from one parameter, the one policy.default shows first.

    That is the RFC 2231 value (filename*, or its continuations), else the
    plain value with its encoded-words decoded (as Outlook, Gmail and Apple
    Mail send non-ASCII names).
    """
    names: list[str] = []
    extended: list[str] = []
    pieces: dict[int, list[str]] = {}
    charset = ""
    for key, value in params(header):
        base, star, rest = key.partition("*")
        if base != name:
            continue
        value = value[1:-1].replace('\\"', '"') if value.startswith('"') and value.endswith('"') else value
        if not star:
            names.append(decode_words(value))
        elif rest == "":  # filename*=charset'lang'value
            extended.extend(_rfc2231(value))
        else:
            index = rest.rstrip("*")
            if index.isdigit():
                if index == "0" and rest.endswith("*") and value.count("'") >= 2:
                    charset = value.split("'", 1)[0]
                    value = value.split("'", 2)[2]
                pieces[int(index)] = _unquote(value, charset) if rest.endswith("*") else [value]
    if pieces:
        ordered = [pieces[i] for i in sorted(pieces)]
        extended.extend(dict.fromkeys(["".join(p[0] for p in ordered), "".join(p[-1] for p in ordered)]))
    return [n for n in [*extended, *reversed(names)] if n]


def _rfc2231(value: str) -> list[str]:
    if value.count("'") >= 2:
        charset, _lang, rest = value.split("'", 2)
        return _unquote(rest, charset)
    return _unquote(value, "")


def _unquote(value: str, charset: str) -> list[str]:
    """%XX escapes decoded in `charset`, else UTF-8, else Windows-1252 (never raising); both ways if unusual."""
    return charset_readings(unquote_to_bytes(value), charset)


def fold(name: str) -> str:
    """A file name compared loosely: an ASCII fallback of an accented name is the same name."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def extension(name: str) -> str:
    """The extension a client (and Windows) takes from a file name: trailing dots and spaces ignored."""
    base = fold(name).rstrip(". ")
    stem, dot, ext = base.rpartition(".")
    return ext if dot and stem and " " not in ext else ""


def all_readings(part: Message) -> list[str]:
    """Every name the part's filename and name parameters give, each once, the displayed one first."""
    out: list[str] = []
    for header, name in (("content-disposition", "filename"), ("content-type", "name")):
        raw = ";".join(unfold(v) for k, v in part.raw_items() if k.lower() == header)
        out.extend(n for n in filename_readings(raw, name) if n not in out)
    return out


def filename(part: Message) -> str:
    """The file name a mail client shows: filename* (RFC 2231), else filename decoded, else name."""
    names = all_readings(part)
    text = "".join(ch if ch.isprintable() else " " for ch in (names[0] if names else ""))
    return text.replace("/", "_").replace("\\", "_").strip()[:200]
