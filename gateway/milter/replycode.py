"""SMTP reply texts for the milter REPLYCODE response, made to pass the MTA's checks.

Postfix (milter8.c) drops the milter and applies its default action when a
REPLYCODE does not start `[45]dd[ -]` followed by an enhanced status code of
the same class; Sendmail checks every line the same way. Both treat `%` as a
format character (Postfix turns `%%` back into `%` and removes a lone `%`).
libmilter limits a reply to 32 lines of at most 980 characters, and RFC 5321
limits a reply line to 512 octets. `smtp_reply` turns any code and text into a
reply that satisfies all of these, so a policy's text can never make the MTA
fall back to its default action.
"""

from __future__ import annotations

import re

MAX_LINES = 32
MAX_TOTAL = 980  # characters on the wire, lines joined with CRLF
MAX_LINE = 510  # RFC 5321: 512 octets including CRLF

_STATUS = re.compile(r"^\s*([245])\.(\d{1,3})\.(\d{1,3})(?:\s+|$)")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def smtp_reply(code: int, text: str) -> str:
    """`ddd x.y.z text`, one line per line of `text` (joined with CRLF), `%` doubled.

    The enhanced status code is taken from the start of `text` (its class
    corrected to match `code`), or `<class>.0.0` when there is none.
    Characters outside printable ASCII become `?`; what does not fit the
    limits is cut at a character boundary, never inside a `%%`.
    """
    if not 400 <= code <= 599:
        raise ValueError(f"reply code {code} is not 4xx or 5xx")
    cls = str(code)[0]
    status = f"{cls}.0.0"
    m = _STATUS.match(text)
    if m:
        status = f"{cls}.{int(m.group(2))}.{int(m.group(3))}"
        text = text[m.end() :]
    lines = [_printable(line).strip() for line in _LINE_BREAK.split(text.strip())]
    if not any(lines):
        lines = ["Try again later" if cls == "4" else "Refused"]
    bodies: list[str] = []
    total = 0
    prefix = len(f"{code} {status}")
    for line in lines[:MAX_LINES]:
        sep = 2 if bodies else 0  # the CRLF before this line
        room = min(MAX_LINE, MAX_TOTAL - total - sep) - prefix - 1  # "- 1": the space before the text
        if room < 0:
            break
        body = ""
        for ch in line:
            piece = "%%" if ch == "%" else ch
            if len(body) + len(piece) > room:
                break
            body += piece
        body = body.rstrip()
        bodies.append(body)
        total += sep + prefix + (1 + len(body) if body else 0)
    out = []
    for i, body in enumerate(bodies):
        dash = "-" if i < len(bodies) - 1 else " "
        out.append(f"{code}{dash}{status}" + (f" {body}" if body else ""))
    return "\r\n".join(out)


def _printable(line: str) -> str:
    return "".join(ch if " " <= ch <= "~" else (" " if ch == "\t" else "?") for ch in line)
