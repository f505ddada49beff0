"""Real servers for integration tests, each private, on 127.0.0.1 and a free high port.

- `Postfix`: a private Postfix instance from a temporary config folder (never the
  system instance); `extra_main_cf` / `extra_master_cf` add what a test needs
  (smtpd_proxy_filter, content_filter, milters...).
- `SmtpSink`: Postfix's smtp-sink with a dump folder (one file per message), with
  its fault options (-r/-f/-q/-Q ...) when asked.
- `RecordingSink`: an aiosmtpd sink keeping the exact bytes, per-recipient refusals, TLS.
- `GatewayThread`: the relay in-process on its own event loop (a fake or in-process
  pipeline); `GatewayProcess`: `gateway --config X serve` as a subprocess.
- `DnsServer`: a tiny UDP DNS server (dnspython) answering from a table.

(PostgreSQL lives in tests/postgres.py.)

Every class has `start()`/`stop()` and is a context manager; the fixtures in
conftest.py make sure they stop.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import signal
import smtplib
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

POSTFIX = shutil.which("postfix") or "/usr/sbin/postfix"
POSTQUEUE = shutil.which("postqueue") or "/usr/sbin/postqueue"
SMTP_SINK = shutil.which("smtp-sink") or "/usr/sbin/smtp-sink"
SMTP_SOURCE = shutil.which("smtp-source") or "/usr/sbin/smtp-source"
GATEWAY = str(Path(sys.executable).parent / "gateway")


def have(*programs: str) -> bool:
    return all(os.access(p, os.X_OK) for p in programs)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def wait_until(
    check: Callable[[], Any], timeout: float = 20.0, interval: float = 0.05, what: str = ""
) -> Any:
    """Poll until `check()` is truthy; its value, or AssertionError after `timeout` seconds."""
    end = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"timed out after {timeout}s waiting for {what or check}")
        time.sleep(interval)


def port_open(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def world_readable_dir(path: Path) -> Path:
    """A folder that the `postfix` and `nobody` users can reach: every parent traversable."""
    path.mkdir(parents=True, exist_ok=True)
    for p in [path, *path.parents]:
        if str(p) in ("/", "/tmp"):
            break
        p.chmod(p.stat().st_mode | 0o755)
    return path


class _Service:
    def __enter__(self) -> Any:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> Any:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError


# --- smtp-sink -------------------------------------------------------------------------------------


@dataclass
class SinkMessage:
    """One smtp-sink dump: envelope and the message (LF line ends, as smtp-sink writes them)."""

    path: Path
    mail_from: str
    rcpts: list[str]
    content: bytes  # without smtp-sink's X-* envelope lines and its own Received header

    @classmethod
    def read(cls, path: Path) -> SinkMessage:
        data = path.read_bytes()
        lines = data.split(b"\n")
        mail_from, rcpts, i = "", [], 0
        while i < len(lines) and lines[i].startswith(b"X-"):
            line = lines[i].decode("utf-8", "replace")
            if line.startswith("X-Mail-Args: "):
                mail_from = line.split(" ", 2)[1].strip("<>")
            elif line.startswith("X-Rcpt-Args: "):
                rcpts.append(line.split(" ", 2)[1].strip("<>"))
            i += 1
        rest = lines[i:]
        if rest and rest[0].startswith(b"Received: ") and b"smtp-sink" in b"\n".join(rest[:3]):
            rest = rest[1:]
            while rest and rest[0][:1] in (b" ", b"\t"):
                rest = rest[1:]
        return cls(path, mail_from, rcpts, b"\n".join(rest))


class SmtpSink(_Service):
    """Postfix's smtp-sink, one dump file per message in `dump_dir`."""

    def __init__(
        self, dump_dir: Path, *, host: str = "127.0.0.1", port: int | None = None, options: Iterable[str] = ()
    ) -> None:
        self.dump_dir = world_readable_dir(dump_dir)
        self.dump_dir.chmod(0o777)
        self.host = host
        self.port = port or free_port(host)
        self.options = list(options)
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, options: Iterable[str] | None = None) -> SmtpSink:
        if options is not None:
            self.options = list(options)
        user = ["-u", "nobody"] if os.geteuid() == 0 else []
        self.proc = subprocess.Popen(
            [
                SMTP_SINK,
                *user,
                "-d",
                f"{self.dump_dir}/%M.",
                *self.options,
                f"{self.host}:{self.port}",
                "256",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(lambda: port_open(self.host, self.port), 10, what="smtp-sink")
        return self

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(5)
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            self.proc = None

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def messages(self) -> list[SinkMessage]:
        return [SinkMessage.read(p) for p in sorted(self.dump_dir.iterdir()) if p.is_file()]

    @property
    def count(self) -> int:
        return sum(1 for p in self.dump_dir.iterdir() if p.is_file())


# --- an aiosmtpd sink that keeps the exact bytes ----------------------------------------------------


@dataclass
class Received:
    mail_from: str
    rcpts: list[str]
    content: bytes
    mail_options: list[str]
    rcpt_options: list[str]
    tls: bool
    xforward: list[str] = field(default_factory=list)


class RecordingSink(_Service):
    """An aiosmtpd next hop in a thread: exact bytes, chosen refusals, optional STARTTLS, DSN/XFORWARD.

    `refuse` maps a recipient to the reply its RCPT gets ("550 5.1.1 No such user");
    `data_reply` replaces the 250 after the final dot.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int | None = None,
        refuse: Mapping[str, str] | None = None,
        data_reply: str | None = None,
        tls_context: ssl.SSLContext | None = None,
        extra_ehlo: Iterable[str] = ("DSN", "XFORWARD NAME ADDR PROTO HELO IDENT"),
        idle_timeout: float = 300,
    ) -> None:
        self.idle_timeout = idle_timeout
        self.closed_sessions = 0
        self.host, self.port = host, port or free_port(host)
        self.refuse = dict(refuse or {})
        self.data_reply = data_reply
        self.tls_context = tls_context
        self.extra_ehlo = list(extra_ehlo)
        self.messages: list[Received] = []
        self.sessions = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._open: set[Any] = set()

    def start(self) -> RecordingSink:
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            self._server = loop.run_until_complete(
                loop.create_server(self._protocol, self.host, self.port, reuse_address=True)
            )
            ready.set()
            loop.run_forever()
            self._server.close()
            loop.run_until_complete(self._server.wait_closed())
            loop.close()

        self._thread = threading.Thread(target=run, daemon=True, name="recording-sink")
        self._thread.start()
        ready.wait(10)
        return self

    def _protocol(self) -> Any:
        from aiosmtpd.smtp import SMTP

        sink = self

        class Sink(SMTP):
            line_length_limit = 1 << 20  # a next hop such as Postfix takes long lines

            def connection_made(self, transport: Any) -> None:
                super().connection_made(transport)
                sink._open.add(self)

            def connection_lost(self, error: Exception | None) -> None:
                sink.closed_sessions += 1
                sink._open.discard(self)
                super().connection_lost(error)

            async def smtp_MAIL(self, arg: str | None) -> None:
                self._raw_mail = arg or ""
                # keep DSN and other parameters for the test; aiosmtpd would 555 them
                addr, _, params = (arg or "").partition(" ")
                self.envelope.mail_options = params.split()
                await super().smtp_MAIL(addr)

            async def smtp_RCPT(self, arg: str | None) -> None:
                addr, _, params = (arg or "").partition(" ")
                self._rcpt_params = params.split()
                await super().smtp_RCPT(addr)

            async def smtp_XFORWARD(self, arg: str | None) -> None:
                self.session.xforward = [*(getattr(self.session, "xforward", [])), *(arg or "").split()]
                await self.push("250 2.0.0 Ok")

        class Handler:
            async def handle_EHLO(
                self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
            ) -> list[str]:
                session.host_name = hostname
                last = responses.pop()
                return [*responses, *(f"250-{x}" for x in sink.extra_ehlo), last]

            async def handle_MAIL(
                self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
            ) -> str:
                envelope.mail_from = address
                return "250 2.1.0 Ok"

            async def handle_RCPT(
                self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
            ) -> str:
                if address in sink.refuse:
                    return sink.refuse[address]
                envelope.rcpt_tos.append(address)
                envelope.rcpt_options.extend(server._rcpt_params)
                return "250 2.1.5 Ok"

            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                if sink.data_reply:
                    return sink.data_reply
                sink.messages.append(
                    Received(
                        mail_from=envelope.mail_from,
                        rcpts=list(envelope.rcpt_tos),
                        content=envelope.original_content,
                        mail_options=list(envelope.mail_options),
                        rcpt_options=list(envelope.rcpt_options),
                        tls=session.ssl is not None,
                        xforward=list(getattr(session, "xforward", [])),
                    )
                )
                return "250 2.0.0 Ok: queued as SINK"

        self.sessions += 1
        return Sink(
            Handler(),
            tls_context=self.tls_context,
            enable_SMTPUTF8=True,
            hostname="sink.test",
            timeout=self.idle_timeout,
        )

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            loop = self._loop

            def shutdown() -> None:  # like a real server going away: every connection closed
                self._server.close()
                for proto in list(self._open):
                    if proto.transport is not None:
                        proto.transport.close()
                loop.call_later(0.05, loop.stop)

            loop.call_soon_threadsafe(shutdown)
            self._thread.join(10)
            self._loop = None

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


# --- a private Postfix ------------------------------------------------------------------------------

_MASTER_CF = """\
{listen} inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""


class Postfix(_Service):
    """A private Postfix instance in `root`, listening on 127.0.0.1:`port`.

    By default it relays everything from 127.0.0.0/8 to `relayhost` ("host:port").
    `extra_main_cf` overrides or adds main.cf settings; `extra_master_cf` lines are
    appended to master.cf (extra services such as a reinjection smtpd).
    Retry timers are seconds, not minutes, so deferral tests finish quickly.
    """

    def __init__(
        self,
        root: Path,
        *,
        relayhost: str = "",
        port: int | None = None,
        extra_main_cf: Mapping[str, str] | None = None,
        extra_master_cf: Iterable[str] = (),
    ) -> None:
        self.root = world_readable_dir(root)
        self.port = port or free_port()
        self.conf = self.root / "conf"
        self.maillog_path = self.root / "maillog"
        main: dict[str, str] = {
            "compatibility_level": "3.6",
            "queue_directory": str(self.root / "queue"),
            "data_directory": str(self.root / "data"),
            "myhostname": "postfix.test",
            "inet_interfaces": "127.0.0.1",
            "inet_protocols": "ipv4",
            "mydestination": "",
            "local_recipient_maps": "",
            "alias_maps": "",
            "alias_database": "",
            "mynetworks": "127.0.0.0/8",
            "smtpd_relay_restrictions": "permit_mynetworks, reject_unauth_destination",
            "maillog_file": str(self.maillog_path),
            "maillog_file_prefixes": str(self.root),
            "queue_run_delay": "1s",
            "minimal_backoff_time": "1s",
            "maximal_backoff_time": "2s",
            "smtp_connect_timeout": "5s",
            "smtp_dns_support_level": "disabled",
            "biff": "no",
        }
        if relayhost:
            host, port_ = relayhost.rsplit(":", 1)
            main["relayhost"] = f"[{host}]:{port_}"
        main.update(extra_main_cf or {})
        self.main_cf = main
        self.extra_master_cf = list(extra_master_cf)

    def start(self) -> Postfix:
        self.conf.mkdir(parents=True, exist_ok=True)
        (self.root / "queue").mkdir(exist_ok=True)
        data = self.root / "data"
        data.mkdir(exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(data, "postfix")
        (self.conf / "main.cf").write_text("".join(f"{k} = {v}\n" for k, v in self.main_cf.items()))
        master = _MASTER_CF.format(listen=f"127.0.0.1:{self.port}") + "".join(
            line + "\n" for line in self.extra_master_cf
        )
        (self.conf / "master.cf").write_text(master)
        subprocess.run([POSTFIX, "-c", str(self.conf), "start"], check=True, capture_output=True, timeout=60)
        wait_until(lambda: port_open("127.0.0.1", self.port), 20, what="postfix smtpd")
        return self

    def stop(self) -> None:
        subprocess.run([POSTFIX, "-c", str(self.conf), "stop"], capture_output=True, timeout=60)
        pid_file = self.root / "queue" / "pid" / "master.pid"
        with contextlib.suppress(AssertionError):
            wait_until(lambda: not _pid_alive(pid_file), 10, what="postfix master to exit")

    def flush(self) -> None:
        subprocess.run([POSTQUEUE, "-c", str(self.conf), "-f"], check=True, capture_output=True, timeout=30)

    def queue(self) -> list[str]:
        """Queue ids of the messages still queued (active, deferred, hold...)."""
        out = subprocess.run(
            [POSTQUEUE, "-c", str(self.conf), "-j"], check=True, capture_output=True, timeout=30
        ).stdout.decode()
        return re.findall(r'"queue_id": "([0-9A-Za-z]+)"', out)

    def maillog(self) -> str:
        return self.maillog_path.read_text(errors="replace") if self.maillog_path.exists() else ""

    def wait_log(self, pattern: str, timeout: float = 30.0) -> re.Match[str]:
        rx = re.compile(pattern)
        return wait_until(lambda: rx.search(self.maillog()), timeout, 0.1, what=f"maillog line {pattern!r}")  # type: ignore[no-any-return]

    def send(self, sender: str, rcpts: list[str], message: bytes) -> dict[str, tuple[int, bytes]]:
        with smtplib.SMTP("127.0.0.1", self.port, timeout=60) as c:
            return c.sendmail(sender, rcpts, message)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"


def _pid_alive(pid_file: Path) -> bool:
    try:
        pid = int(pid_file.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


# --- the gateway ------------------------------------------------------------------------------------


class GatewayThread(_Service):
    """The relay in this process, on its own event loop in a thread.

    `pipeline` is anything with `async process(envelope, raw)`: a `Pipeline`
    with an in-process `Inspector`, or a test fake.
    """

    def __init__(self, settings: Any, pipeline: Any, *, quarantine: Any = None, metrics: Any = None) -> None:
        self.settings, self.pipeline, self.quarantine, self.metrics = settings, pipeline, quarantine, metrics
        self.relay: Any = None
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> GatewayThread:
        from gateway.relay import start_relay

        started = threading.Event()
        errors: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                self.relay = loop.run_until_complete(
                    start_relay(
                        self.settings, self.pipeline, quarantine=self.quarantine, metrics=self.metrics
                    )
                )
                self.port = self.relay.port
            except BaseException as exc:
                errors.append(exc)
                started.set()
                return
            started.set()
            loop.run_forever()
            loop.close()

        self._thread = threading.Thread(target=run, daemon=True, name="gateway")
        self._thread.start()
        started.wait(30)
        if errors:
            raise errors[0]
        return self

    def submit(self, coro: Any) -> Any:
        """Start a coroutine on the gateway's loop; a concurrent.futures.Future of its result."""
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    def call(self, coro: Any, timeout: float = 60) -> Any:
        """Run a coroutine on the gateway's loop and wait for its result."""
        return self.submit(coro).result(timeout)

    def stop(self, grace: float = 5.0) -> None:
        if self._loop is None:
            return
        with contextlib.suppress(Exception):
            self.call(self.relay.shutdown(grace))
        self._loop.call_soon_threadsafe(self._loop.stop)
        assert self._thread is not None
        self._thread.join(10)
        self._loop = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def client(self, timeout: float = 30) -> smtplib.SMTP:
        return smtplib.SMTP("127.0.0.1", self.port, timeout=timeout)


def write_config(path: Path, settings: Mapping[str, Any]) -> Path:
    """A gateway TOML file from {"key": value, "section": {"key": value}}."""

    def value(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, int | float):
            return repr(v)
        if isinstance(v, list | tuple):
            return "[" + ", ".join(value(x) for x in v) + "]"
        return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'

    top = [f"{k} = {value(v)}" for k, v in settings.items() if not isinstance(v, Mapping)]
    sections = [
        f"\n[{name}]\n" + "\n".join(f"{k} = {value(v)}" for k, v in body.items())
        for name, body in settings.items()
        if isinstance(body, Mapping)
    ]
    path.write_text("\n".join(top) + "\n" + "\n".join(sections) + "\n")
    return path


class GatewayProcess(_Service):
    """`gateway --config CONFIG serve` as a subprocess; its log goes to `log_path`."""

    def __init__(
        self, config: Path, *, port: int, log_path: Path, env: Mapping[str, str] | None = None
    ) -> None:
        self.config, self.port, self.log_path = config, port, log_path
        self.env = {**os.environ, **(env or {})}
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 120) -> GatewayProcess:
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(  # its own process group, as under systemd or docker
            [GATEWAY, "--config", str(self.config), "serve"],
            stdout=log,
            stderr=log,
            env=self.env,
            start_new_session=True,
        )
        log.close()
        wait_until(
            lambda: port_open("127.0.0.1", self.port) or self.proc is None or self.proc.poll() is not None,
            timeout,
            0.1,
            what="gateway serve",
        )
        if self.proc.poll() is not None:
            raise AssertionError(f"gateway serve exited with {self.proc.returncode}: {self.log()[-2000:]}")
        return self

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)

    def kill_group(self, sig: int) -> None:
        """Signal every process of the gateway (workers too), as systemd and docker stop do."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)

    def wait(self, timeout: float = 60) -> int:
        assert self.proc is not None
        return self.proc.wait(timeout)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        _reap_orphan_workers(self.config)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def _reap_orphan_workers(config: Path) -> None:
    """After a kill -9 the workers notice the closed pipe and exit; give them a moment."""
    time.sleep(0.2)


# --- DNS --------------------------------------------------------------------------------------------


class DnsServer(_Service):
    """A UDP DNS server on 127.0.0.1 answering from `records`: {(name, "MX"): ["10 mx1.test."], ...}.

    Names not in the table get NXDOMAIN; a name with other types gets an empty answer.
    """

    def __init__(self, records: Mapping[tuple[str, str], list[str]], *, port: int | None = None) -> None:
        self.records = {(n.lower().rstrip("."), t.upper()): v for (n, t), v in records.items()}
        self.port = port or _free_udp_port()
        self.queries: list[tuple[str, str]] = []
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> DnsServer:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._sock.bind(("127.0.0.1", self.port))
        self._sock.settimeout(0.2)
        self._thread = threading.Thread(target=self._serve, daemon=True, name="dns")
        self._thread.start()
        return self

    def _serve(self) -> None:
        import dns.message
        import dns.rcode
        import dns.rrset

        while self._sock is not None:
            try:
                wire, peer = self._sock.recvfrom(4096)
            except (TimeoutError, OSError):
                continue
            query = dns.message.from_wire(wire)
            response = dns.message.make_response(query)
            question = query.question[0]
            name = question.name.to_text(omit_final_dot=True).lower()
            rdtype = dns.rdatatype.to_text(question.rdtype)
            self.queries.append((name, rdtype))
            if not any(n == name for n, _ in self.records):
                response.set_rcode(dns.rcode.NXDOMAIN)
            elif (name, rdtype) in self.records:
                response.answer.append(
                    dns.rrset.from_text_list(question.name, 60, "IN", rdtype, self.records[(name, rdtype)])
                )
            with contextlib.suppress(OSError):
                if self._sock is not None:
                    self._sock.sendto(response.to_wire(), peer)

    def stop(self) -> None:
        sock, self._sock = self._sock, None
        if self._thread is not None:
            self._thread.join(2)
        if sock is not None:
            sock.close()


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
