"""Login and logout.

The login form is protected from cross-site posting by a one-time token
held both in a short-lived cookie and in the form (there is no session yet
to bind it to). Every attempt is counted, per account and per source
address, *before* its password is checked (gateway/store/throttle.py), so
attempts sent in parallel cannot outrun the limit; the answer is the same
whether the account exists or not. A successful login always creates a
brand-new session (a new random token), so a token planted before login is
worthless. An account whose role needs an authenticator app ([web]
mfa_roles) and has none is sent to enrol one, and can do nothing else
until it has. Logout deletes the session on the server, not just the cookie.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from gateway.web.guard import (
    WebContext,
    Who,
    client_ip,
    ctx_of,
    current,
    endpoint,
    new_login_token,
    same_site,
)

log = logging.getLogger(__name__)

_BAD_LOGIN = "The name, password or code is not right, or the account is disabled."


def _safe_next(target: str) -> str:
    """Only a path on this site: never an absolute URL or //host (open redirect)."""
    parts = urlsplit(target)
    if (
        not target.startswith("/")
        or target.startswith("//")
        or parts.scheme
        or parts.netloc
        or "\\" in target
    ):
        return "/messages"
    return target


def _login_page(
    ctx: WebContext, request: Request, *, error: str = "", status: int = 200, name: str = ""
) -> Response:
    token = new_login_token()
    response = ctx.templates.page(
        request,
        "login.html",
        {
            "login_token": token,
            "error": error,
            "name": name,
            "next": _safe_next(request.query_params.get("next", "") or "/messages"),
            "mfa": bool(ctx.settings.web.require_mfa),  # every role: the code field is not optional
        },
        status_code=status,
    )
    ctx.set_cookie(response, ctx.login_cookie, token, max_age=900)
    return response


async def login_form(request: Request) -> Response:
    ctx = ctx_of(request)
    if await current(request) is not None:
        return RedirectResponse("/messages", status_code=303)
    return _login_page(ctx, request)


async def login(request: Request) -> Response:
    ctx = ctx_of(request)
    form = await request.form(max_files=0, max_fields=20)
    name = str(form.get("name", "")).strip()[:64]
    password = str(form.get("password", ""))[:1024]
    code = str(form.get("code", "")).strip()[:16]
    next_url = _safe_next(str(form.get("next", "/messages")))
    ip = client_ip(request)
    cookie_token = request.cookies.get(ctx.login_cookie, "")
    form_token = str(form.get("login_token", ""))
    if not same_site(request) or not cookie_token or not hmac.compare_digest(cookie_token, form_token):
        await ctx.audit("?", request, "login", outcome="csrf_failed")
        return _login_page(
            ctx, request, error="The login form expired. Please try again.", status=403, name=name
        )
    web = ctx.settings.web
    keys = [(f"user:{name.lower()}", web.max_failed_logins), (f"ip:{ip}", web.max_failed_logins_per_ip)]
    # counted before the password is checked: parallel guesses cannot all get through
    wait = await asyncio.to_thread(ctx.users.throttle.attempt, keys)
    if wait > 0:
        await ctx.audit("?", request, "login", outcome="throttled", detail="account or address locked")
        minutes = max(1, round(wait / 60))
        return _login_page(
            ctx,
            request,
            error=f"Too many failed attempts. Try again in about {minutes} minute(s).",
            status=429,
            name=name,
        )
    user = await asyncio.to_thread(ctx.users.authenticate, name, password, code)
    if user is None:
        # an unknown name is not recorded: people type their password into the name field
        known = await asyncio.to_thread(ctx.users.get, name) if name else None
        await ctx.audit(
            name if known else "?",
            request,
            "login",
            outcome="failed",
            detail="" if known else "unknown account",
        )
        return _login_page(ctx, request, error=_BAD_LOGIN, status=401, name=name)
    await asyncio.to_thread(ctx.users.throttle.succeeded, keys, clear=keys[0][0])
    token = await asyncio.to_thread(ctx.users.create_session, user, ip)
    enrol = ctx.must_enrol(user)
    detail = f"role={user.role}" + (" must enrol an authenticator" if enrol else "")
    await ctx.audit(user.name, request, "login", outcome="ok", detail=detail)
    if enrol:
        next_url = "/account/mfa"
    response = RedirectResponse(next_url, status_code=303)
    old = request.cookies.get(ctx.session_cookie, "")
    if old:  # a session that was still live in this browser ends: one session per login
        await asyncio.to_thread(ctx.users.end_session, old)
    ctx.set_cookie(response, ctx.session_cookie, token)
    ctx.clear_cookie(response, ctx.login_cookie)
    return response


@endpoint("logout")
async def logout(request: Request, ctx: WebContext, who: Who) -> Response:
    await asyncio.to_thread(ctx.users.end_session, who.token)
    await ctx.audit(who, request, "logout")
    response = RedirectResponse("/login", status_code=303)
    ctx.clear_cookie(response, ctx.session_cookie)
    return response
