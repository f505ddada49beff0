"""Response headers and the last line of defence for every response of the review UI.

Security note. The UI shows patient data to staff, so:
- no script runs in its pages at all: the CSP is `default-src 'none'` with
  only the app's own stylesheet and images (the UI needs no JavaScript);
- it is never framed (`frame-ancestors 'none'`, X-Frame-Options DENY);
- nothing is cached (`Cache-Control: no-store`) or leaked through Referer;
- downloads carry `Content-Security-Policy: sandbox`, nosniff and
  `Content-Disposition: attachment` (set by the download views);
- HSTS is sent when the UI is served over TLS;
- an unexpected error becomes a bare 500 page that shows no data.
"""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

PAGE_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
DOWNLOAD_CSP = "sandbox; default-src 'none'; frame-ancestors 'none'"

_ERROR_PAGE = (
    b"<!doctype html><html><head><meta charset=utf-8><title>Error</title></head>"
    b"<body><h1>Something went wrong</h1><p>Nothing was shown. Try again, or ask an administrator "
    b"to look at the gateway's log.</p></body></html>"
)


class SecurityHeaders:
    """Pure ASGI middleware: adds the headers to every response, and turns crashes into a bare 500."""

    def __init__(self, app: ASGIApp, *, hsts: bool = False) -> None:
        self.app = app
        self.hsts = hsts

    def _headers(self, existing: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
        names = {k.lower() for k, _ in existing}
        add = [
            (b"content-security-policy", PAGE_CSP.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"no-referrer"),
            (b"cache-control", b"no-store"),
            (b"pragma", b"no-cache"),
            (b"cross-origin-opener-policy", b"same-origin"),
            (b"cross-origin-resource-policy", b"same-origin"),
            (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
        ]
        if self.hsts:
            add.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
        return existing + [(k, v) for k, v in add if k not in names]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message = {**message, "headers": self._headers(list(message.get("headers", [])))}
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:  # the request boundary: log it, show nothing
            log.exception("review UI request failed", extra={"path": scope.get("path", "")})
            if not started:
                await send_with_headers(
                    {
                        "type": "http.response.start",
                        "status": 500,
                        "headers": [(b"content-type", b"text/html; charset=utf-8")],
                    }
                )
                await send({"type": "http.response.body", "body": _ERROR_PAGE})
