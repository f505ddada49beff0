"""Reviews that teach: reviewers mark findings right or wrong; administrators accept what they propose.

- `POST /messages/{qid}/marks`: a reviewer's marks on the findings of a
  message they may see (held, released or rejected). A wrong mark carries
  one of the fixed reasons; "a member of staff", "a public or historical
  figure" and "not an identifier / ordinary code" also carry the value it
  is about, which must be the text of one of that finding's spans (the
  reviewer reads it from the page after revealing it, which is audited as
  every reveal is). Such a mark proposes an entry (gateway.store.learned).
- `GET /admin/learned`: the proposals, the accepted entries and the ones
  decided earlier; `POST /admin/learned/{entry}/{accept|decline|withdraw}`
  with an optional `reason` (the administrator's words, at most
  MAX_REASON characters), kept with the entry as `gateway learned
  ... --reason` keeps it and shown on the page. Accepted entries reach
  every node's workers without a restart (gateway.learned_feed).

Every mark, proposal and decision writes its audit row in the store's own
transaction, naming the entry id and kind, never the value; a decision's
row gives the length of its reason, not its words.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from gateway.model import Finding
from gateway.model.learned import ALLOWED_VALUE, KINDS, REASON_BY_KEY, REASONS, RIGHT, WRONG, normal
from gateway.store.held import ActionRefused
from gateway.store.learned import ACCEPTED, DECLINED, PROPOSED, TRANSITIONS, WITHDRAWN, LearnedStore, Mark
from gateway.store.learned_schema import MAX_REASON
from gateway.web.guard import WebContext, Who, client_ip, endpoint, load_message
from gateway.web.render import parse_for_review

#: statuses whose findings a reviewer may mark (the content is still there to judge)
MARKABLE = ("held", "released", "rejected")


def learned_store(ctx: WebContext) -> LearnedStore:
    store = ctx.extra.get("learned")
    if not isinstance(store, LearnedStore):
        raise HTTPException(503, "Marks and proposals are not available on this node.")
    return store


def marks_from(form: FormData, count: int) -> list[Mark]:
    """The marks in the form: `verdict_N` right or wrong, `reason_N` and `value_N` for a wrong one."""
    out = []
    for i in range(count):
        verdict = str(form.get(f"verdict_{i}", ""))
        if verdict not in (RIGHT, WRONG):
            continue  # not marked
        reason = str(form.get(f"reason_{i}", "")) if verdict == WRONG else ""
        value = str(form.get(f"value_{i}", "")).strip() if reason and REASON_BY_KEY.get(reason) else ""
        if reason in REASON_BY_KEY and not REASON_BY_KEY[reason].kind:
            value = ""
        out.append(Mark(i, verdict, reason, value[:500]))
    return out


def span_values(finding: Finding, texts: dict[str, str]) -> list[str]:
    """The texts of a finding's spans, in every place it has them."""
    places = {finding.where: finding.details.get("spans") or []}
    places.update(finding.details.get("spans_elsewhere") or {})
    out: list[str] = []
    for where, spans in places.items():
        text = texts.get(where)
        if text is not None:
            out.extend(text[int(a) : int(b)] for a, b in spans)
    return out


def check_values(marks: Sequence[Mark], findings: Sequence[Finding], texts: dict[str, str]) -> None:
    """Each value must be what the finding's span says (a name may leave its title out): a reviewer
    proposes what the detector found, never an entry of their own invention."""
    for m in marks:
        if not m.value:
            continue
        shown = [normal(v) for v in span_values(findings[m.finding], texts)]
        want = normal(m.value)
        exact = REASON_BY_KEY[m.reason].kind == ALLOWED_VALUE
        if not any(want == s or (not exact and f" {want} " in f" {s} ") for s in shown):
            raise ActionRefused(f"the value for finding {m.finding + 1} is not what that finding's span says")


@endpoint("mark")
async def mark(request: Request, ctx: WebContext, who: Who) -> Response:
    qid = request.path_params["qid"]
    msg = await load_message(ctx, who, request, qid, "mark")
    store = learned_store(ctx)
    form = await request.form()
    marks = marks_from(form, len(msg.findings))
    try:
        if msg.status not in MARKABLE:
            raise ActionRefused(f"a {msg.status} message's findings cannot be marked")
        if not marks:
            raise ActionRefused("no finding was marked")
        if any(m.value for m in marks):
            if msg.purged:
                raise ActionRefused("the message was erased: its spans cannot be checked")
            raw = await asyncio.to_thread(ctx.store.raw, qid)
            _, segments, _ = await asyncio.to_thread(parse_for_review, raw, msg.envelope, ctx.limits)
            texts: dict[str, str] = {}
            for seg in segments:
                texts.setdefault(seg.where, seg.text)
            check_values(marks, msg.findings, texts)
        created = await asyncio.to_thread(
            store.record_marks,
            message_id=qid,
            rule=msg.rule,
            sender_domain=msg.sender_domain,
            findings=msg.findings,
            marks=marks,
            actor=f"web:{who.user.name}",
            source=client_ip(request),
        )
    except ActionRefused as exc:
        await ctx.audit(who, request, "mark", message_id=qid, outcome="refused", detail=str(exc)[:200])
        text = f"Marks not saved: {exc}."
    else:
        text = f"{len(marks)} mark(s) saved" + (
            f"; {len(created)} entr{'y' if len(created) == 1 else 'ies'} proposed to the administrators."
            if created
            else "."
        )
    await asyncio.to_thread(ctx.users.set_flash, who.token, text)
    return RedirectResponse(f"/messages/{qid}#marks", status_code=303)


@endpoint("learn")
async def learned_page(request: Request, ctx: WebContext, who: Who) -> Response:
    store = learned_store(ctx)
    entries = await asyncio.to_thread(store.entries)
    by_status: dict[str, list[Any]] = {PROPOSED: [], ACCEPTED: [], DECLINED: [], WITHDRAWN: []}
    for e in entries:
        by_status.setdefault(e.status, []).append(e)
    # the page shows the values (patient-adjacent): the view is audited with the counts it showed
    await ctx.audit(
        who, request, "learn", detail=" ".join(f"{k}={len(v)}" for k, v in by_status.items() if v)
    )
    flash = who.session.flash
    if flash:
        await asyncio.to_thread(ctx.users.set_flash, who.token, "")
    decided = sorted(by_status[DECLINED] + by_status[WITHDRAWN], key=lambda e: e.decided_at, reverse=True)
    return ctx.templates.page(
        request,
        "learned.html",
        {
            "proposed": by_status[PROPOSED],
            "accepted": by_status[ACCEPTED],
            "decided": decided[:50],
            "kinds": KINDS,
            "max_reason": MAX_REASON,
        },
        who=who,
        flash=flash,
    )


@endpoint("learn", audit_as="learn-decide")
async def learned_decide(request: Request, ctx: WebContext, who: Who) -> Response:
    store = learned_store(ctx)
    entry_id = str(request.path_params["entry"])[:40]
    action = str(request.path_params["action"])
    if action not in TRANSITIONS:
        raise HTTPException(404, "No such action.")
    reason = decision_reason(await request.form())
    try:
        entry = await asyncio.to_thread(
            store.decide,
            entry_id,
            action,
            actor=f"web:{who.user.name}",
            source=client_ip(request),
            reason=reason,
        )
    except ActionRefused as exc:
        outcome = "not_found" if exc.not_found else "refused"
        await ctx.audit(who, request, TRANSITIONS[action][2], outcome=outcome, detail=f"entry={entry_id}")
        if exc.not_found:
            raise HTTPException(404, "No such entry.") from None
        text = f"Not done: {exc}."
    else:
        done = {
            "accept": "accepted: it applies on every node within seconds",
            "decline": "declined",
            "withdraw": "withdrawn: it stops applying within seconds",
        }[action]
        text = f"The {KINDS.get(entry.kind, entry.kind)} entry is {done}."
    await asyncio.to_thread(ctx.users.set_flash, who.token, text)
    return RedirectResponse("/admin/learned", status_code=303)


def decision_reason(form: FormData) -> str:
    """The administrator's reason for a decision, on one line and trimmed ("" when none was given).

    Not cut to MAX_REASON: a longer one is refused by the store, as on the
    command line, rather than kept shortened without saying so.
    """
    return " ".join(str(form.get("reason", "")).split())


def reasons() -> list[tuple[str, str, bool]]:
    """(key, label, needs a value) for the marks form."""
    return [(r.key, r.label, bool(r.kind)) for r in REASONS]
