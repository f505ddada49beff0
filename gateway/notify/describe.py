"""Findings in plain words: what was found, where, and the school's advice for it.

A `Finding.where` is a location such as "body", "header:Subject",
"attachment:Ward list.xlsx/Sheet1" or "attachment:notes.zip/case.docx";
`place()` turns it into "in the attachment Ward list.xlsx, sheet Sheet1".
`describe()` groups findings by kind (one item per category and type,
with every place it was seen), attaches the `Advice`, and keeps the
masked excerpts only where the advice allows them.

Excerpts come from `Finding.evidence`, which detectors mask already; as a
second line of defence any run of six or more digits left in an excerpt is
masked here too, so a notification never shows a number the detector missed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from gateway.model import Finding
from gateway.notify.guidance import Advice, Guidance

_SPREADSHEETS = (".xlsx", ".xlsm", ".xltx", ".xls", ".ods", ".csv")
_PRESENTATIONS = (".pptx", ".pptm", ".ppt", ".odp")
_ARCHIVES = (".zip", ".7z", ".rar", ".tar", ".gz", ".tgz", ".bz2", ".xz")
_PARTS = {
    "comments": "the comments",
    "properties": "the document properties",
    "metadata": "the file's details",
    "ocr": "the text in the image",
    "headers": "the page headers and footers",
    "form": "the form fields",
    "body": "the message text",
    "html": "the message text",
    "preamble": "the message text",
    "message": "the message",
}
_HEADERS = {
    "subject": "the subject line",
    "from": "a display name",
    "to": "a display name",
    "cc": "a display name",
}
_LONG_DIGITS = re.compile(r"\d(?:[ \-./]?\d){5,}")
_MAX_EXCERPT = 160
_MAX_PLACES = 8


@dataclass
class Item:
    """One kind of finding in a message, with where it was and what to do."""

    advice: Advice
    places: list[str] = field(default_factory=list)
    excerpts: list[str] = field(default_factory=list)
    count: int = 0
    quoted_only: bool = True
    more_places: int = 0
    same_todo: bool = False  # its "what to do" is the one of the item before it

    @property
    def category(self) -> str:
        return self.advice.category

    @property
    def type(self) -> str:
        return self.advice.type


@dataclass
class Group:
    """Items that share a "why it matters" text (usually one category), shown under one heading."""

    title: str
    why: str
    source: str
    items: list[Item] = field(default_factory=list)


def group(items: Iterable[Item]) -> list[Group]:
    """Consecutive items with the same title and why, together; an item's advice is shown once
    (`Item.same_todo` marks an item whose "what to do" repeats the one before it)."""
    groups: list[Group] = []
    for it in items:
        a = it.advice
        if not groups or (groups[-1].title, groups[-1].why) != (a.title, a.why):
            groups.append(Group(a.title, a.why, a.source))
        g = groups[-1]
        it.same_todo = bool(g.items) and g.items[-1].advice.todo == a.todo
        g.items.append(it)
    return groups


def describe(findings: Iterable[Finding], guidance: Guidance) -> list[Item]:
    """One `Item` per (category, type), most serious categories first, in order of appearance."""
    items: dict[tuple[str, str], Item] = {}
    for f in findings:
        key = (f.category, f.type)
        item = items.get(key)
        if item is None:
            item = items[key] = Item(guidance.advice(f.category, f.type))
        n = f.details.get("count", 1)
        item.count += n if isinstance(n, int) and n > 0 else 1
        item.quoted_only = item.quoted_only and f.quoted
        where = place(f.where) + (" (in text quoted from an earlier message)" if f.quoted else "")
        if where not in item.places:
            if len(item.places) < _MAX_PLACES:
                item.places.append(where)
            else:
                item.more_places += 1
        if item.advice.excerpt and f.evidence:
            excerpt = safe_excerpt(f.evidence)
            if excerpt and excerpt not in item.excerpts and len(item.excerpts) < 3:
                item.excerpts.append(excerpt)
    order = {c: i for i, c in enumerate(_CATEGORY_ORDER)}
    return sorted(items.values(), key=lambda it: order.get(it.category, len(order)))


_CATEGORY_ORDER = (
    "patient_identifier",
    "patient_image",
    "abusive_language",
    "university_document",
    "uninspectable",
    "etiquette",
)


def safe_excerpt(evidence: str) -> str:
    """A detector's masked evidence, on one line, short, with any long digit run masked again."""
    text = " ".join(evidence.split())
    text = _LONG_DIGITS.sub("[NUMBER]", text)
    if len(text) > _MAX_EXCERPT:
        text = text[: _MAX_EXCERPT - 1].rstrip() + "…"
    return text


def place(where: str) -> str:
    """A location in plain words: "in the attachment Ward list.xlsx, sheet Sheet1"."""
    where = where.strip()
    if not where:
        return "in the message"
    forwarded = ""
    if where.startswith("forwarded/"):
        forwarded, where = " of a forwarded message", where[len("forwarded/") :]
    if not where.startswith("attachment:"):
        return "in " + _simple(where) + forwarded
    # attachment:NAME[/inner...]: inner parts are files of an archive, sheets, slides...
    rest = where[len("attachment:") :]
    files: list[str] = []
    detail = ""
    while rest:
        name, sep, tail = _split_file(rest)
        files.append(name)
        if not sep:
            break
        if tail.startswith("attachment:"):
            rest = tail[len("attachment:") :]
            continue
        if name.lower().endswith(_ARCHIVES):  # what follows is a member's path
            rest = tail
            continue
        detail = _inner(name, tail)
        break
    outer = f"the attachment {files[0]}"
    inner = "".join(f", in {f}" for f in files[1:])
    return "in " + outer + forwarded + inner + (f", {detail}" if detail else "")


def _split_file(text: str) -> tuple[str, str, str]:
    """A file name at the start of `text`, up to the first "/" after something that looks like one."""
    parts = text.split("/")
    for i in range(len(parts)):
        name = "/".join(parts[: i + 1])
        if _is_file(parts[i]) or i == len(parts) - 1:
            tail = "/".join(parts[i + 1 :])
            return name, "/" if tail else "", tail
    return text, "", ""  # pragma: no cover - the loop always returns


def _is_file(piece: str) -> bool:
    return bool(re.search(r"\.[A-Za-z0-9]{1,5}$", piece))


def _inner(name: str, tail: str) -> str:
    low = name.lower()
    if tail.startswith("header:") or tail in ("body", "html"):
        return _simple(tail)
    if tail in _PARTS:
        return _PARTS[tail]
    if tail.startswith("slide "):
        return tail
    if low.endswith(_SPREADSHEETS):
        return f"sheet {tail}"
    if low.endswith(_PRESENTATIONS):
        return tail
    return f"part {tail}"


def _simple(where: str) -> str:
    if where.startswith("header:"):
        name = where[len("header:") :]
        return _HEADERS.get(name.lower(), f"the {name} header")
    return _PARTS.get(where, "the message")
