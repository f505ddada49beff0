"""Milter throughput: smtp-source through a private Postfix, without and with the gateway milter.

    .venv/bin/python benchmarks/milter/bench.py [--messages 2000] [--sessions 20] [--size 10000]
        [--pipeline parse|full] [--workers N]

Runs on fresh private Postfix instances relaying to smtp-sink:

1. no milter (Postfix alone: the ceiling);
2. the milter answering pass at once: the milter protocol's own cost;
3. the milter with the real pipeline (MIME parsing, extraction, policy) and no
   detectors, in the worker pool;
4. with `--pipeline full`, the configured pipeline with every registered
   detector (models loaded in each worker).

`--workers` sets the worker processes (default: one per CPU).

For each: messages/s accepted (smtp-source's wall time; the milter sits in
Postfix's SMTP dialogue, so this is what senders feel) and messages/s
delivered (until the maillog shows every message sent to the sink).
Needs root (Postfix, smtp-sink -u). Prints a table; numbers, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from gateway.config import MilterSettings, PipelineSettings, Settings  # noqa: E402
from gateway.inspector import Inspector  # noqa: E402
from gateway.milter.service import start_milter  # noqa: E402
from gateway.model import (  # noqa: E402
    Decision,
    Envelope,
    Outcome,
    Verdict,
)
from gateway.pipeline import Pipeline  # noqa: E402
from gateway.policy import load_policy  # noqa: E402
from tests.integration.milter_postfix import (  # noqa: E402
    SMTP_SOURCE,
    PrivatePostfix,
    SmtpSink,
    free_port,
    wait_until,
)


@dataclasses.dataclass
class Run:
    name: str
    accepted_per_s: float
    delivered_per_s: float
    accept_seconds: float
    deliver_seconds: float
    failures: int


class NoInspection:
    """Answers pass at once: the cost of the milter protocol alone (not a configuration to deploy)."""

    async def process(self, envelope: Envelope, raw: bytes) -> Outcome:
        return Outcome(decision=Decision(Verdict.PASS), findings=[])


def parse_only(settings: Settings) -> Inspector:
    """The real inspector (parse, extract, policy) with no detectors: the milter path's own cost."""
    return Inspector(settings, [], load_policy(settings.policy_paths))


async def one_run(name: str, args: argparse.Namespace, pipeline_kind: str | None) -> Run:
    root = Path(tempfile.mkdtemp(prefix="gw-milter-bench-"))
    milter_port, sink_port, smtp_port = free_port(), free_port(), free_port()
    sink = SmtpSink(root, sink_port, dump=False)
    extra = {"smtpd_milters": f"inet:127.0.0.1:{milter_port}", "milter_default_action": "tempfail"}
    postfix = PrivatePostfix(root, port=smtp_port, relay_port=sink_port, extra=extra if pipeline_kind else {})
    service = None
    pipeline = None
    try:
        sink.start()
        await asyncio.to_thread(postfix.start)
        if pipeline_kind:
            settings = Settings(
                state_dir=str(root / "state"),
                milter=MilterSettings(listen=f"127.0.0.1:{milter_port}"),
                pipeline=PipelineSettings(workers=args.workers),
            )
            if pipeline_kind == "protocol":
                service = await start_milter(settings, NoInspection(), None)
            else:
                pipeline = Pipeline(settings, factory=parse_only if pipeline_kind == "parse" else None)
                t0 = time.perf_counter()
                await asyncio.to_thread(pipeline.start)
                print(f"  [{name}] workers ready in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
                service = await start_milter(settings, pipeline, None)
        cmd = [
            SMTP_SOURCE,
            "-s",
            str(args.sessions),
            "-m",
            str(args.messages),
            "-l",
            str(args.size),
            "-f",
            "student@example.ac.uk",
            "-t",
            "someone@example.org",
            f"127.0.0.1:{smtp_port}",
        ]
        t0 = time.perf_counter()
        proc = await asyncio.create_subprocess_exec(
            *cmd, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
        _out, err = await proc.communicate()
        accept = time.perf_counter() - t0
        failures = err.decode(errors="replace").count("smtp-source:")

        def delivered() -> int:
            return len(postfix.log_lines(r"status=sent"))

        await asyncio.to_thread(wait_until, lambda: delivered() >= args.messages, 600, 0.2)
        deliver = time.perf_counter() - t0
        n = delivered()
        return Run(name, args.messages / accept, n / deliver, accept, deliver, failures + args.messages - n)
    finally:
        if service is not None:
            await service.close()
        if pipeline is not None:
            pipeline.close()
        await asyncio.to_thread(postfix.stop)
        sink.stop()
        shutil.rmtree(root, ignore_errors=True)


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--messages", type=int, default=2000)
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--size", type=int, default=10000, help="payload bytes per message")
    ap.add_argument("--pipeline", choices=("parse", "full"), default="parse")
    ap.add_argument("--workers", type=int, default=0, help="inspection worker processes (0: one per CPU)")
    args = ap.parse_args()
    runs = [await one_run("postfix alone", args, None)]
    runs.append(await one_run("milter, protocol only", args, "protocol"))
    runs.append(await one_run("milter, parse+policy", args, "parse"))
    if args.pipeline == "full":
        runs.append(await one_run("milter, full pipeline", args, "full"))
    print(f"\n{args.messages} messages of {args.size} bytes, {args.sessions} sessions")
    print(f"{'':30} {'accepted/s':>11} {'delivered/s':>12} {'accept s':>9} {'deliver s':>10} {'not sent':>9}")
    for r in runs:
        print(
            f"{r.name:30} {r.accepted_per_s:11.1f} {r.delivered_per_s:12.1f} "
            f"{r.accept_seconds:9.2f} {r.deliver_seconds:10.2f} {r.failures:9d}"
        )


if __name__ == "__main__":
    asyncio.run(main())
