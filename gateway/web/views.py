"""The reviewer's pages: the list of held messages, one message, reveal, downloads, decisions, statistics.

Each endpoint is wrapped by `guard.endpoint` (session, CSRF, role) and
writes its audit row before it answers. GET never changes anything; every
decision is a POST with the session's CSRF token and ends in a redirect.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any
from urllib.parse import quote, urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from gateway.act.review import ActionResult
from gateway.model import CATEGORIES
from gateway.store.held import STATUSES, ActionRefused, Filters
from gateway.web.guard import WebContext, Who, client_ip, endpoint, load_message
from gateway.web.proposals import MARKABLE, reasons
from gateway.web.render import ALL, attachment_bytes, render_message, shown_place
from gateway.web.search import masked_subject, search
from gateway.web.security import DOWNLOAD_CSP

PAGE_SIZE = 50
_HISTORY_ACTIONS = ("hold", "release", "reject", "delete", "purge")


async def _take_flash(ctx: WebContext, who: Who) -> str:
    flash = who.session.flash
    if flash:
        await asyncio.to_thread(ctx.users.set_flash, who.token, "")
    return flash


async def _set_flash(ctx: WebContext, who: Who, text: str) -> None:
    await asyncio.to_thread(ctx.users.set_flash, who.token, text)


class BadFilter(ValueError):
    """A filter value the list cannot use (a date that does not exist)."""


def _filters(request: Request, who: Who) -> tuple[Filters, dict[str, str], int]:
    q = request.query_params
    for key in ("since", "until"):
        if q.get(key, "") and not _is_day(q.get(key, "")):
            raise BadFilter(f"{'From' if key == 'since' else 'To'} is not a date (YYYY-MM-DD)")
    status = q.get("status", "held")
    if status not in (*STATUSES, "all"):
        status = "held"
    values = {
        "status": status,
        "category": q.get("category", "") if q.get("category", "") in CATEGORIES else "",
        "rule": q.get("rule", "")[:100],
        "sender": q.get("sender", "")[:200],
        "since": q.get("since", ""),
        "until": q.get("until", ""),
        "q": q.get("q", "")[:200],
    }
    try:
        page = max(1, min(int(q.get("page", "1")), 10_000))
    except ValueError:
        page = 1
    f = Filters(
        status="" if status == "all" else status,
        category=values["category"],
        rule=values["rule"],
        sender=values["sender"],
        since=values["since"],
        until=values["until"],
        search=values["q"],
        scope=who.user.scope,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    return f, values, page


def _is_day(text: str) -> bool:
    """A real calendar day written YYYY-MM-DD (2024-13-45 is not)."""
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


@endpoint("list")
async def message_list(request: Request, ctx: WebContext, who: Who) -> Response:
    try:
        f, values, page = _filters(request, who)
    except BadFilter as exc:
        await ctx.audit(who, request, "list", outcome="bad_request", detail=str(exc))
        raise HTTPException(400, f"{exc}. Choose the dates again.") from None
    if values["q"]:
        # matches only what the list shows unmasked (see gateway/web/search.py)
        rows, total = await asyncio.to_thread(search, ctx.store, f, values["q"])
    else:
        found = await asyncio.to_thread(ctx.store.messages, f)
        rows = [(m, masked_subject(m)) for m in found]
        total = await asyncio.to_thread(ctx.store.count, f)
    # the rule filter offers the rules of the user's own scope only
    rules = [r.rule for r in await asyncio.to_thread(ctx.store.stats, who.user.scope)]
    used = " ".join(
        f"{k}={v}" for k, v in values.items() if v and k in ("status", "category", "rule", "since", "until")
    )
    searched = " search" if values["q"] else ""
    by_sender = " sender-filter" if values["sender"] else ""
    await ctx.audit(who, request, "list", detail=f"{used}{searched}{by_sender} page={page} shown={len(rows)}")
    flash = await _take_flash(ctx, who)
    query = {k: v for k, v in values.items() if v}
    return ctx.templates.page(
        request,
        "list.html",
        {
            "rows": rows,
            "total": total,
            "page": page,
            "pages": max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE),
            "values": values,
            "statuses": STATUSES,
            "categories": CATEGORIES,
            "rules": rules,
            "query": urlencode(query),
            "back": "/messages" + (f"?{urlencode({**query, 'page': page})}" if query or page > 1 else ""),
        },
        who=who,
        flash=flash,
    )


@endpoint("view")
async def message_view(request: Request, ctx: WebContext, who: Who) -> Response:
    qid = request.path_params["qid"]
    msg = await load_message(ctx, who, request, qid, "view")
    revealed = set(who.session.revealed.get(qid, []))
    rendered = None
    if not msg.purged:
        raw = await asyncio.to_thread(ctx.store.raw, qid)
        rendered = await asyncio.to_thread(
            render_message, raw, msg.envelope, msg.findings, ctx.limits, revealed=revealed
        )
    history = await asyncio.to_thread(ctx.store.audit.records, message_id=qid)
    learned = ctx.extra.get("learned")
    marks = await asyncio.to_thread(learned.marks, qid) if learned is not None else {}
    shown = "all" if ALL in revealed else str(len(revealed))
    await ctx.audit(who, request, "view", message_id=qid, detail=f"revealed={shown}")
    flash = await _take_flash(ctx, who)
    return ctx.templates.page(
        request,
        "message.html",
        {
            "m": msg,
            "r": rendered,
            "place": rendered.place if rendered is not None else shown_place,
            "history": [h for h in history if h.action in _HISTORY_ACTIONS],
            "can_delete": who.can("delete"),
            "marks": marks,
            "can_mark": learned is not None and who.can("mark") and msg.status in MARKABLE,
            "reasons": reasons(),
        },
        who=who,
        flash=flash,
    )


@endpoint("reveal")
async def reveal(request: Request, ctx: WebContext, who: Who) -> Response:
    qid = request.path_params["qid"]
    msg = await load_message(ctx, who, request, qid, "reveal")
    if msg.purged:
        raise HTTPException(404, "This message was erased.")
    form = await request.form()
    which = str(form.get("span", "all"))
    raw = await asyncio.to_thread(ctx.store.raw, qid)
    rendered = await asyncio.to_thread(render_message, raw, msg.envelope, msg.findings, ctx.limits)
    spans = {n: (kind, rendered.place(where)) for n, kind, where in rendered.spans}
    if which == "all" and spans:
        kinds = ", ".join(sorted({kind for kind, _ in spans.values()}))
        chosen, detail, anchor = ALL, f"all {len(spans)} identifiers ({kinds})", ""
    elif which.isdigit() and int(which) in spans:
        chosen = int(which)
        kind, where = spans[chosen]
        detail, anchor = f"identifier {chosen} ({kind} in {where})", f"#s{chosen}"
    else:
        await ctx.audit(
            who, request, "reveal", message_id=qid, outcome="not_found", detail="no such identifier"
        )
        raise HTTPException(404, "No such identifier.")
    # audited before the value is ever sent: the next page shows it
    await ctx.audit(who, request, "reveal", message_id=qid, detail=detail)
    revealed = dict(who.session.revealed)
    current = set(revealed.pop(qid, []))
    current.add(chosen)
    revealed[qid] = sorted(current)
    await asyncio.to_thread(ctx.users.set_revealed, who.token, revealed)
    return RedirectResponse(f"/messages/{qid}{anchor}", status_code=303)


def _download(data: bytes, filename: str) -> Response:
    return Response(
        data,
        media_type="application/octet-stream",
        headers={
            "Content-Disposition": content_disposition(filename),
            "Content-Security-Policy": DOWNLOAD_CSP,
            "X-Content-Type-Options": "nosniff",
        },
    )


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII fallback name and the UTF-8 name (RFC 6266); no path, no quotes."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"\r\n;') or "attachment"
    ascii_name = "".join(ch if 32 <= ord(ch) < 127 else "_" for ch in name)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


@endpoint("download")
async def download_attachment(request: Request, ctx: WebContext, who: Who) -> Response:
    qid = request.path_params["qid"]
    msg = await load_message(ctx, who, request, qid, "download")
    if msg.purged:
        raise HTTPException(404, "This message was erased.")
    raw = await asyncio.to_thread(ctx.store.raw, qid)
    part = await asyncio.to_thread(
        attachment_bytes, raw, msg.envelope, ctx.limits, int(request.path_params["n"])
    )
    if part is None:
        await ctx.audit(who, request, "download", message_id=qid, outcome="not_found")
        raise HTTPException(404, "No such attachment.")
    await ctx.audit(
        who,
        request,
        "download",
        message_id=qid,
        detail=f"attachment {request.path_params['n']} ({part.content_type}, {len(part.data)} bytes)",
    )
    return _download(part.data, part.filename or f"attachment-{request.path_params['n']}")


@endpoint("download")
async def download_original(request: Request, ctx: WebContext, who: Who) -> Response:
    qid = request.path_params["qid"]
    msg = await load_message(ctx, who, request, qid, "download")
    if msg.purged:
        raise HTTPException(404, "This message was erased.")
    raw = await asyncio.to_thread(ctx.store.raw, qid)
    await ctx.audit(who, request, "download", message_id=qid, detail=f"original message ({len(raw)} bytes)")
    return _download(raw, f"message-{qid}.eml")


# -- decisions -----------------------------------------------------------------------------------


async def _decide(
    ctx: WebContext, who: Who, request: Request, action: str, qid: str, form: Any
) -> ActionResult:
    comment = str(form.get("comment", "")).strip()[:2000]
    actor, source = f"web:{who.user.name}", client_ip(request)
    if action == "release":
        return await ctx.actions.release(qid, actor=actor, source=source, comment=comment)
    if action == "reject":
        reason = str(form.get("reason", "")).strip()[:2000]
        return await ctx.actions.reject(qid, actor=actor, source=source, reason=reason, comment=comment)
    return await ctx.actions.delete(qid, actor=actor, source=source, comment=comment)


def _said(action: str, result: ActionResult) -> str:
    m = result.message
    if not result.ok:
        return f"The next hop refused the message ({result.error}); it is still held."
    if action == "release":
        return f"Released: delivered to {len(m.recipients)} recipient(s)."
    if action == "reject":
        return "Rejected: the sender will be told the reason."
    return "Deleted: the message content is erased."


def _decision_endpoint(action: str) -> Any:
    @endpoint(action)
    async def decide(request: Request, ctx: WebContext, who: Who) -> Response:
        qid = request.path_params["qid"]
        await load_message(ctx, who, request, qid, action)
        form = await request.form()
        try:
            result = await _decide(ctx, who, request, action, qid, form)
            text = _said(action, result)
        except ActionRefused as exc:
            await ctx.audit(who, request, action, message_id=qid, outcome="refused", detail=str(exc)[:200])
            text = f"Not done: {exc}."
        await _set_flash(ctx, who, text)
        return RedirectResponse(f"/messages/{qid}", status_code=303)

    decide.__name__ = action
    return decide


release = _decision_endpoint("release")
reject = _decision_endpoint("reject")
delete = _decision_endpoint("delete")


@endpoint("list", audit_as="bulk")
async def bulk(request: Request, ctx: WebContext, who: Who) -> Response:
    """One decision on several messages: each is checked, done and audited on its own."""
    form = await request.form()
    action = str(form.get("action", ""))
    back = str(form.get("back", "/messages"))
    if not back.startswith("/messages") or "//" in back:
        back = "/messages"
    ids = [str(x) for x in form.getlist("ids")][: PAGE_SIZE * 2]
    if action not in ("release", "reject", "delete"):
        raise HTTPException(400, "Choose release, reject or delete.")
    if not who.can(action):
        await ctx.audit(who, request, action, outcome="denied", detail=f"bulk of {len(ids)}")
        raise HTTPException(403, "Your role does not allow this.")
    if action == "reject" and not str(form.get("reason", "")).strip():
        await _set_flash(ctx, who, "Not done: a rejection needs a reason for the sender.")
        return RedirectResponse(back, status_code=303)
    done, failed = 0, []
    for qid in ids:
        try:
            await load_message(ctx, who, request, qid, action)
            result = await _decide(ctx, who, request, action, qid, form)
        except HTTPException:
            failed.append(f"{qid[:16]}: not found")
            continue
        except ActionRefused as exc:
            await ctx.audit(who, request, action, message_id=qid, outcome="refused", detail=str(exc)[:200])
            failed.append(f"{qid[:16]}: {exc}")
            continue
        if result.ok:
            done += 1
        else:
            failed.append(f"{qid[:16]}: {result.error}")
    text = f"{action.capitalize()}: {done} of {len(ids)} done."
    if failed:
        text += " Not done: " + "; ".join(failed[:5]) + ("…" if len(failed) > 5 else "")
    await _set_flash(ctx, who, text)
    return RedirectResponse(back, status_code=303)


@endpoint("stats")
async def stats(request: Request, ctx: WebContext, who: Who) -> Response:
    # a scoped reviewer counts only the messages of their scope
    rows = await asyncio.to_thread(ctx.store.stats, who.user.scope)
    learned = ctx.extra.get("learned")
    precision = await asyncio.to_thread(learned.precision, who.user.scope) if learned is not None else None
    await ctx.audit(who, request, "stats", detail="scoped" if who.user.scope else "")
    return ctx.templates.page(request, "stats.html", {"rows": rows, "precision": precision}, who=who)
