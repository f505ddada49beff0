"""A user's own account: changing their password and enrolling an authenticator app (TOTP).

Both changes need the current password, and that check is throttled like
a login (an open session must not become a password-guessing oracle). A
new password must pass the policy (a strength estimator with a list of
common passwords, gateway/store/passwords.py). An authenticator is enrolled
in two steps: the server makes a secret and keeps it (encrypted) in the
session; it becomes the account's authenticator only when a code from it is
typed. When the account's role requires an authenticator and it has none
yet, enrolling also needs a one-time enrolment code an administrator issued
(`gateway users enrol-code NAME`): a password alone, perhaps the initial one
or a phished one, must not be enough to bind an authenticator. Either change ends every other session of the account, and each is
audited (never with the password, the secret or the code).
"""

from __future__ import annotations

import asyncio
from functools import partial

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from gateway.store.users import UserError, totp_uri
from gateway.web.guard import WebContext, Who, endpoint


async def _flash(ctx: WebContext, who: Who, text: str) -> None:
    await asyncio.to_thread(ctx.users.set_flash, who.token, text)


async def _take_flash(ctx: WebContext, who: Who) -> str:
    if who.session.flash:
        await _flash(ctx, who, "")
    return who.session.flash


async def _password_ok(ctx: WebContext, who: Who, password: str) -> str:
    """ "" when `password` is the account's own; else why not (counted like a login attempt)."""
    keys = [(f"user:{who.user.name.lower()}", int(ctx.settings.web.max_failed_logins))]
    wait = await asyncio.to_thread(ctx.users.throttle.attempt, keys)
    if wait > 0:
        return f"too many wrong passwords; try again in about {max(1, round(wait / 60))} minute(s)"
    if not await asyncio.to_thread(ctx.users.check_current_password, who.user.name, password):
        return "the current password is not right"
    await asyncio.to_thread(ctx.users.throttle.succeeded, keys, clear=keys[0][0])
    return ""


@endpoint("account")
async def account_page(request: Request, ctx: WebContext, who: Who) -> Response:
    await ctx.audit(who, request, "account")
    flash = await _take_flash(ctx, who)
    return ctx.templates.page(
        request, "account.html", {"must_enrol": ctx.must_enrol(who.user)}, who=who, flash=flash
    )


@endpoint("account", audit_as="password-change")
async def change_password(request: Request, ctx: WebContext, who: Who) -> Response:
    form = await request.form()
    current = str(form.get("current", ""))[:1024]
    new, again = str(form.get("new", ""))[:1024], str(form.get("again", ""))[:1024]
    problem = await _password_ok(ctx, who, current)
    if not problem and new != again:
        problem = "the two new passwords differ"
    if not problem:
        try:
            await asyncio.to_thread(ctx.users.set_password, who.user.name, new, keep_session=who.token)
        except UserError as exc:
            problem = str(exc)
    if problem:
        await ctx.audit(who, request, "password-change", outcome="refused", detail=problem[:200])
        await _flash(ctx, who, f"Password not changed: {problem}.")
    else:
        await ctx.audit(who, request, "password-change", detail="other sessions ended")
        await _flash(ctx, who, "Password changed. Your other sessions have ended.")
    return RedirectResponse("/account", status_code=303)


@endpoint("account", audit_as="mfa-enrol")
async def mfa_page(request: Request, ctx: WebContext, who: Who) -> Response:
    secret = await asyncio.to_thread(ctx.users.pending_secret, who.token, who.user.name)
    await ctx.audit(who, request, "mfa-enrol", outcome="shown", detail="pending" if secret else "")
    flash = await _take_flash(ctx, who)
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return ctx.templates.page(
        request,
        "mfa.html",
        {
            "secret": grouped,
            "uri": totp_uri(secret, who.user.name) if secret else "",
            "must_enrol": ctx.must_enrol(who.user),
        },
        who=who,
        flash=flash,
    )


@endpoint("account", audit_as="mfa-enrol")
async def mfa_start(request: Request, ctx: WebContext, who: Who) -> Response:
    await asyncio.to_thread(ctx.users.start_enrolment, who.token, who.user.name)
    await ctx.audit(who, request, "mfa-enrol", outcome="started")
    return RedirectResponse("/account/mfa", status_code=303)


@endpoint("account", audit_as="mfa-enrol")
async def mfa_confirm(request: Request, ctx: WebContext, who: Who) -> Response:
    form = await request.form()
    problem = await _password_ok(ctx, who, str(form.get("current", ""))[:1024])
    code = str(form.get("code", "")).strip()[:16]
    # a first authenticator that the role requires: the password alone (perhaps the initial or a
    # phished one) must not be enough to bind one, so an administrator's one-time code is needed too
    issued = str(form.get("enrolment", ""))[:64] if ctx.must_enrol(who.user) else None
    if not problem and not await asyncio.to_thread(
        partial(ctx.users.confirm_enrolment, who.token, who.user.name, code, issued=issued)
    ):
        problem = "the code is not right: check the time on your phone and type the code shown now"
        if issued is not None:
            problem += ", and the enrolment code your administrator gave you (it holds for a day, once)"
    if problem:
        await ctx.audit(who, request, "mfa-enrol", outcome="refused", detail=problem[:200])
        await _flash(ctx, who, f"Not enrolled: {problem}.")
        return RedirectResponse("/account/mfa", status_code=303)
    await ctx.audit(who, request, "mfa-enrol", detail="enrolled; other sessions ended")
    await _flash(ctx, who, "Authenticator enrolled. Your other sessions have ended.")
    return RedirectResponse("/messages", status_code=303)
