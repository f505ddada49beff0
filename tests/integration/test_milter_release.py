"""Milter-only deployment: releases and notices go back through the milter-scanned Postfix and pass once.

The deployment under test is the recipe of docs/milter.md: `smtp.listen = ""`
(no relay listener), `smtp.next_hop` = the Postfix smtpd whose smtpd_milters is
this gateway, and a policy that holds every message it inspects. What the
gateway sends itself (the sender's notices, a release from the CLI) carries its
pass mark and goes through; a forged or copied mark is inspected and held.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from gateway.act.review import ReviewActions
from gateway.cli import main
from gateway.config import Settings, load_settings
from gateway.milter.service import start_milter
from gateway.model.passmark import HEADER
from gateway.notify.service import Notifications, open_notifications
from gateway.relay.deliver import build_deliver
from gateway.store.crypto import load_pass_mark
from gateway.store.opening import open_quarantine
from gateway.store.quarantine import QuarantineStore
from tests.integration import test_milter
from tests.integration.milter_postfix import wait_until
from tests.integration.servers import write_config
from tests.integration.test_milter import RCPT, SENDER, Mta, envelope_rcpts, message, new_marker, send_async
from tests.milter_doubles import verdict_pipeline, write_policy
from tests.quarantine_fixtures import KEY_A

pytestmark = pytest.mark.integration

mta = test_milter.mta  # the private Postfix whose smtpd_milters is the gateway (a module fixture)


@dataclasses.dataclass
class Node:
    config: Path
    settings: Settings
    store: QuarantineStore
    notifications: Notifications


@asynccontextmanager
async def milter_only(mta: Mta, tmp_path: Path) -> AsyncIterator[Node]:
    """`serve`'s wiring for a milter-only node whose next hop is the milter-scanned smtpd; every
    message inspected is held."""
    config = write_config(
        tmp_path / "gateway.toml",
        {
            "state_dir": str(tmp_path / "state"),
            "policies": [str(write_policy(tmp_path))],
            "domains": {"internal": ["example.ac.uk"]},
            "smtp": {"listen": "", "next_hop": f"127.0.0.1:{mta.postfix.port}", "next_hop_tls": "none"},
            "milter": {"listen": f"127.0.0.1:{mta.milter_port}"},
            "quarantine": {"key": KEY_A},
            "notify": {"from_address": "compliance@example.ac.uk"},
            "web": {"listen": ""},
            "metrics": {"listen": ""},
        },
    )
    settings = load_settings(config, env={})
    store = open_quarantine(settings)
    notifications = open_notifications(settings, build_deliver(settings))
    assert notifications is not None
    await notifications.start()
    service = await start_milter(
        settings,
        verdict_pipeline(settings, "hold", drafts=True),
        store,
        notifications.notifier,
        pass_mark=load_pass_mark(settings),
    )
    try:
        yield Node(config, settings, store, notifications)
    finally:
        await service.close()
        await notifications.close()
        store.close()


def to(mta: Mta, marker: str, rcpt: str) -> list[bytes]:
    return [m for m in mta.sink.find(marker.encode()) if rcpt in envelope_rcpts(m)]


async def until(check: object) -> None:
    assert await asyncio.to_thread(wait_until, check, 30), "timed out"  # type: ignore[arg-type]


def content_of(dumped: bytes) -> bytes:
    """The message as smtp-sink received it, without its X-Mail-Args/X-Rcpt-Args lines."""
    lines = dumped.replace(b"\r\n", b"\n").split(b"\n")
    while lines and lines[0].startswith((b"X-Mail-Args:", b"X-Rcpt-Args:", b"X-Client-", b"X-Helo-")):
        lines.pop(0)
    return b"\r\n".join(lines)


async def test_cli_release_is_delivered_once_and_notices_are_never_held(mta: Mta, tmp_path: Path) -> None:
    """Held, released from the CLI through the milter-scanned smtpd: delivered once, not held again;
    both notices (held, released) reach the sender although the policy holds everything it sees."""
    marker = new_marker()
    async with milter_only(mta, tmp_path) as node:
        await send_async(mta, message(marker))
        await until(lambda: len(to(mta, marker, SENDER)) == 1)  # the "held" notice passed the milter
        (held,) = node.store.messages()
        assert to(mta, marker, RCPT) == []
        code = await asyncio.to_thread(main, ["--config", str(node.config), "quarantine", "release", held.id])
        assert code == 0
        await until(lambda: len(to(mta, marker, RCPT)) == 1)
        await until(lambda: len(to(mta, marker, SENDER)) == 2)  # the "released" notice
        assert [m.id for m in node.store.messages()] == [held.id]  # nothing held a second time
        released = node.store.get(held.id)
        assert released is not None and released.status == "released"
    (delivered,) = to(mta, marker, RCPT)
    assert content_of(delivered).count(HEADER.encode()) == 1
    assert f"Subject: test {marker}".encode() in delivered


async def test_forged_and_copied_marks_are_inspected_and_held(mta: Mta, tmp_path: Path) -> None:
    """A made-up mark, and a real mark copied onto other content or to another recipient, are held."""
    marker = new_marker()
    async with milter_only(mta, tmp_path) as node:
        await send_async(mta, message(marker))
        await until(lambda: len(node.store.messages()) == 1)
        (held,) = node.store.messages()
        assert (
            await asyncio.to_thread(main, ["--config", str(node.config), "quarantine", "release", held.id])
            == 0
        )
        await until(lambda: len(to(mta, marker, RCPT)) == 1)
        (delivered,) = to(mta, marker, RCPT)
        real_mark = re.search(rb"^X-Compliance-Pass:[^\r\n]*", content_of(delivered), re.MULTILINE | re.I)
        assert real_mark is not None

        attempts = {
            "forged": f"{HEADER}: v=1; t=1900000000; n=00; k=00000000; m=00\r\n".encode()
            + message(new_marker()),
            "other content": real_mark.group(0) + b"\r\n" + message(marker, body="Patient notes attached."),
            "other recipient": real_mark.group(0) + b"\r\n" + message(marker),
        }
        for i, (name, raw) in enumerate(attempts.items(), start=2):
            rcpts = ("other@example.org",) if name == "other recipient" else (RCPT,)
            await send_async(mta, raw, rcpts)
            await until(lambda n=i: len(node.store.messages()) == n)  # held, not passed
        assert len(to(mta, marker, RCPT)) == 1  # only the release itself ever reached the recipient
        assert to(mta, marker, "other@example.org") == []


async def test_review_ui_release_path_is_delivered_once(mta: Mta, tmp_path: Path) -> None:
    """The review UI's release (ReviewActions with serve's signed deliver) also passes the milter once."""
    marker = new_marker()
    async with milter_only(mta, tmp_path) as node:
        await send_async(mta, message(marker))
        await until(lambda: len(node.store.messages()) == 1)
        (held,) = node.store.messages()
        ui = ReviewActions(node.store, build_deliver(node.settings), node.notifications.notifier.on_decision)
        result = await ui.release(held.id, actor="web:rita", source="web")
        assert result.ok, result.error
        await until(lambda: len(to(mta, marker, RCPT)) == 1)
        await until(lambda: len(to(mta, marker, SENDER)) == 2)  # held + released notices
        assert [m.id for m in node.store.messages()] == [held.id]
