"""A next hop that misbehaves on cue: each reply of the SMTP dialogue can be scripted.

Real MTAs are not this broken, but a proxy, a load balancer or a half-written
appliance in front of one can be. `ScriptedHop(script)` listens on 127.0.0.1 and
answers like a minimal SMTP server, except where `script` maps a step to the raw
bytes to send instead (several replies, or a reply with a pause in between,
`Pause(seconds)`, or a dropped connection, `Drop()`). Steps: "greeting", "EHLO",
"MAIL", "RCPT", "DATA" (the command), "END" (after the final dot), "RSET", "QUIT".

It counts what it really took on: `accepted` holds the content of each message
whose final dot it answered with its normal 250; a scripted "END" reply takes
nothing on, so a client that is told 250 for such a message has lost it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tests.integration.servers import free_port


@dataclass(frozen=True)
class Pause:
    seconds: float


@dataclass(frozen=True)
class Drop:
    """Close the connection at this point, without a word."""


Step = bytes | Pause | Drop

NORMAL: dict[str, bytes] = {
    "greeting": b"220 hop.test ESMTP\r\n",
    "EHLO": b"250-hop.test\r\n250-8BITMIME\r\n250 SIZE 52428800\r\n",
    "HELO": b"250 hop.test\r\n",
    "MAIL": b"250 2.1.0 Ok\r\n",
    "RCPT": b"250 2.1.5 Ok\r\n",
    "DATA": b"354 End data with <CR><LF>.<CR><LF>\r\n",
    "END": b"250 2.0.0 Ok: queued as HOP\r\n",
    "RSET": b"250 2.0.0 Ok\r\n",
    "NOOP": b"250 2.0.0 Ok\r\n",
    "QUIT": b"221 2.0.0 Bye\r\n",
}


class ScriptedHop:
    def __init__(self, script: Mapping[str, Sequence[Step] | bytes] | None = None) -> None:
        self.script = {k: ([v] if isinstance(v, bytes) else list(v)) for k, v in (script or {}).items()}
        self.host, self.port = "127.0.0.1", free_port()
        self.accepted: list[bytes] = []
        self.commands: list[str] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def start(self) -> ScriptedHop:
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)  # for the gather on the way out
            self._loop = loop
            server = loop.run_until_complete(asyncio.start_server(self._session, self.host, self.port))
            ready.set()
            loop.run_forever()
            server.close()
            for task in asyncio.all_tasks(loop):  # sessions still open: end them on this loop
                task.cancel()
            loop.run_until_complete(asyncio.gather(*asyncio.all_tasks(loop), return_exceptions=True))
            loop.close()

        self._thread = threading.Thread(target=run, daemon=True, name="scripted-hop")
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

    async def _say(self, writer: asyncio.StreamWriter, step: str) -> None:
        for part in self.script.get(step, [NORMAL[step]]):
            if isinstance(part, Pause):
                await asyncio.sleep(part.seconds)
            elif isinstance(part, Drop):
                raise ConnectionResetError("scripted drop")
            else:
                writer.write(part)
                await writer.drain()

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await self._say(writer, "greeting")
            while line := await reader.readline():
                verb = line.split(b" ", 1)[0].strip().upper().decode("ascii", "replace")
                self.commands.append(verb)
                if verb == "DATA":
                    await self._say(writer, "DATA")
                    if "DATA" in self.script and self.script["DATA"][-1:] != [NORMAL["DATA"]]:
                        continue  # a scripted answer to the command: no content is read
                    content = await _read_content(reader)
                    if "END" not in self.script:  # taken on before the 250 goes out, as an MTA commits first
                        self.accepted.append(content)
                    await self._say(writer, "END")
                elif verb in NORMAL:
                    await self._say(writer, verb)
                    if verb == "QUIT":
                        break
                else:
                    writer.write(b"502 5.5.2 Command not recognised\r\n")
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            writer.close()


async def _read_content(reader: asyncio.StreamReader) -> bytes:
    lines = []
    while (line := await reader.readline()) not in (b".\r\n", b""):
        lines.append(line[1:] if line.startswith(b"..") else line)
    return b"".join(lines)
