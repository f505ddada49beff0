"""One MTA connection on asyncio: packets through the `Session`, end of message through the actions.

While a message is being judged the MTA is sent PROGRESS every
`progress_interval_seconds` (it resets the MTA's timer; Postfix's
milter_content_timeout is 300 s), and past `deadline_seconds` the answer is
TEMPFAIL. Any exception while judging is TEMPFAIL too. A protocol violation
(a bad length, a truncated packet, an unknown command) closes the connection
without a word, and the MTA applies its milter_default_action.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from gateway.errors import GatewayError
from gateway.milter import codec
from gateway.milter.codec import FrameDecoder, ProtocolError
from gateway.milter.session import TEMPFAIL, Close, Collected, EndOfMessage, Negotiated, Result, Session

log = logging.getLogger(__name__)

Handler = Callable[[Collected, Negotiated], Coroutine[Any, Any, Result]]

_READ_SIZE = 256 * 1024


@dataclass(frozen=True)
class Timing:
    progress_interval: float = 10.0  # seconds between PROGRESS packets while judging
    deadline: float = 240.0  # seconds to judge one message, then TEMPFAIL
    idle_timeout: float = 900.0  # seconds without a packet before the connection is dropped


class Connection:
    """Reads packets from the MTA and answers them until QUIT, EOF or a protocol error."""

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        session: Session,
        handler: Handler,
        timing: Timing,
        *,
        max_packet: int = codec.MAX_PACKET,
    ) -> None:
        self.reader = reader
        self.writer = writer
        self.session = session
        self.handler = handler
        self.timing = timing
        self.decoder = FrameDecoder(max_packet)

    async def run(self) -> None:
        try:
            await self._loop()
        except (ConnectionError, BrokenPipeError) as exc:
            log.info("milter: the MTA went away", extra={"error": type(exc).__name__})
        except Exception:  # the connection boundary: log, and close; the MTA applies its default action
            log.exception("milter: connection failed")
        finally:
            self.writer.close()
            with contextlib.suppress(Exception):
                await self.writer.wait_closed()

    async def _loop(self) -> None:
        while True:
            try:
                data = await asyncio.wait_for(self.reader.read(_READ_SIZE), self.timing.idle_timeout)
            except TimeoutError:
                log.info("milter: idle connection closed")
                return
            if not data:
                if self.decoder.pending:
                    log.warning("milter: truncated packet at end of stream; closing")
                return
            try:
                packets = self.decoder.feed(data)
            except ProtocolError as exc:
                log.warning("milter: bad packet; closing", extra={"reason": str(exc)})
                return
            out = bytearray()  # the replies to one read go out in one write
            for packet in packets:
                step = self.session.receive(packet)
                if isinstance(step, Close):
                    self.writer.write(bytes(out))  # replies owed before the violation (closing flushes them)
                    if step.protocol_error:
                        log.warning("milter: protocol error; closing", extra={"reason": step.reason})
                    return
                if isinstance(step, EndOfMessage):
                    if out:
                        self.writer.write(bytes(out))
                        out.clear()
                    result = await self._judge(step.message)
                    out += b"".join(self.session.finish(result))
                else:
                    for reply in step.packets:
                        out += reply
            if out:
                self.writer.write(bytes(out))
                await self.writer.drain()
            if self.decoder.error is not None:
                log.warning("milter: bad packet; closing", extra={"reason": str(self.decoder.error)})
                return

    async def _judge(self, message: Collected) -> Result:
        """The handler's result, with PROGRESS meanwhile; TEMPFAIL on error or past the deadline."""
        assert self.session.negotiated is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timing.deadline
        task = asyncio.create_task(self.handler(message, self.session.negotiated))
        try:
            while True:
                if task.done():  # finished while PROGRESS was written: its answer is what was carried out
                    return task.result()
                remaining = deadline - loop.time()
                if remaining <= 0:
                    log.error(
                        "milter: deadline passed; tempfail",
                        extra={"queue_id": message.envelope.queue_id, "deadline_s": self.timing.deadline},
                    )
                    return TEMPFAIL
                done, _ = await asyncio.wait({task}, timeout=min(self.timing.progress_interval, remaining))
                if done:
                    return task.result()
                if loop.time() < deadline:
                    self.writer.write(codec.simple(codec.PROGRESS))
                    await self.writer.drain()
        except ConnectionError:
            raise  # the MTA is gone: nobody to answer
        except Exception as exc:  # the message boundary: whatever failed, the MTA keeps the message
            log.error(
                "milter: judging failed; tempfail",
                extra={"queue_id": message.envelope.queue_id, "error": type(exc).__name__},
                exc_info=not isinstance(exc, GatewayError),  # a traceback only for the unexpected
            )
            return TEMPFAIL
        finally:
            if not task.done():
                task.cancel()
