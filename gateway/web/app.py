"""The review UI's Starlette application: routes, error pages, and what it is built from.

`create_app(settings, quarantine, deliver=..., on_decision=...)` takes the
store and the release callable from the wiring (gateway.app): the web
front end never imports the relay. See gateway/web/guard.py for the checks
every endpoint passes and gateway/web/security.py for the response headers.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from gateway.act.review import ReviewActions
from gateway.config import Settings
from gateway.errors import ConfigError, StoreError
from gateway.store.held import Deliver, OnDecision
from gateway.store.learned import LearnedStore
from gateway.store.quarantine import QuarantineStore
from gateway.store.users import ROLES, UserStore
from gateway.web import account, admin, auth, finder, proposals, views
from gateway.web.guard import WebContext, current
from gateway.web.security import SecurityHeaders
from gateway.web.templating import STATIC, Templates

_PLAIN_PATH = re.compile(r"/[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*")


def _now() -> datetime:
    return datetime.now(UTC)


def serves_tls(settings: Settings) -> bool:
    web = settings.web
    return bool(web.tls_cert and web.tls_key) or bool(getattr(web, "tls_proxy", False))


def create_app(
    settings: Settings,
    quarantine: QuarantineStore,
    *,
    deliver: Deliver | None,
    on_decision: OnDecision | None = None,
    users: UserStore | None = None,
    clock: Callable[[], datetime] = _now,
) -> Starlette:
    """The review UI. `deliver(envelope, raw)` hands a released message to the next hop."""
    unknown = set(settings.web.mfa_roles) - set(ROLES)
    if unknown:
        raise ConfigError(f"unknown role(s) {', '.join(sorted(unknown))}", key="web.mfa_roles")
    if users is None:
        users = UserStore(quarantine.db, keyring=quarantine.keyring, clock=clock)
        users.migrate()
    templates = Templates()
    ctx = WebContext(
        settings=settings,
        store=quarantine,
        users=users,
        actions=ReviewActions(quarantine, deliver, on_decision),
        templates=templates,
        clock=clock,
        secure=serves_tls(settings),
        limits=settings.limits,
    )
    learned = LearnedStore(quarantine.db, quarantine.keyring, audit=quarantine.audit, clock=quarantine.clock)
    learned.migrate()
    ctx.extra["learned"] = learned

    async def home(request: Request) -> Response:
        return RedirectResponse("/messages", status_code=303)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        path = request.url.path
        target = "/" + path.strip("/")
        if exc.status_code == 404 and path.endswith("/") and _PLAIN_PATH.fullmatch(target):
            # /messages/ -> /messages as a path on this site: never a URL built from the Host header
            return RedirectResponse(target, status_code=307 if request.method == "GET" else 308)
        try:  # the error page keeps the navigation of a logged-in user
            who = await current(request)
        except StoreError:
            who = None
        return templates.page(
            request,
            "error.html",
            {"status": exc.status_code, "detail": exc.detail},
            who=who,
            status_code=exc.status_code,
        )

    async def store_down(request: Request, exc: Exception) -> Response:
        # fail closed: without an audit row nothing may be shown
        return templates.page(
            request,
            "error.html",
            {
                "status": 503,
                "detail": "The quarantine database or its audit log is not available, so nothing can be shown. "
                "Try again in a minute; if it persists, tell an administrator.",
            },
            status_code=503,
        )

    routes = [
        Route("/", home, methods=["GET"]),
        Route("/login", auth.login_form, methods=["GET"]),
        Route("/login", auth.login, methods=["POST"]),
        Route("/logout", auth.logout, methods=["POST"]),
        Route("/messages", views.message_list, methods=["GET"]),
        Route("/messages/bulk", views.bulk, methods=["POST"]),
        Route("/messages/{qid}", views.message_view, methods=["GET"]),
        Route("/messages/{qid}/reveal", views.reveal, methods=["POST"]),
        Route("/messages/{qid}/release", views.release, methods=["POST"]),
        Route("/messages/{qid}/reject", views.reject, methods=["POST"]),
        Route("/messages/{qid}/delete", views.delete, methods=["POST"]),
        Route("/messages/{qid}/marks", proposals.mark, methods=["POST"]),
        Route("/messages/{qid}/attachments/{n:int}", views.download_attachment, methods=["GET"]),
        Route("/messages/{qid}/original", views.download_original, methods=["GET"]),
        Route("/stats", views.stats, methods=["GET"]),
        Route("/account", account.account_page, methods=["GET"]),
        Route("/account/password", account.change_password, methods=["POST"]),
        Route("/account/mfa", account.mfa_page, methods=["GET"]),
        Route("/account/mfa", account.mfa_confirm, methods=["POST"]),
        Route("/account/mfa/start", account.mfa_start, methods=["POST"]),
        Route("/admin/find", finder.find_page, methods=["GET"]),
        Route("/admin/find", finder.find, methods=["POST"]),
        Route("/admin/users", admin.users_page, methods=["GET"]),
        Route("/admin/users", admin.users_add, methods=["POST"]),
        Route("/admin/users/{name}/disable", admin.users_disable, methods=["POST"]),  # type: ignore[arg-type]
        Route("/admin/users/{name}/enable", admin.users_enable, methods=["POST"]),  # type: ignore[arg-type]
        Route("/admin/audit", admin.audit_page, methods=["GET"]),
        Route("/admin/learned", proposals.learned_page, methods=["GET"]),
        Route("/admin/learned/{entry}/{action}", proposals.learned_decide, methods=["POST"]),
        Route("/admin/purge", admin.purge, methods=["POST"]),
        Mount("/static", app=StaticFiles(directory=str(STATIC)), name="static"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(SecurityHeaders, hsts=ctx.secure)],
        exception_handlers={HTTPException: http_error, StoreError: store_down},
    )
    app.router.redirect_slashes = False  # its redirect is built from the Host header: see http_error
    app.state.ctx = ctx
    return app
