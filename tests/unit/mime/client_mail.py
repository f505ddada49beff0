"""Ordinary mail as Outlook, Gmail, Apple Mail and Thunderbird write it, composed here byte for byte.

Each builder writes the headers the way that client does for a non-ASCII
attachment name (a curly apostrophe, an accented student's name): Outlook
and Gmail send RFC 2047 encoded-words in both `name` and `filename`
(Outlook splits long names over several words), Apple Mail sends
`filename*` (RFC 2231, often NFD) beside an encoded-word `name`,
Thunderbird sends RFC 2231 continuations. Inline images, alternative
text/HTML bodies and quoted-printable text are included; no winmail.dat.
None of this mail should be held by the MIME checks.
"""

from __future__ import annotations

import base64
import quopri
import unicodedata
from collections.abc import Callable
from urllib.parse import quote

from tests.unit.extract import fixture_files as ff

HEAD = (
    "From: =?utf-8?Q?Zo=C3=AB_Ashcombe?= <zoe.ashcombe@uni.ac.uk>\r\n"
    "To: Kit Marlowe <kit.marlowe99@gmail.com>\r\n"
    "Subject: =?utf-8?Q?Week_3_reflection_=E2=80=93_draft?=\r\n"
    "Date: Mon, 07 Dec 2026 09:00:00 +0000\r\n"
    "Message-ID: <{tag}@uni.ac.uk>\r\nMIME-Version: 1.0\r\n"
)
TEXT = "Hi Kit,\r\n\r\nHere is my reflection on this week’s communication skills session.\r\n\r\nZoë\r\n"
HTML = (
    "<html><body><p>Hi Kit,</p><p>Here is my reflection on this week’s session.</p><p>Zoë</p></body></html>"
)
NAMES = ("Zoë’s reflection – week 3.docx", "Timetable Year 2 (Clinical Skills) – Semester 1 – updated.pdf")
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def _b64(data: bytes) -> str:
    return base64.encodebytes(data).decode().replace("\n", "\r\n")


def _qp(text: str) -> str:
    return quopri.encodestring(text.encode()).decode().replace("\n", "\r\n")


def _word_b(text: str, *, split: int = 0) -> str:
    data = text.encode()
    chunks = [data[i : i + split] for i in range(0, len(data), split)] if split else [data]
    return " ".join(f"=?utf-8?B?{base64.b64encode(c).decode()}?=" for c in chunks)


def _word_q(text: str) -> str:
    out = "".join(
        c
        if c.isascii() and (c.isalnum() or c in "-")
        else ("_" if c == " " else "".join(f"={b:02X}" for b in c.encode()))
        for c in text
    )
    return f"=?UTF-8?Q?{out}?="


def _alternative(boundary: str) -> str:
    return (
        f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n\r\n'
        f'--{boundary}\r\nContent-Type: text/plain; charset="utf-8"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n'
        f"{_qp(TEXT)}\r\n"
        f'--{boundary}\r\nContent-Type: text/html; charset="utf-8"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n'
        f"{_qp(HTML)}\r\n--{boundary}--\r\n"
    )


def _docx() -> bytes:
    return ff.docx(
        body="Reflection on the communication skills session: what went well, what I would change.",
        table=[["Session", "Room"], ["Breaking bad news", "Seminar room 2"]],
    )


def _pdf() -> bytes:
    return ff.pdf("Timetable for week 3: lectures, small groups and clinical skills.")


def outlook(tag: str = "outlook") -> bytes:
    """Outlook: related inline image, encoded-word name split over words in name and filename."""
    name = _word_b(NAMES[0], split=24)
    body = (
        HEAD.format(tag=tag)
        + 'Content-Type: multipart/mixed; boundary="_004_outlook_"\r\n\r\n'
        + '--_004_outlook_\r\nContent-Type: multipart/related; boundary="_003_outlook_"; type="multipart/alternative"\r\n\r\n'
        + "--_003_outlook_\r\n"
        + _alternative("_000_outlook_")
        + "\r\n--_003_outlook_\r\n"
        + 'Content-Type: image/png; name="image001.png"\r\nContent-Description: image001.png\r\n'
        + 'Content-Disposition: inline; filename="image001.png"; size=68;\r\n'
        + "Content-ID: <image001.png@01DB0000.00000000>\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + _b64(PNG)
        + "\r\n--_003_outlook_--\r\n\r\n--_004_outlook_\r\n"
        + f'Content-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document;\r\n\tname="{name}"\r\n'
        + f'Content-Description: {name}\r\nContent-Disposition: attachment;\r\n\tfilename="{name}"; size=9000;\r\n'
        + "Content-Transfer-Encoding: base64\r\n\r\n"
        + _b64(_docx())
        + "\r\n--_004_outlook_--\r\n"
    )
    return body.encode()


def gmail(tag: str = "gmail") -> bytes:
    """Gmail: encoded-words (B and Q) in name and filename, X-Attachment-Id, two attachments."""
    body = (
        HEAD.format(tag=tag)
        + 'Content-Type: multipart/mixed; boundary="000000000000a1b2c3"\r\n\r\n'
        + "--000000000000a1b2c3\r\n"
        + _alternative("000000000000a1b2c2")
        + "--000000000000a1b2c3\r\n"
        + f'Content-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document; \r\n\tname="{_word_b(NAMES[0])}"\r\n'
        + f'Content-Disposition: attachment; \r\n\tfilename="{_word_b(NAMES[0])}"\r\n'
        + "Content-Transfer-Encoding: base64\r\nContent-ID: <f_m1abc0>\r\nX-Attachment-Id: f_m1abc0\r\n\r\n"
        + _b64(_docx())
        + "--000000000000a1b2c3\r\n"
        + f'Content-Type: application/pdf; name="{_word_q(NAMES[1])}"\r\n'
        + f'Content-Disposition: attachment; filename="{_word_q(NAMES[1])}"\r\n'
        + "Content-Transfer-Encoding: base64\r\nContent-ID: <f_m1abc1>\r\nX-Attachment-Id: f_m1abc1\r\n\r\n"
        + _b64(_pdf())
        + "--000000000000a1b2c3--\r\n"
    )
    return body.encode()


def apple_mail(tag: str = "apple") -> bytes:
    """Apple Mail: filename* in NFD beside an encoded-word name, x-unix-mode, inline image."""
    nfd = unicodedata.normalize("NFD", NAMES[0])
    body = (
        HEAD.format(tag=tag)
        + 'Content-Type: multipart/mixed;\r\n\tboundary="Apple-Mail=_1A2B3C4D-0000"\r\n\r\n'
        + "--Apple-Mail=_1A2B3C4D-0000\r\nContent-Transfer-Encoding: quoted-printable\r\n"
        + "Content-Type: text/plain;\r\n\tcharset=utf-8\r\n\r\n"
        + _qp(TEXT)
        + "\r\n--Apple-Mail=_1A2B3C4D-0000\r\nContent-Disposition: attachment;\r\n"
        + f"\tfilename*=utf-8''{quote(nfd)}\r\n"
        + f'Content-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document;\r\n\tx-unix-mode=0644;\r\n\tname="{_word_q(nfd)}"\r\n'
        + "Content-Transfer-Encoding: base64\r\n\r\n"
        + _b64(_docx())
        + "\r\n--Apple-Mail=_1A2B3C4D-0000\r\nContent-Disposition: inline;\r\n\tfilename=Photo.png\r\n"
        + 'Content-Type: image/png;\r\n\tx-unix-mode=0644;\r\n\tname="Photo.png"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
        + _b64(PNG)
        + "\r\n--Apple-Mail=_1A2B3C4D-0000--\r\n"
    )
    return body.encode()


def thunderbird(tag: str = "thunderbird") -> bytes:
    """Thunderbird: RFC 2231 continuations in filename*, encoded-word name, format=flowed text."""
    escapes = [quote(c.encode(), safe="") for c in NAMES[1]]  # pieces break between escapes, never inside
    parts = ["".join(escapes[i : i + 20]) for i in range(0, len(escapes), 20)]
    cont = ";\r\n".join(
        f" filename*{n}*={'utf-8' + chr(39) * 2 if n == 0 else ''}{p}" for n, p in enumerate(parts)
    )
    body = (
        HEAD.format(tag=tag)
        + 'Content-Type: multipart/mixed;\r\n boundary="------------tb0123456789"\r\n\r\n'
        + "This is a multi-part message in MIME format.\r\n--------------tb0123456789\r\n"
        + "Content-Type: text/plain; charset=UTF-8; format=flowed\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        + TEXT
        + "\r\n--------------tb0123456789\r\n"
        + f'Content-Type: application/pdf;\r\n name="{_word_b(NAMES[1], split=30)}"\r\n'
        + f"Content-Disposition: attachment;\r\n{cont}\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + _b64(_pdf())
        + "\r\n--------------tb0123456789--\r\n"
    )
    return body.encode("utf-8")


CLIENTS: dict[str, Callable[[], bytes]] = {
    "outlook": outlook,
    "gmail": gmail,
    "apple-mail": apple_mail,
    "thunderbird": thunderbird,
}
