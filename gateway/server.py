"""`gateway serve`: start every listener the configuration names, stop them in order on SIGTERM.

Start-up order: logging, the inspection workers (models load once, before
the first message), the quarantine, the notifications (outbox worker),
metrics, then the listeners (SMTP relay, milter, web UI). Shutdown runs
the other way round: the relay stops accepting and finishes the messages
in flight (and their notifications) before the workers and the store
close, so no message is cut off half-way.

The main process holds the quarantine key and loads no model: inspection,
the notices' de-identified drafts and the review notices' subjects are the
inspection workers' (gateway.workers), which get neither key nor store.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import signal
import time
from collections.abc import Callable
from typing import Any

from gateway.config import Settings
from gateway.errors import ConfigError
from gateway.logs import configure_logging
from gateway.metrics import Metrics, start_metrics_server
from gateway.milter.service import start_milter
from gateway.notify.service import Notifications, open_notifications, review_notices
from gateway.pipeline import OneShotDeidentifier, Pipeline
from gateway.relay import start_relay
from gateway.relay.deliver import build_deliver
from gateway.store.crypto import load_pass_mark
from gateway.store.opening import open_quarantine, purge_periodically

log = logging.getLogger("gateway.server")


async def serve(settings: Settings, *, pipeline: Pipeline | None = None) -> int:
    """Run until SIGTERM or SIGINT; returns the exit status."""
    configure_logging(settings.log_level)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with contextlib.AsyncExitStack() as stack:
        pipeline = pipeline or Pipeline(settings)
        stack.callback(pipeline.close)
        t0 = time.perf_counter()
        await asyncio.to_thread(pipeline.start)
        log.info("inspection workers ready", extra={"workers": pipeline.workers, "seconds": _since(t0)})

        # --- quarantine (gateway/store/quarantine.py) ---------------------------------------------
        quarantine = open_quarantine(settings)
        stack.callback(_close_quietly, quarantine)
        stack.push_async_callback(_cancel, _start_purge(settings, quarantine))

        # --- notifications (gateway/notify): the outbox worker delivers through the next hop ------
        notifications = await _start_notifications(settings, pipeline)
        notifier = notifications.notifier if notifications is not None else None
        if notifications is not None:
            stack.push_async_callback(notifications.close)

        metrics = Metrics()
        metrics_server = start_metrics_server(
            settings.metrics.listen, metrics, health=health_probe(pipeline, loop)
        )
        if metrics_server is not None:
            stack.callback(metrics_server.close)
            log.info("metrics listening", extra={"listen": settings.metrics.listen})

        if settings.smtp.next_hop.startswith("maildir:"):
            log.warning(
                "the next hop is a local Maildir: passed mail, releases and notices stay on this machine",
                extra={"next_hop": settings.smtp.next_hop},
            )
        # the gateway's own mail (releases, notices) is signed; both front ends pass what verifies
        pass_mark = await asyncio.to_thread(load_pass_mark, settings)

        # --- the milter listener (gateway/milter/service.py) --------------------------------------
        if settings.milter.listen:
            milter = await start_milter(settings, pipeline, quarantine, notifier, pass_mark=pass_mark)
            stack.push_async_callback(_close, milter)

        # --- the staff review UI (gateway/web/service.py) -----------------------------------------
        if settings.web.listen:
            from gateway.web.service import start_web  # here: a relay without the UI never loads Starlette

            web = await start_web(
                settings,
                pipeline,
                quarantine,
                build_deliver(settings),
                on_decision=notifier.on_decision if notifier is not None else None,
            )
            stack.push_async_callback(_close, web)

        # --- the SMTP relay: last to start, first to stop (off when smtp.listen is empty) ---------
        relay = None
        if settings.smtp.listen:
            relay = await start_relay(
                settings,
                pipeline,
                quarantine=quarantine,
                metrics=metrics,
                notifier=notifier,
                pass_mark=pass_mark,
            )
        log.info("gateway ready", extra={"smtp": settings.smtp.listen, "quarantine": quarantine is not None})
        await stop.wait()
        log.info("shutting down: finishing messages in flight")
        if relay is not None:
            await relay.shutdown()
    log.info("stopped")
    return 0


async def serve_web(settings: Settings) -> int:
    """Only the review UI, in a process of its own (`gateway web`), against the configured store.

    It parses no mail and loads no model: it shows what the quarantine
    stored. Releases go through the configured next hop; the notice a
    decision owes the sender is committed to the shared outbox, whose worker
    (in `gateway serve`) sends it. Runs until SIGTERM or SIGINT.
    """
    configure_logging(settings.log_level)
    if not settings.web.listen:
        raise ConfigError("gateway web needs a listen address", key="web.listen")
    from gateway.web.service import start_web

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with contextlib.AsyncExitStack() as stack:
        quarantine = await asyncio.to_thread(open_quarantine, settings)
        stack.callback(_close_quietly, quarantine)
        web = await start_web(
            settings,
            None,
            quarantine,
            build_deliver(settings),
            on_decision=review_notices(settings, OneShotDeidentifier(settings)),
        )
        stack.push_async_callback(_close, web)
        log.info("review UI ready", extra={"url": web.url})
        await stop.wait()
    log.info("stopped")
    return 0


def health_probe(
    pipeline: Pipeline, loop: asyncio.AbstractEventLoop
) -> Callable[[], tuple[bool, dict[str, Any]]]:
    """What /healthz reports (called on the metrics thread): the event loop answers within a few
    seconds, and at least one inspection worker process is alive (with none, every message gets 451)."""

    async def on_the_loop() -> dict[str, Any]:
        pool = pipeline.pool
        if pool is None:  # in-process inspection (tests, tools): nothing to count
            return {"workers": {"alive": pipeline.workers, "size": pipeline.workers}}
        alive = sum(1 for w in list(pool.workers) if w.alive)
        return {"workers": {"alive": alive, "size": pool.size}}

    def probe() -> tuple[bool, dict[str, Any]]:
        asked = asyncio.run_coroutine_threadsafe(on_the_loop(), loop)
        try:
            details = asked.result(timeout=HEALTH_LOOP_SECONDS)
        except TimeoutError:
            asked.cancel()
            return False, {"problem": f"event loop did not answer within {HEALTH_LOOP_SECONDS:.0f}s"}
        if details["workers"]["alive"] < 1:
            return False, {**details, "problem": "no inspection worker alive"}
        return True, details

    return probe


#: how long /healthz waits for the event loop (a loop blocked this long serves no mail either)
HEALTH_LOOP_SECONDS = 3.0


def _start_purge(settings: Settings, quarantine: Any) -> asyncio.Task[Any]:
    return asyncio.get_running_loop().create_task(
        purge_periodically(quarantine, settings.quarantine.purge_interval_minutes)
    )


async def _start_notifications(settings: Settings, pipeline: Pipeline) -> Notifications | None:
    """The outbox, notifier and worker, started; None when [notify] enabled = false.

    Review notices get their subject de-identified by the inspection workers.
    """
    notifications = await asyncio.to_thread(
        open_notifications, settings, build_deliver(settings), subjects=pipeline.deidentify
    )
    if notifications is not None:
        await notifications.start()
        log.info("notifications ready", extra={"check_address": bool(settings.notify.check_address)})
    return notifications


async def _close(part: Any) -> None:
    closer = getattr(part, "close", None) or getattr(part, "stop", None)
    if closer is None:
        return
    result = closer()
    if inspect.isawaitable(result):
        await result


def _close_quietly(part: Any) -> None:
    closer = getattr(part, "close", None)
    if closer is not None:
        try:
            closer()
        except Exception:  # shutting down: report and carry on closing the rest
            log.exception("close failed", extra={"part": type(part).__name__})


async def _cancel(task: asyncio.Task[Any]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def _since(t0: float) -> float:
    return round(time.perf_counter() - t0, 2)
