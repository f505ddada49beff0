"""The "maildir:PATH" next hop: local delivery for a first run and for tests, not for production.

Delivery is the Maildir protocol: write to tmp/, fsync, rename into new/,
fsync the folder, and only then answer 250, so a delivered message
survives a crash. The message bytes are stored as received (CRLF line
ends), after a Return-Path and one Delivered-To line per recipient.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import time
from collections.abc import Mapping
from pathlib import Path

from gateway.errors import TemporaryDeliveryError
from gateway.relay.params import MailParams, RcptParams
from gateway.relay.reply import Reply

_counter = itertools.count()


def deliver(maildir: Path, content: bytes, hostname: str) -> str:
    """Write one message into the Maildir; returns its file name. Raises OSError."""
    for sub in ("tmp", "new", "cur"):
        (maildir / sub).mkdir(parents=True, exist_ok=True)
    now = time.time()
    name = f"{int(now)}.M{int(now * 1e6) % 1_000_000}P{os.getpid()}Q{next(_counter)}.{hostname.replace('/', '_')}"
    tmp = maildir / "tmp" / name
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        view = memoryview(content)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        tmp.unlink(missing_ok=True)
        raise
    os.close(fd)
    os.rename(tmp, maildir / "new" / name)
    dir_fd = os.open(maildir / "new", os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    return name


class MaildirLink:
    """Takes every recipient; DATA writes one file."""

    def __init__(self, maildir: Path, hostname: str) -> None:
        self.maildir, self.hostname = maildir, hostname
        self.name = f"maildir:{maildir}"
        self.sender = ""
        self.recipients: list[str] = []

    @property
    def alive(self) -> bool:
        return True

    async def mail(self, sender: str, params: MailParams, xforward: Mapping[str, str]) -> Reply:
        self.sender, self.recipients = sender, []
        return Reply(250, "2.1.0 Ok")

    async def rcpt(self, recipient: str, params: RcptParams) -> Reply:
        self.recipients.append(recipient)
        return Reply(250, "2.1.5 Ok")

    async def data(self, content: bytes) -> Reply:
        head = f"Return-Path: <{self.sender}>\r\n" + "".join(
            f"Delivered-To: {r}\r\n" for r in self.recipients
        )
        try:
            name = await asyncio.to_thread(
                deliver, self.maildir, head.encode("utf-8", "surrogateescape") + content, self.hostname
            )
        except OSError as exc:
            raise TemporaryDeliveryError(451, f"4.3.0 Maildir delivery failed ({exc.strerror})") from exc
        finally:
            self.recipients = []
        return Reply(250, f"2.0.0 Ok: delivered as {name}")

    async def reset(self) -> None:
        self.sender, self.recipients = "", []

    async def close(self) -> None:
        return None


class MaildirNextHop:
    def __init__(self, maildir: Path, hostname: str) -> None:
        self.maildir, self.hostname = maildir, hostname

    def describe(self) -> str:
        return f"maildir:{self.maildir} (local delivery, not for production)"

    async def connect(self) -> MaildirLink:
        return MaildirLink(self.maildir, self.hostname)
