"""Full inspection at relay speed: a corpus's messages through a bare passthrough and through `gateway serve`.

    .venv/bin/python benchmarks/relay/full.py CORPUS_DIR [--passes 2] [--sessions 16] [--workers 2]
                                              [--processes 1] [--no-notices] [--profile FILE]

CORPUS_DIR is a labelled corpus folder (*.eml, config.toml with [domains], unidocs/), such
as the development corpus or tests/corpus/heldout. In one run:

1. bare     a bare aiosmtpd relay forwarding with aiosmtplib -> smtp-sink (the comparison);
2. gateway  `gateway serve` with the shipped detectors and the shipped policy (policies/),
            the corpus's domains, its university documents registered, a SQLite store in
            a temporary folder, sender notices on (they go to the same sink) -> smtp-sink.

Each message is sent `--passes` times, from `--sessions` concurrent SMTP sessions that each
keep one connection (as Postfix's after-queue delivery agents do), with the envelope taken
from the message's From/To/Cc. Prints msg/s, p50/p99 latency (MAIL to the final reply),
the gateway/bare ratio, what the gateway answered (250 delivered or held, 4xx, 5xx), and the
peak resident memory of the gateway's main process and of each worker (sampled from /proc
every 100 ms). With `--processes N` the gateway runs N front-end processes
(`gateway serve --processes N`) sharing the port and the `--workers` budget; every process
is then listed. `--profile FILE` runs the gateway's main process under cProfile with a CPU
clock (its threads included) and writes the stats to FILE when it stops: for shares, since
the profiler slows it. Numbers, not a test. Needs Postfix's smtp-sink (Debian package postfix).
"""

from __future__ import annotations

import argparse
import asyncio
import email
import email.policy
import email.utils
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import ROOT, Sink, free_port, start_bare, stop, wait_port


@dataclass(frozen=True)
class Message:
    sender: str
    rcpts: tuple[str, ...]
    raw: bytes


def load_corpus(corpus: Path) -> list[Message]:
    out = []
    for path in sorted(corpus.glob("*.eml")):
        raw = path.read_bytes()
        msg = email.message_from_bytes(raw, policy=email.policy.compat32)
        senders = email.utils.getaddresses([str(msg.get("From", ""))])
        rcpts = email.utils.getaddresses([str(v) for h in ("To", "Cc") for v in msg.get_all(h, [])])
        addrs = tuple(a for _, a in rcpts if "@" in a) or ("someone@example.org",)
        sender = next((a for _, a in senders if "@" in a), "student@example.ac.uk")
        out.append(Message(sender, addrs, raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")))
    if not out:
        raise SystemExit(f"no *.eml files in {corpus}")
    return out


def start_full_gateway(
    corpus: Path,
    sink_port: int,
    workers: int,
    tmp: Path,
    processes: int = 1,
    *,
    notices: bool = True,
    profile: Path | None = None,
) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    domains = tomllib.loads((corpus / "config.toml").read_text()).get("domains", {})
    internal = ", ".join(f'"{d}"' for d in domains.get("internal", []))
    secure = ", ".join(f'"{d}"' for d in domains.get("secure", []))
    config = tmp / "gateway.toml"
    config.write_text(
        f'state_dir = "{tmp / "state"}"\npolicies = ["{ROOT / "policies"}"]\nlog_level = "warning"\n'
        f"[domains]\ninternal = [{internal}]\nsecure = [{secure}]\n"
        f'[smtp]\nlisten = "127.0.0.1:{port}"\nnext_hop = "127.0.0.1:{sink_port}"\n'
        f'hostname = "gateway.bench"\nnext_hop_tls = "none"\n[metrics]\nlisten = ""\n[web]\nlisten = ""\n'
        f"[pipeline]\nworkers = {workers}\n" + ("" if notices else "[notify]\nenabled = false\n")
    )
    gateway = [sys.executable, "-m", "gateway.cli", "--config", str(config)]
    docs = sorted(str(p) for p in (corpus / "unidocs").glob("*") if p.is_file())
    if docs:
        subprocess.run([*gateway, "docs", "add", *docs], check=True, stdout=subprocess.DEVNULL)
    serve = [*gateway, "serve", *(["--processes", str(processes)] if processes > 1 else [])]
    if profile is not None:  # the main process under cProfile (CPU time); stats written when it stops
        serve[1:3] = ["-c", PROFILED.format(out=str(profile))]
    proc = subprocess.Popen(serve)
    wait_port(port, proc)
    deadline = time.monotonic() + 300
    while listeners(port) < processes and time.monotonic() < deadline:  # every front end is up
        time.sleep(0.2)
    return proc, port


#: `gateway serve` under cProfile with a CPU clock (process time: its threads' work is counted too,
#: and waiting is not), the stats written to {out} when it stops
PROFILED = """
import cProfile, sys, time
from gateway.cli import main
sys.argv[0] = "gateway"
prof = cProfile.Profile(time.process_time)
prof.enable()
try:
    status = main(sys.argv[1:])
finally:
    prof.disable()
    prof.dump_stats({out!r})
sys.exit(status)
"""


def listeners(port: int) -> int:
    """Sockets listening on 127.0.0.1:port (one per front-end process)."""
    lines = Path("/proc/net/tcp").read_text().splitlines()[1:]
    return sum(1 for x in lines if x.split()[1] == f"0100007F:{port:04X}" and x.split()[3] == "0A")


# --- memory ------------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def children(pid: int) -> list[int]:
    """Every descendant (workers may be started by a helper process, such as a fork server)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        kids = [c for c, pp in parents.items() if pp == parent]
        found += kids
        frontier += kids
    return found


@dataclass
class Memory:
    main: float = 0.0
    workers: dict[int, float] = field(default_factory=dict)
    cpu: dict[int, float] = field(default_factory=dict)  # CPU seconds, last sample, per process

    def sample(self, pid: int) -> None:
        self.main = max(self.main, rss_mb(pid))
        self.cpu[pid] = cpu_seconds(pid)
        for child in children(pid):
            self.workers[child] = max(self.workers.get(child, 0.0), rss_mb(child))
            self.cpu[child] = cpu_seconds(child)


def watch(pid: int, memory: Memory, done: threading.Event) -> None:
    while not done.is_set():
        memory.sample(pid)
        time.sleep(0.1)


# --- load ----------------------------------------------------------------------------------------


@dataclass
class Run:
    name: str
    seconds: float
    latencies: list[float]
    answers: Counter[str]

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def pct(self, q: float) -> float:
        s = sorted(self.latencies)
        return s[min(len(s) - 1, int(len(s) * q))] if s else float("nan")


async def replay(port: int, messages: list[Message], sessions: int) -> Run:
    import aiosmtplib

    queue: asyncio.Queue[Message] = asyncio.Queue()
    for m in messages:
        queue.put_nowait(m)
    latencies: list[float] = []
    answers: Counter[str] = Counter()

    async def session() -> None:
        client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, timeout=120, start_tls=False)
        await client.connect()
        while not queue.empty():
            m = queue.get_nowait()
            t0 = time.perf_counter()
            try:
                _, text = await client.sendmail(m.sender, list(m.rcpts), m.raw)
                answers["held" if "held" in text else "250"] += 1
            except aiosmtplib.SMTPResponseException as exc:
                answers[f"{exc.code // 100}xx"] += 1
                await client.rset() if client.is_connected else await client.connect()
            except aiosmtplib.SMTPRecipientsRefused:
                answers["5xx"] += 1
            latencies.append((time.perf_counter() - t0) * 1e3)
        await client.quit()

    t0 = time.perf_counter()
    await asyncio.gather(*(session() for _ in range(sessions)))
    return Run("", time.perf_counter() - t0, latencies, answers)


def measure(name: str, port: int, messages: list[Message], args: argparse.Namespace) -> Run:
    asyncio.run(replay(port, messages[: min(len(messages), 40)], args.sessions))  # warm-up
    run = asyncio.run(replay(port, messages * args.passes, args.sessions))
    run.name = name
    return run


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("corpus", type=Path)
    p.add_argument("--passes", type=int, default=2)
    p.add_argument("--sessions", type=int, default=16)
    p.add_argument("--workers", type=int, default=2, help="gateway inspection workers (in all)")
    p.add_argument("--processes", type=int, default=1, help="gateway front-end processes")
    p.add_argument("--no-notices", action="store_true", help="sender notices off (what they cost)")
    p.add_argument(
        "--profile",
        type=Path,
        metavar="FILE",
        help="run the gateway's main process under cProfile and write its stats to FILE (slower: shares only)",
    )
    args = p.parse_args()
    messages = load_corpus(args.corpus)
    print(
        f"{len(messages)} messages x {args.passes} passes, {args.sessions} sessions, {os.cpu_count()} CPUs, "
        f"{args.processes} front end(s), {args.workers} workers"
    )
    runs: list[Run] = []
    memory = Memory()
    with tempfile.TemporaryDirectory(prefix="full-bench-") as tmp:
        sink = Sink()
        proc, port = start_bare(sink.port)
        bare_cpu = cpu_seconds(proc.pid)
        try:
            runs.append(measure("bare relay", port, messages, args))
            bare_cpu = cpu_seconds(proc.pid) - bare_cpu
        finally:
            stop(proc)
            sink.stop()
        sink = Sink()
        proc, port = start_full_gateway(
            args.corpus,
            sink.port,
            args.workers,
            Path(tmp),
            args.processes,
            notices=not args.no_notices,
            profile=args.profile,
        )
        memory.sample(proc.pid)
        started = dict(memory.cpu)  # model loading is not the load's cost
        done = threading.Event()
        watcher = threading.Thread(target=watch, args=(proc.pid, memory, done), daemon=True)
        watcher.start()
        try:
            runs.append(measure("gateway", port, messages, args))
        finally:
            done.set()
            watcher.join(5)
            stop(proc)
            sink.stop()
    print(f"{'target':12} {'msg/s':>8} {'p50 ms':>8} {'p99 ms':>8}  answers")
    for r in runs:
        answers = " ".join(f"{k}={v}" for k, v in sorted(r.answers.items()))
        print(
            f"{r.name:12} {r.rate:8.1f} {statistics.median(r.latencies):8.1f} {r.pct(0.99):8.1f}  {answers}"
        )
    bare, gw = runs
    print(f"ratio gateway/bare {gw.rate / bare.rate:.2f} (target >= 0.35)")
    workers = sorted(memory.workers.values(), reverse=True)
    total = memory.main + sum(workers[: args.workers])
    print(
        f"peak RSS MB: main {memory.main:.0f}, workers "
        + ", ".join(f"{w:.0f}" for w in workers)
        + f"; main + {args.workers} workers {total:.0f} (target <= 700)"
    )
    if args.processes > 1:  # main is the supervisor; the front ends are among the "workers"
        print(f"peak RSS MB of every process together: {memory.main + sum(workers):.0f}")
    used = {p: c - started.get(p, 0.0) for p, c in memory.cpu.items()}
    sent = min(len(messages), 40) + len(messages) * args.passes  # warm-up included
    gw_ms, bare_ms = sum(used.values()) / sent * 1e3, bare_cpu / sent * 1e3
    print(
        f"CPU ms per message: bare relay {bare_ms:.1f}, gateway {gw_ms:.1f} (every process); "
        f"bare/gateway {bare_ms / gw_ms:.2f} (cost per message, "
        "whatever else loads the machine)"
    )
    print(
        f"CPU seconds under load (warm-up included): main {used.get(proc.pid, 0.0):.2f}, others "
        + ", ".join(f"{c:.2f}" for p, c in sorted(used.items(), key=lambda x: -x[1]) if p != proc.pid)
    )
    others = sum(c for p, c in used.items() if p != proc.pid)
    print(
        f"CPU ms per message: main {used.get(proc.pid, 0.0) / sent * 1e3:.2f}, "
        f"the other processes {others / sent * 1e3:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
