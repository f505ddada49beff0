"""Background notices: the front end never waits for them, shutdown waits, failures do not escape."""

from __future__ import annotations

import asyncio
import logging

import pytest

from gateway.notify.background import BackgroundNotices


async def test_drain_waits_for_notices_in_flight() -> None:
    """A notice still being committed at shutdown is waited for, not dropped."""
    done: list[str] = []

    async def commit() -> None:
        await asyncio.sleep(0.01)
        done.append("committed")

    notices = BackgroundNotices()
    notices.start(commit())
    assert len(notices) == 1 and done == []
    await notices.drain(timeout=5)
    assert done == ["committed"] and len(notices) == 0


async def test_a_failing_notice_is_logged_by_type_only(caplog: pytest.LogCaptureFixture) -> None:
    """A notice that fails is logged with its error type, never its message text, and raises nothing."""

    async def fail() -> None:
        raise RuntimeError("NHS 943 476 5919")

    notices = BackgroundNotices("relay notification")
    with caplog.at_level(logging.ERROR):
        notices.start(fail())
        await notices.drain(timeout=5)
        await asyncio.sleep(0)
    record = next(r for r in caplog.records if r.getMessage() == "relay notification failed")
    assert record.__dict__["error"] == "RuntimeError"
    assert "943" not in caplog.text
