"""The Maildir next hop: tmp -> new delivery, exact bytes, failures are temporary."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from gateway.errors import TemporaryDeliveryError
from gateway.relay.maildir import MaildirNextHop, deliver
from gateway.relay.params import MailParams, RcptParams


def test_deliver_writes_one_file_into_new(tmp_path: Path) -> None:
    """deliver() leaves exactly the bytes in new/ and nothing in tmp/."""
    name = deliver(tmp_path / "mail", b"Subject: x\r\n\r\nbody\r\n", "gw.test")
    assert (tmp_path / "mail" / "new" / name).read_bytes() == b"Subject: x\r\n\r\nbody\r\n"
    assert list((tmp_path / "mail" / "tmp").iterdir()) == []
    assert (tmp_path / "mail" / "cur").is_dir()


def test_file_names_are_unique(tmp_path: Path) -> None:
    """Two deliveries in the same instant get different names."""
    names = {deliver(tmp_path, b"x\r\n", "gw.test") for _ in range(50)}
    assert len(names) == 50


def test_link_adds_envelope_lines_and_answers_250(tmp_path: Path) -> None:
    """The Maildir link takes every recipient and stores Return-Path and Delivered-To before the message."""

    async def session() -> str:
        link = await MaildirNextHop(tmp_path, "gw.test").connect()
        assert (await link.mail("a@example.ac.uk", MailParams(), {})).code == 250
        assert (await link.rcpt("b@example.org", RcptParams())).code == 250
        assert (await link.rcpt("c@example.org", RcptParams())).code == 250
        return str(await link.data(b"Subject: x\r\n\r\nhi\r\n"))

    reply = asyncio.run(session())
    assert reply.startswith("250 2.0.0 Ok: delivered as ")
    [path] = (tmp_path / "new").iterdir()
    assert path.read_bytes() == (
        b"Return-Path: <a@example.ac.uk>\r\nDelivered-To: b@example.org\r\nDelivered-To: c@example.org\r\n"
        b"Subject: x\r\n\r\nhi\r\n"
    )


def test_unwritable_maildir_is_a_temporary_failure(tmp_path: Path) -> None:
    """A Maildir that cannot be written answers 4xx, so the sender keeps the message."""
    blocker = tmp_path / "mail"
    blocker.write_text("a file where the Maildir should be")

    async def session() -> None:
        link = await MaildirNextHop(blocker, "gw.test").connect()
        await link.mail("a@example.ac.uk", MailParams(), {})
        await link.rcpt("b@example.org", RcptParams())
        await link.data(b"x\r\n")

    with pytest.raises(TemporaryDeliveryError) as err:
        asyncio.run(session())
    assert err.value.code == 451
