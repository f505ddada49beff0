"""Server-side pages: Jinja2 with autoescaping on, so message text can never become markup."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


class Templates:
    def __init__(self) -> None:
        self.env = Environment(
            loader=FileSystemLoader(str(TEMPLATES)),
            autoescape=select_autoescape(default=True, default_for_string=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["when"] = _when
        self.env.filters["size"] = _size

    def page(
        self,
        request: Request,
        name: str,
        context: dict[str, Any],
        *,
        who: Any = None,
        status_code: int = 200,
        flash: str = "",
    ) -> HTMLResponse:
        base = {
            "who": who,
            "user": who.user if who is not None else None,
            "csrf": who.session.csrf if who is not None else "",
            "flash": flash,
            "path": request.url.path,
        }
        html = self.env.get_template(name).render({**base, **context})
        return HTMLResponse(html, status_code=status_code)


def _when(iso: str) -> str:
    """'2025-03-03T09:00:00.000000+00:00' -> '2025-03-03 09:00 UTC'."""
    if not iso or len(iso) < 16:
        return iso or ""
    return f"{iso[:10]} {iso[11:16]} UTC"


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n / 1024 / 1024:.1f} MB"
