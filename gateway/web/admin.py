"""Administrators' pages: accounts, the audit log (with its verification) and the retention purge."""

from __future__ import annotations

import asyncio

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from gateway.store.users import ROLES, UserError
from gateway.web.guard import WebContext, Who, client_ip, endpoint

AUDIT_PAGE = 200


@endpoint("users")
async def users_page(request: Request, ctx: WebContext, who: Who) -> Response:
    accounts = await asyncio.to_thread(ctx.users.accounts)
    await ctx.audit(who, request, "users")
    flash = who.session.flash
    if flash:
        await asyncio.to_thread(ctx.users.set_flash, who.token, "")
    return ctx.templates.page(
        request, "users.html", {"accounts": accounts, "roles": ROLES}, who=who, flash=flash
    )


@endpoint("users", audit_as="user-add")
async def users_add(request: Request, ctx: WebContext, who: Who) -> Response:
    form = await request.form()
    name = str(form.get("name", "")).strip()
    role = str(form.get("role", ""))
    scope = [s for s in str(form.get("scope", "")).replace(",", " ").split() if s]
    password = str(form.get("password", ""))
    try:
        await asyncio.to_thread(ctx.users.add, name, password, role, scope)
    except UserError as exc:
        await ctx.audit(who, request, "user-add", outcome="refused", detail=str(exc)[:200])
        text = f"Not added: {exc}."
    else:
        await ctx.audit(who, request, "user-add", detail=f"user={name} role={role}")
        text = f"Added {name} ({role})."
    await asyncio.to_thread(ctx.users.set_flash, who.token, text)
    return RedirectResponse("/admin/users", status_code=303)


def _toggle(disable: bool) -> object:
    action = "user-disable" if disable else "user-enable"

    @endpoint("users", audit_as=action)
    async def toggle(request: Request, ctx: WebContext, who: Who) -> Response:
        name = request.path_params["name"]
        if disable and name == who.user.name:
            await ctx.audit(who, request, action, outcome="refused", detail="own account")
            raise HTTPException(400, "You cannot disable your own account.")
        try:
            await asyncio.to_thread(ctx.users.set_disabled, name, disable)
        except UserError as exc:
            await ctx.audit(who, request, action, outcome="not_found", detail=str(exc)[:200])
            raise HTTPException(404, "No such user.") from None
        await ctx.audit(who, request, action, detail=f"user={name}")
        text = f"{name} is {'disabled and logged out everywhere' if disable else 'enabled'}."
        await asyncio.to_thread(ctx.users.set_flash, who.token, text)
        return RedirectResponse("/admin/users", status_code=303)

    toggle.__name__ = action.replace("-", "_")
    return toggle


users_disable = _toggle(True)
users_enable = _toggle(False)


@endpoint("audit")
async def audit_page(request: Request, ctx: WebContext, who: Who) -> Response:
    q = request.query_params
    message_id = q.get("message", "")[:40]
    actor = q.get("actor", "")[:80]
    rows = await asyncio.to_thread(
        ctx.store.audit.records, newest_first=True, limit=AUDIT_PAGE, message_id=message_id, actor=actor
    )
    verification = None
    if q.get("verify") == "1":
        verification = await asyncio.to_thread(ctx.store.audit.verify)
    detail = "verify" if verification is not None else ""
    await ctx.audit(who, request, "audit", message_id=message_id, detail=detail)
    return ctx.templates.page(
        request,
        "audit.html",
        {"rows": rows, "verification": verification, "message": message_id, "actor": actor},
        who=who,
    )


@endpoint("purge")
async def purge(request: Request, ctx: WebContext, who: Who) -> Response:
    result = await asyncio.to_thread(ctx.store.purge, actor=f"web:{who.user.name}", source=client_ip(request))
    text = f"Retention purge: {result.erased} message(s) erased, {result.expired} of them expired unreviewed."
    await asyncio.to_thread(ctx.users.set_flash, who.token, text)
    return RedirectResponse("/stats", status_code=303)
