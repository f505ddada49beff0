"""Relay throughput and latency: smtp-source -> {nothing, a bare aiosmtpd relay, the gateway} -> smtp-sink.

    .venv/bin/python benchmarks/relay/bench.py [--messages 2000] [--sessions 20]
        [--sizes 10000,100000] [--workers N] [--probe]

For each message size, in one run:

1. direct   smtp-source -> smtp-sink (the ceiling of the rig);
2. bare     smtp-source -> a bare aiosmtpd relay forwarding with aiosmtplib -> smtp-sink;
3. gateway  smtp-source -> `gateway serve` with an empty pipeline (MIME parsing and the
            policy in the worker pool, no detectors, a policy with no rules) -> smtp-sink.

Both relays run in their own process, as a deployment would. messages/s is
smtp-source's wall time for `--messages` messages over `--sessions` sessions
(after a warm-up), checked against smtp-sink's count. Latency p50/p99 comes from
a probe client that sends one message per connection, one after another, while
smtp-source loads the relay: connect to final reply, what one sender feels.
Prints a table and the gateway/bare ratio (target >= 0.8). Needs Postfix's
smtp-source and smtp-sink (root: smtp-sink runs as nobody). Numbers, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import smtplib
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

SMTP_SOURCE = shutil.which("smtp-source") or "/usr/sbin/smtp-source"
SMTP_SINK = shutil.which("smtp-sink") or "/usr/sbin/smtp-sink"
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, proc: subprocess.Popen[bytes] | None = None, timeout: float = 180) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        if proc is not None and proc.poll() is not None:
            raise SystemExit(f"server on port {port} exited with {proc.returncode}")
        time.sleep(0.1)
    raise SystemExit(f"nothing listening on {port} after {timeout}s")


# --- the servers -----------------------------------------------------------------------------------


class Sink:
    """smtp-sink counting completed transactions (-c), no dump files: the relay is what is measured."""

    def __init__(self) -> None:
        self.port = free_port()
        user = ["-u", "nobody"] if os.geteuid() == 0 else []
        # a file, not a pipe: the running counter would fill a pipe and block the sink; closed in stop()
        self.out = tempfile.TemporaryFile()  # noqa: SIM115
        self.proc = subprocess.Popen(
            [SMTP_SINK, *user, "-c", f"127.0.0.1:{self.port}", "1024"],
            stdout=self.out,
            stderr=subprocess.DEVNULL,
        )
        wait_port(self.port, self.proc)

    def count(self) -> int:
        """Messages taken so far ("sess=N quit=N mesg=N" lines of the running counter)."""
        self.out.seek(0)
        return max((int(x) for x in re.findall(rb"mesg=(\d+)", self.out.read())), default=0)

    def stop(self) -> int:
        """Stop; the number of messages it took."""
        self.proc.terminate()
        self.proc.wait(10)
        taken = self.count()
        self.out.close()
        return taken


def start_bare(sink_port: int) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, __file__, "_bare", str(port), str(sink_port)])
    wait_port(port, proc)
    return proc, port


def start_gateway(sink_port: int, workers: int, tmp: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    (tmp / "policies").mkdir(exist_ok=True)
    (tmp / "policies" / "empty.yaml").write_text("rules: []\n")
    config = tmp / "gateway.toml"
    config.write_text(
        f'state_dir = "{tmp / "state"}"\npolicies = ["{tmp / "policies"}"]\nlog_level = "warning"\n'
        f'[smtp]\nlisten = "127.0.0.1:{port}"\nnext_hop = "127.0.0.1:{sink_port}"\nhostname = "gateway.bench"\n'
        f'next_hop_tls = "none"\n[metrics]\nlisten = ""\n[web]\nlisten = ""\n[pipeline]\nworkers = {workers}\n'
        # notifications load their own models in the gateway process: not part of the relay path
        "[notify]\nenabled = false\n"
    )
    proc = subprocess.Popen([sys.executable, __file__, "_gateway", str(config)])
    wait_port(port, proc)
    return proc, port


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _bare_main(port: int, sink_port: int) -> None:
    """A bare passthrough relay: aiosmtpd in, aiosmtplib out, nothing else (the comparison)."""
    import aiosmtplib
    from aiosmtpd.smtp import SMTP

    class Passthrough:
        async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
            try:
                await aiosmtplib.send(
                    envelope.original_content,  # type: ignore[attr-defined]
                    sender=envelope.mail_from,  # type: ignore[attr-defined]
                    recipients=envelope.rcpt_tos,  # type: ignore[attr-defined]
                    hostname="127.0.0.1",
                    port=sink_port,
                    local_hostname="bare.bench",
                    start_tls=False,
                )
            except aiosmtplib.SMTPException:
                return "451 4.4.1 next hop failed"
            return "250 2.0.0 Ok"

    async def run() -> None:
        loop = asyncio.get_running_loop()
        handler = Passthrough()
        server = await loop.create_server(
            lambda: SMTP(handler, hostname="bare.bench", data_size_limit=52_428_800, loop=loop),
            "127.0.0.1",
            port,
        )
        async with server:
            await server.serve_forever()

    asyncio.run(run())


def _gateway_main(config: str) -> int:
    """`gateway serve` with the registered detectors left out: the empty pipeline."""
    import functools

    from gateway.config import load_settings
    from gateway.inspector import build_inspector
    from gateway.pipeline import Pipeline
    from gateway.server import serve

    settings = load_settings(config)
    pipeline = Pipeline(settings, factory=functools.partial(build_inspector, detectors=()))
    return asyncio.run(serve(settings, pipeline=pipeline))


# --- load and measurement --------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    size: int
    rate: float
    delivered: int
    p50: float
    p99: float


def probe(port: int, size: int, stop: threading.Event, samples: list[float]) -> None:
    body = b"Subject: probe\r\n\r\n" + (b"x" * 76 + b"\r\n") * max(1, size // 78)
    while not stop.is_set():
        t0 = time.perf_counter()
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=60, local_hostname="probe.bench") as c:
                c.sendmail("probe@example.ac.uk", ["sink@example.org"], body)
        except (smtplib.SMTPException, OSError):
            continue
        samples.append((time.perf_counter() - t0) * 1e3)


def load(port: int, messages: int, sessions: int, size: int) -> float:
    """Seconds smtp-source needs for `messages` messages."""
    args = [SMTP_SOURCE, "-s", str(sessions), "-m", str(messages), "-l", str(size)]
    args += ["-f", "student@example.ac.uk", "-t", "friend@example.org", f"127.0.0.1:{port}"]
    t0 = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=1800)
    return time.perf_counter() - t0


def measure(name: str, port: int, sink: Sink, args: argparse.Namespace, size: int) -> Result:
    load(port, min(200, args.messages), args.sessions, size)  # warm-up (connections, workers, caches)
    time.sleep(0.5)
    before = sink.count()
    samples: list[float] = []
    done = threading.Event()
    prober = threading.Thread(target=probe, args=(port, size, done, samples), daemon=True)
    prober.start()
    seconds = load(port, args.messages, args.sessions, size)
    done.set()
    prober.join(60)
    delivered = sink.stop() - before - len(samples)  # smtp-source's messages (the probe's are counted apart)
    samples.sort()
    p50 = statistics.median(samples) if samples else float("nan")
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))] if samples else float("nan")
    return Result(name, size, args.messages / seconds, delivered, p50, p99)


def run_size(size: int, args: argparse.Namespace, tmp: Path) -> list[Result]:
    results = []
    sink = Sink()
    results.append(measure("direct", sink.port, sink, args, size))

    sink = Sink()
    proc, port = start_bare(sink.port)
    try:
        results.append(measure("bare relay", port, sink, args, size))
    finally:
        stop(proc)

    sink = Sink()
    proc, port = start_gateway(sink.port, args.workers, tmp)
    try:
        results.append(measure("gateway", port, sink, args, size))
    finally:
        stop(proc)
    return results


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "_bare":
        _bare_main(int(sys.argv[2]), int(sys.argv[3]))
        return 0
    if len(sys.argv) > 1 and sys.argv[1] == "_gateway":
        return _gateway_main(sys.argv[2])
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--messages", type=int, default=2000)
    p.add_argument("--sessions", type=int, default=20)
    p.add_argument("--sizes", default="10000,100000", help="message sizes in bytes, comma-separated")
    p.add_argument("--workers", type=int, default=0, help="gateway inspection workers (0 = one per CPU)")
    args = p.parse_args()
    if not (os.access(SMTP_SOURCE, os.X_OK) and os.access(SMTP_SINK, os.X_OK)):
        print("needs smtp-source and smtp-sink (Debian package postfix)", file=sys.stderr)
        return 2
    print(f"{args.messages} messages, {args.sessions} sessions, {os.cpu_count()} CPUs", flush=True)
    print(f"{'size':>7} {'target':12} {'msg/s':>8} {'delivered':>9} {'p50 ms':>8} {'p99 ms':>8}")
    with tempfile.TemporaryDirectory(prefix="relay-bench-") as tmp:
        for size in (int(x) for x in args.sizes.split(",")):
            results = run_size(size, args, Path(tmp))
            for r in results:
                print(
                    f"{r.size:>7} {r.name:12} {r.rate:8.0f} {r.delivered:>9} {r.p50:8.1f} {r.p99:8.1f}",
                    flush=True,
                )
            direct, bare, gw = (r.rate for r in results)
            print(
                f"{size:>7} ratios: gateway/bare {gw / bare:.2f} (target >= 0.8), "
                f"gateway/direct {gw / direct:.2f}, bare/direct {bare / direct:.2f}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
