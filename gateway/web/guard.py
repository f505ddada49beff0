"""Who is asking, and may they: sessions, roles, CSRF, scope checks and the audit row of each request.

Every endpoint of the review UI is wrapped by `endpoint(permission)`:
1. the session cookie must name a live session (server-side idle and
   absolute timeouts; a disabled user's sessions are gone), otherwise a
   GET is redirected to the login page and a POST refused;
2. a POST must carry the session's CSRF token and, when the browser says
   where it comes from (Origin, Sec-Fetch-Site), come from this site;
3. an account whose role needs an authenticator app and has none may only
   enrol one (and log out): every other page sends it to enrolment;
4. the user's role must grant the permission (function-level check);
5. a message must be in the user's scope (object-level check), else 404.
Every refusal is written to the audit log as a denial; every data view is
written before its response, and if the audit log cannot be written the
answer is 503 with nothing shown.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from gateway.act.review import ReviewActions
from gateway.config import Settings
from gateway.store.audit import AuditEvent
from gateway.store.held import HeldMessage
from gateway.store.quarantine import QuarantineStore
from gateway.store.users import Session, UserStore

log = logging.getLogger(__name__)

REVIEWER = frozenset(
    {"list", "view", "reveal", "download", "release", "reject", "mark", "stats", "logout", "account"}
)
ADMIN = REVIEWER | {"delete", "purge", "users", "audit", "find", "learn"}
#: what an account that must enrol an authenticator may do before it has
ENROLLING = frozenset({"account", "logout"})
PERMISSIONS = {"reviewer": REVIEWER, "admin": ADMIN}

Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class WebContext:
    """Everything the endpoints share; one per app."""

    settings: Settings
    store: QuarantineStore
    users: UserStore
    actions: ReviewActions
    templates: Any
    clock: Clock = _now
    secure: bool = False  # served over TLS (directly or behind the proxy)
    limits: Any = None
    extra: dict[str, Any] = field(default_factory=dict)

    def must_enrol(self, user: Any) -> bool:
        """The account's role needs an authenticator app ([web] mfa_roles) and it has none yet."""
        web = self.settings.web
        roles = set(getattr(web, "mfa_roles", ("admin",)))
        needed = bool(getattr(web, "require_mfa", False)) or user.role in roles
        return needed and not user.mfa

    @property
    def session_cookie(self) -> str:
        return "__Host-gw_session" if self.secure else "gw_session"

    @property
    def login_cookie(self) -> str:
        return "__Host-gw_login" if self.secure else "gw_login"

    @property
    def idle_s(self) -> float:
        return float(self.settings.web.idle_timeout_minutes) * 60.0

    @property
    def absolute_s(self) -> float:
        return float(self.settings.web.absolute_timeout_hours) * 3600.0

    def set_cookie(self, response: Response, name: str, value: str, *, max_age: int | None = None) -> None:
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            path="/",
            secure=self.secure,
            httponly=True,
            samesite="strict",
        )

    def clear_cookie(self, response: Response, name: str) -> None:
        response.delete_cookie(name, path="/", secure=self.secure, httponly=True, samesite="strict")

    async def audit(
        self,
        who: Who | str | None,
        request: Request,
        action: str,
        *,
        message_id: str = "",
        outcome: str = "ok",
        detail: str = "",
    ) -> None:
        """Write the audit row now (before any response). StoreError propagates: the app answers 503.

        `who`: the logged-in user, or the name someone tried to log in as, or None (anonymous).
        """
        actor = f"web:{who.user.name}" if isinstance(who, Who) else f"web:{who}" if who else "web:-"
        event = AuditEvent(actor, action, outcome, message_id, client_ip(request), detail)
        await asyncio.to_thread(self.store.audit.append, event)


@dataclass
class Who:
    """The logged-in user behind a request."""

    session: Session
    token: str

    @property
    def user(self) -> Any:
        return self.session.user

    def can(self, permission: str) -> bool:
        return permission in PERMISSIONS.get(self.user.role, frozenset())


def ctx_of(request: Request) -> WebContext:
    ctx: WebContext = request.app.state.ctx
    return ctx


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


async def current(request: Request) -> Who | None:
    ctx = ctx_of(request)
    token = request.cookies.get(ctx.session_cookie, "")
    if not token:
        return None
    session = await asyncio.to_thread(ctx.users.session, token, idle_s=ctx.idle_s, absolute_s=ctx.absolute_s)
    return Who(session, token) if session is not None else None


def same_site(request: Request) -> bool:
    """False when the browser says the request comes from another site.

    Sec-Fetch-Site is the browser's own statement and wins. Origin is
    compared only when it names an origin: under `Referrer-Policy:
    no-referrer` browsers send `Origin: null` even for same-origin forms.
    Without either header (old browsers, scripts) the CSRF token decides.
    """
    fetch_site = request.headers.get("sec-fetch-site", "")
    if fetch_site:
        return fetch_site in ("same-origin", "none")
    origin = request.headers.get("origin", "")
    if origin and origin != "null":
        o = urlsplit(origin)
        return o.scheme == request.url.scheme and o.netloc == request.url.netloc
    return True


def token_ok(expected: str, given: str) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(expected.encode(), given.encode())


Endpoint = Callable[[Request, WebContext, Who], Awaitable[Response]]


def endpoint(
    permission: str, *, audit_as: str | None = None
) -> Callable[[Endpoint], Callable[[Request], Awaitable[Response]]]:
    """Wrap an endpoint with the session, CSRF and role checks (see the module docstring)."""

    def deco(fn: Endpoint) -> Callable[[Request], Awaitable[Response]]:
        async def wrapper(request: Request) -> Response:
            ctx = ctx_of(request)
            action = audit_as or permission
            message_id = str(request.path_params.get("qid", ""))
            who = await current(request)
            if who is None:
                await ctx.audit(None, request, action, message_id=message_id, outcome="unauthenticated")
                if request.method == "GET":
                    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
                raise HTTPException(403, "Your session has ended. Log in again.")
            if request.method == "POST":
                form = await request.form(max_files=0, max_fields=2000)
                if not same_site(request) or not token_ok(who.session.csrf, str(form.get("csrf", ""))):
                    await ctx.audit(who, request, action, message_id=message_id, outcome="csrf_failed")
                    raise HTTPException(
                        403,
                        "This form has expired or did not come from this site. Reload the page and try again.",
                    )
            if permission not in ENROLLING and ctx.must_enrol(who.user):
                await ctx.audit(
                    who, request, action, message_id=message_id, outcome="denied", detail="enrol first"
                )
                if request.method == "GET":
                    return RedirectResponse("/account/mfa", status_code=303)
                raise HTTPException(403, "Enrol an authenticator app first.")
            if not who.can(permission):
                await ctx.audit(who, request, action, message_id=message_id, outcome="denied")
                raise HTTPException(403, "Your role does not allow this.")
            return await fn(request, ctx, who)

        wrapper.__name__ = fn.__name__
        wrapper.__doc__ = fn.__doc__
        return wrapper

    return deco


async def load_message(ctx: WebContext, who: Who, request: Request, qid: str, action: str) -> HeldMessage:
    """The message, if it exists and is in the user's scope; else 404 (audited either way)."""
    msg = await asyncio.to_thread(ctx.store.get, qid) if _plausible_id(qid) else None
    if msg is None:
        await ctx.audit(who, request, action, message_id=qid[:40], outcome="not_found")
        raise HTTPException(404, "No such message.")
    if not who.user.in_scope(msg.sender_domain):
        await ctx.audit(
            who, request, action, message_id=qid, outcome="denied", detail="outside the user's scope"
        )
        raise HTTPException(404, "No such message.")
    return msg


def _plausible_id(qid: str) -> bool:
    return 0 < len(qid) <= 40 and all(c in "0123456789abcdef" for c in qid)


def new_login_token() -> str:
    return secrets.token_urlsafe(24)
