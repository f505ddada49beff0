"""Times as notices show them: "2 June 2025, 10:30 BST" in the school's time zone."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from gateway.errors import ConfigError


def zone(name: str) -> Any:
    """The configured time zone (UTC when none is set); ConfigError naming notify.timezone when unknown."""
    try:
        return ZoneInfo(name) if name else UTC
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"unknown time zone {name!r}", key="notify.timezone") from None


def format_time(dt: datetime, tz: Any) -> str:
    local = dt.astimezone(tz)
    return f"{local.day} {local:%B %Y, %H:%M} {local.tzname() or ''}".strip()


def parse_time(text: str) -> datetime | None:
    try:
        dt = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)
