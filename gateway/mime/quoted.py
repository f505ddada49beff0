"""Quoted text and flowed text: what the sender wrote apart from what they quoted."""

from __future__ import annotations

import re


def unflow(text: str, *, delsp: bool = False) -> str:
    """Undo format=flowed soft line breaks (RFC 3676), so a wrapped number reads whole again."""
    out: list[str] = []
    carry = ""
    carry_depth = -1
    for line in text.replace("\r\n", "\n").split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        body = line[depth:]
        if body.startswith(" "):
            body = body[1:]  # space-stuffing
        if carry and depth != carry_depth:
            out.append(">" * carry_depth + (" " if carry_depth else "") + carry)
            carry = ""
        if body.endswith(" ") and body.strip() != "--":
            carry += body[:-1] if delsp else body
            carry_depth = depth
            continue
        full = carry + body
        carry = ""
        out.append(">" * depth + (" " if depth else "") + full)
    if carry:
        out.append(">" * carry_depth + (" " if carry_depth else "") + carry)
    return "\n".join(out)


_SEPARATOR = re.compile(
    r"^\s*(?:-{2,}\s*(?:original message|forwarded message|message transféré|weitergeleitete nachricht)\s*-{2,}"
    r"|begin forwarded message:"
    r"|_{10,})\s*$",
    re.IGNORECASE,
)
_OUTLOOK_FROM = re.compile(r"^\s*\*?(?:from|von|de):\*?\s+\S", re.IGNORECASE)
_OUTLOOK_NEXT = re.compile(r"^\s*\*?(?:sent|date|to|cc|subject|gesendet|envoyé):\*?\s", re.IGNORECASE)
_ATTRIBUTION_END = re.compile(r"(?:wrote|writes|a écrit|schrieb)\s*:\s*$", re.IGNORECASE)
_ATTRIBUTION_START = re.compile(r"^\s*(?:on|le|am)\s.+", re.IGNORECASE)


def split_quoted(text: str) -> tuple[str, str]:
    """(what the sender wrote, what they quoted or forwarded).

    Quoted: "> " lines; an "On ... wrote:" attribution and, when the text
    after it is not marked with ">" (top-posting), everything after it;
    everything after an "Original Message" / "Forwarded message" separator,
    an Outlook "From: / Sent: / To:" header block or a line of underscores.
    Replies written between ">" blocks stay the sender's own.
    """
    lines = text.replace("\r\n", "\n").split("\n")
    own: list[str] = []
    quoted: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.lstrip().startswith(">"):
            quoted.append(line)
            i += 1
            continue
        if _SEPARATOR.match(line) or _outlook_block(lines, i):
            quoted.extend(lines[i:])
            break
        span = _attribution(lines, i)
        if span:
            quoted.extend(lines[i : i + span])
            i += span
            following = next((x for x in lines[i:] if x.strip()), "")
            if not following.lstrip().startswith(">"):
                quoted.extend(lines[i:])  # top-posted reply: the rest is the earlier message
                break
            continue
        own.append(line)
        i += 1
    return "\n".join(own).strip(), "\n".join(quoted).strip()


def _outlook_block(lines: list[str], i: int) -> bool:
    if not _OUTLOOK_FROM.match(lines[i]):
        return False
    following = [x for x in lines[i + 1 : i + 4] if x.strip()]
    return bool(following) and _OUTLOOK_NEXT.match(following[0]) is not None


def _attribution(lines: list[str], i: int) -> int:
    """How many lines an "On <date>, <name> wrote:" attribution starting at line i spans (0: none)."""
    if not _ATTRIBUTION_START.match(lines[i]):
        return 0
    for span in (1, 2, 3):
        if i + span > len(lines):
            break
        joined = " ".join(lines[i : i + span])
        if _ATTRIBUTION_END.search(joined) and re.search(r"\d|@|<", joined):
            return span
    return 0
