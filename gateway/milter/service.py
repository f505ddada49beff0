"""The milter listener: `start_milter(settings, pipeline, quarantine, notifier)` and its `close()`.

`[milter] listen` is "host:port" (also "inet:host:port", Postfix's spelling)
or a unix socket path (also "unix:/path"). Each MTA connection gets its own
`Session` and `Connection`; the actions they share hold the pipeline, the
quarantine and the notifier. What the milter asks the MTA for follows the
settings: adding headers always, body replacement when the banner is on,
QUARANTINE when `hold_action = "postfix-hold"`, DELRCPT when there is a
check address to take off messages. `close()` waits for the sender notices
still being committed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import stat
from pathlib import Path

from gateway.config import MilterSettings, Settings
from gateway.errors import ConfigError
from gateway.milter import codec
from gateway.milter.actions import Inspects, MessageActions
from gateway.milter.address import parse_listen
from gateway.milter.check import enforce as enforce_mta_check
from gateway.milter.connection import Connection, Timing
from gateway.milter.session import Session
from gateway.model.clients import networks, peer_allowed
from gateway.model.passmark import PassMark
from gateway.notify.base import Notifies
from gateway.store.base import Quarantine

log = logging.getLogger(__name__)

MAX_PROGRESS_INTERVAL = 20.0


def wanted_actions(settings: MilterSettings, *, check_address: bool = False) -> int:
    actions = codec.SMFIF_ADDHDRS
    if settings.banner:
        actions |= codec.SMFIF_CHGBODY
    if settings.hold_action == "postfix-hold":
        actions |= codec.SMFIF_QUARANTINE
    if check_address:
        actions |= codec.SMFIF_DELRCPT
    return actions


def _check(settings: MilterSettings) -> None:
    if not 0 < settings.progress_interval_seconds <= MAX_PROGRESS_INTERVAL:
        raise ConfigError(
            f"must be above 0 and at most {MAX_PROGRESS_INTERVAL:.0f}", key="milter.progress_interval_seconds"
        )
    for key in ("deadline_seconds", "idle_timeout_seconds"):
        if getattr(settings, key) <= 0:
            raise ConfigError("must be positive", key=f"milter.{key}")


class MilterService:
    """A running milter listener."""

    def __init__(self, settings: Settings, actions: MessageActions) -> None:
        self.settings = settings
        self.actions = actions
        m = settings.milter
        self.timing = Timing(m.progress_interval_seconds, m.deadline_seconds, m.idle_timeout_seconds)
        self.want_actions = wanted_actions(m, check_address=bool(actions.acts.check_address))
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.socket_path: Path | None = None
        self.networks = networks(m.allowed_clients)

    @property
    def address(self) -> tuple[str, int] | str:
        """Where it listens: (host, port) or the socket path (the real port when 0 was asked)."""
        assert self._server is not None
        if self.socket_path is not None:
            return str(self.socket_path)
        host, port = self._server.sockets[0].getsockname()[:2]
        return str(host), int(port)

    async def start(self) -> None:
        where = parse_listen(self.settings.milter.listen)
        if isinstance(where, Path):
            _remove_stale_socket(where)
            self._server = await asyncio.start_unix_server(self._accept, path=str(where))
            os.chmod(where, self.settings.milter.socket_mode)
            self.socket_path = where
        else:
            host, port = where
            reuse_port = self.settings.frontend.processes > 1 or None  # shared by front ends
            self._server = await asyncio.start_server(self._accept, host, port, reuse_port=reuse_port)
        log.info("milter listening", extra={"listen": str(self.address)})

    def allowed(self, writer: asyncio.StreamWriter) -> bool:
        """A unix-socket peer always (the socket's mode decides); a TCP peer inside `allowed_clients`."""
        return self.socket_path is not None or peer_allowed(writer.get_extra_info("peername"), self.networks)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not self.allowed(writer):
            peer = writer.get_extra_info("peername")
            log.warning(
                "milter connection refused: client not in milter.allowed_clients",
                extra={"client": str(peer[0]) if peer else "?"},
            )
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
            return
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)  # type: ignore[arg-type]
        try:
            session = Session(
                max_message_size=self.settings.smtp.max_message_size, want_actions=self.want_actions
            )
            await Connection(reader, writer, session, self.actions, self.timing).run()
        finally:
            self._tasks.discard(task)  # type: ignore[arg-type]

    async def close(self) -> None:
        """Stop listening and drop every MTA connection (the MTA tempfails what was in flight)."""
        if self._server is None:
            return
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.actions.drain_notices()
        with contextlib.suppress(Exception):
            await self._server.wait_closed()
        self._server = None
        if self.socket_path is not None:
            with contextlib.suppress(FileNotFoundError):
                self.socket_path.unlink()
        log.info("milter stopped")


def _remove_stale_socket(path: Path) -> None:
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISSOCK(mode):
        raise ConfigError(f"{path} exists and is not a socket", key="milter.listen")
    path.unlink()


async def start_milter(
    settings: Settings,
    pipeline: Inspects,
    quarantine: Quarantine | None,
    notifier: Notifies | None = None,
    *,
    pass_mark: PassMark | None = None,
) -> MilterService:
    """Start listening on `[milter] listen`; `await service.close()` stops it.

    With a notifier, senders are told about holds, rejects and annotations,
    and `notify.check_address` is answered and never delivered to. With a
    pass mark, the gateway's own releases and notices are accepted uninspected.
    """
    if not settings.milter.listen:
        raise ConfigError("is empty: the milter is disabled", key="milter.listen")
    _check(settings.milter)
    enforce_mta_check(settings.milter)
    actions = MessageActions(
        settings.milter,
        pipeline,
        quarantine,
        notifier,
        check_address=settings.notify.check_address,
        pass_mark=pass_mark,
        deadline=settings.milter.deadline_seconds,
    )
    service = MilterService(settings, actions)
    await service.start()
    return service
