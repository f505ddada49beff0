"""The admin's identifier search: which held messages mention this NHS number or this name?

For an incident or a subject access request an administrator needs every
held message that mentions a person. Unlike the list's search box (which
sees only what the list shows unmasked, gateway/web/search.py), this
matches the full text the gateway scanned: headers, body, the extracted
text of attachments and their file names. Because it can reveal what the
masking hides, it is admin-only, it is a POST (the terms never sit in a URL,
a browser history or a proxy log), and it is written to the audit log
before the answer is sent: one row with the terms and the number of
results, and one row per message found, naming the message. The page lists
the messages (id, date, sender, rule, status, where the term stands), not
their content: opening one is an ordinary, audited view with its masking.

"No match" is only as good as the reading: the text is extracted as the
gateway scanned it (with OCR when [detect] ocr is on), and every message
the search could not read in full (a part that could not be parsed or
extracted, a limit reached) is listed apart, with what stopped it, so the
administrator knows which messages to open by hand.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from gateway.extract import extract_all
from gateway.mime import parse_message
from gateway.model.finding import UNINSPECTABLE
from gateway.store.held import ActionRefused, Filters, HeldMessage
from gateway.web.guard import WebContext, Who, endpoint
from gateway.web.search import mentions, term_pattern

MAX_TERMS = 10
_SCAN_ALL = 1_000_000


@dataclass(frozen=True)
class Hit:
    message: HeldMessage
    terms: tuple[int, ...]
    where: tuple[str, ...]


@dataclass(frozen=True)
class Unread:
    """A message the search could not read in full: a term may stand in what it missed."""

    message: HeldMessage
    why: tuple[str, ...]  # "PARSE_ERROR in attachment:scan.pdf", ...

    @property
    def types(self) -> str:
        """What stopped the reading, without where (a file name can name a patient): for the audit log."""
        return ", ".join(sorted({w.split(" ", 1)[0] for w in self.why}))


@dataclass(frozen=True)
class Result:
    hits: list[Hit]
    unread: list[Unread]


def _texts(raw: bytes, m: HeldMessage, limits: Any, ocr: bool) -> tuple[list[tuple[str, str]], list[str]]:
    """The (where, text) pairs of a message as the gateway scanned it, and what could not be read."""
    insp = parse_message(raw, m.envelope, limits)
    extract_all(insp, limits, ocr=ocr)  # the attachments' text, as the gateway scanned it
    texts = [(f"header:{name}", value) for name, value in insp.headers]
    texts += [(seg.where, seg.text) for seg in insp.segments]
    texts += [(p.where, p.filename) for p in insp.parts if p.filename]
    missed = [f"{f.type} in {f.where}" for f in insp.findings if f.category == UNINSPECTABLE]
    return texts, list(dict.fromkeys(missed))


def scan(ctx: WebContext, who: Who, terms: list[str]) -> Result:
    """Every message in the user's scope, still holding content, that mentions one of the terms,
    and every one that could not be read in full."""
    patterns = [p for p in (term_pattern(t) for t in terms) if p is not None]
    ocr = bool(getattr(getattr(ctx.settings, "detect", None), "ocr", False))
    result = Result([], [])
    for m in ctx.store.messages(Filters(scope=who.user.scope, limit=_SCAN_ALL)):
        if m.purged:
            continue
        try:
            raw = ctx.store.raw(m.id)
        except ActionRefused:
            continue  # erased meanwhile
        texts, missed = _texts(raw, m, ctx.limits, ocr)
        found = mentions(texts, patterns)
        if found:
            result.hits.append(Hit(m, tuple(i for i, _ in found), tuple(w for _, w in found)))
        if missed:
            result.unread.append(Unread(m, tuple(missed)))
    return result


def _terms(text: str) -> list[str]:
    out = []
    for line in text.splitlines():
        t = " ".join(line.split())
        if t and t not in out:
            out.append(t[:100])
    return out[:MAX_TERMS]


@endpoint("find")
async def find_page(request: Request, ctx: WebContext, who: Who) -> Response:
    await ctx.audit(who, request, "find", outcome="shown")
    return ctx.templates.page(
        request, "find.html", {"terms": "", "hits": None, "unread": [], "short": []}, who=who
    )


@endpoint("find")
async def find(request: Request, ctx: WebContext, who: Who) -> Response:
    form = await request.form()
    terms = _terms(str(form.get("terms", "")))
    reason = " ".join(str(form.get("reason", "")).split())[:200]
    short = [t for t in terms if term_pattern(t) is None]
    usable = [t for t in terms if term_pattern(t) is not None]
    result = await asyncio.to_thread(scan, ctx, who, usable) if usable else Result([], [])
    hits = result.hits
    # written before anything is shown: the terms, why, and what was found
    quoted = "; ".join(f"[{i + 1}] {t}" for i, t in enumerate(usable))
    await ctx.audit(
        who,
        request,
        "find",
        outcome="ok" if usable else "refused",
        detail=f"identifier search ({reason or 'no reason given'}): {quoted} -> {len(hits)} message(s)"
        + (f", {len(result.unread)} not read in full" if result.unread else ""),
    )
    for h in hits:
        await ctx.audit(
            who,
            request,
            "find",
            message_id=h.message.id,
            detail="found by identifier search: "
            + ", ".join(f"[{i + 1}] in {w}" for i, w in zip(h.terms, h.where, strict=True)),
        )
    for u in result.unread:
        await ctx.audit(
            who,
            request,
            "find",
            outcome="incomplete",
            message_id=u.message.id,
            detail=f"not read in full by identifier search: {u.types}",
        )
    return ctx.templates.page(
        request,
        "find.html",
        {
            "terms": "\n".join(terms),
            "reason": reason,
            "hits": hits,
            "unread": result.unread,
            "short": short,
            "usable": usable,
        },
        who=who,
    )
