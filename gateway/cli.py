"""The `gateway` command: serve, scan, policy check, and the administration commands.

`gateway [--config PATH] COMMAND ...`. Exit codes: 0 success, 1 a check
failed or a message could not be scanned, 2 usage or configuration error.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gateway.config import Settings, load_settings
from gateway.errors import ConfigError, GatewayError

if TYPE_CHECKING:
    from gateway.model.outcome import Outcome

Handler = Callable[[argparse.Namespace, Settings], int]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="gateway", description="Outbound email compliance gateway for medical schools"
    )
    p.add_argument("--config", metavar="PATH", help="configuration file (default: config/gateway.toml)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser("serve", help="run the SMTP relay (and milter, web UI, metrics) as configured")
    s.add_argument(
        "--processes",
        type=int,
        metavar="N",
        help="front-end processes sharing the SMTP/milter ports (default: frontend.processes)",
    )
    s.set_defaults(func=cmd_serve)

    s = sub.add_parser("web", help="run only the staff review UI, in a process of its own, against the store")
    s.set_defaults(func=cmd_web)

    s = sub.add_parser("scan", help="scan messages offline and print the verdicts")
    s.add_argument("files", nargs="+", metavar="FILE.eml", help="message files; - reads standard input")
    s.add_argument("--json", action="store_true", help="one JSON object per line")
    s.add_argument("--mail-from", metavar="ADDR", help="envelope sender (default: the From header)")
    s.add_argument(
        "--rcpt", metavar="ADDR", action="append", help="envelope recipient (repeatable; default: To/Cc/Bcc)"
    )
    s.set_defaults(func=cmd_scan)

    s = sub.add_parser("policy", help="policy tools")
    psub = s.add_subparsers(dest="policy_command", required=True, metavar="ACTION")
    c = psub.add_parser("check", help="validate the policy files")
    c.add_argument("files", nargs="*", help="policy files or folders (default: the configured ones)")
    c.set_defaults(func=cmd_policy_check)

    for register in _extra_commands():
        register(sub)
    return p


def _extra_commands() -> tuple[Callable[[Any], None], ...]:
    """Command groups that live with the part they administer; each sets `func` on its parsers.

    Imported here, not at the top, so that a missing dependency of any part is
    reported by `main` as one clear error (exit 2) instead of a traceback.
    """
    from gateway.commands import audit, docs, health, learned, quarantine, users
    from gateway.milter import check

    return (
        docs.register,
        quarantine.register,
        users.register,
        learned.register,
        audit.register,
        health.register,
        check.register,
    )


def _missing(exc: ModuleNotFoundError) -> int:
    name = exc.name or str(exc)
    print(
        f"gateway: a required package is missing: {name} (install the gateway with `make install`"
        " or `pip install -e .`)",
        file=sys.stderr,
    )
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    try:
        parser = build_parser()
    except ModuleNotFoundError as exc:
        return _missing(exc)
    args = parser.parse_args(argv)
    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        print(f"gateway: configuration error: {exc}", file=sys.stderr)
        return 2
    try:
        return int(args.func(args, settings))
    except ConfigError as exc:
        print(f"gateway: configuration error: {exc}", file=sys.stderr)
        return 2
    except GatewayError as exc:
        print(f"gateway: {exc}", file=sys.stderr)
        return 1
    except ModuleNotFoundError as exc:  # a part's dependency, imported when its command runs
        return _missing(exc)
    except KeyboardInterrupt:
        return 130


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from gateway.app import run_server

    if args.processes is not None:
        if args.processes < 1:
            print("gateway: --processes must be at least 1", file=sys.stderr)
            return 2
        settings = dataclasses.replace(
            settings, frontend=dataclasses.replace(settings.frontend, processes=args.processes)
        )
    return run_server(settings)


def cmd_web(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio

    from gateway.server import serve_web

    return asyncio.run(serve_web(settings))


def cmd_policy_check(args: argparse.Namespace, settings: Settings) -> int:
    from gateway.policy import load_policy

    paths = [Path(f) for f in args.files] if args.files else settings.policy_paths
    policy = load_policy(paths, domains=settings.domains)
    for f in policy.files:
        print(f"ok {f}")
    print(f"{len(policy.rules)} rules: " + ", ".join(f"{r.name} -> {r.action.value}" for r in policy.rules))
    return 0


def cmd_scan(args: argparse.Namespace, settings: Settings) -> int:
    from gateway.app import build_scanner
    from gateway.mime import normalise_line_endings
    from gateway.model import Envelope
    from gateway.scan import envelope_from_headers

    inspector = build_scanner(settings)
    status = 0
    for name in args.files:
        try:
            raw = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
        except OSError as exc:
            print(
                json.dumps({"file": name, "error": str(exc)}) if args.json else f"{name}: {exc}",
                file=sys.stdout if args.json else sys.stderr,
            )
            status = 1
            continue
        raw = normalise_line_endings(raw)
        if args.mail_from is not None or args.rcpt:
            fallback = envelope_from_headers(raw)
            env = Envelope(
                mail_from=args.mail_from if args.mail_from is not None else fallback.mail_from,
                rcpt_tos=tuple(args.rcpt) if args.rcpt else fallback.rcpt_tos,
            )
        else:
            env = envelope_from_headers(raw)
        t0 = time.perf_counter()
        try:
            outcome = inspector.inspect(env, raw)
        except Exception as exc:  # the scan boundary: report and carry on with the next file
            print(
                json.dumps({"file": name, "error": type(exc).__name__})
                if args.json
                else f"{name}: error {type(exc).__name__}: {exc}",
                file=sys.stdout if args.json else sys.stderr,
            )
            status = 1
            continue
        elapsed = (time.perf_counter() - t0) * 1e3
        d = outcome.decision
        if args.json:
            obj: dict[str, Any] = {
                "file": name,
                "verdict": d.verdict.value,
                "rule": d.rule,
                "findings": [f.to_json() for f in outcome.findings],
                "elapsed_ms": round(elapsed, 1),
            }
            if d.monitor and d.would_be:
                obj["would_be"] = d.would_be.value
            print(json.dumps(obj), flush=True)
        else:
            _print_human(name, outcome, elapsed)
    return status


def _print_human(name: str, outcome: Outcome, elapsed: float) -> None:
    d = outcome.decision
    head = f"{name}: {d.verdict.value.upper()}"
    if d.rule:
        head += f" (rule {d.rule})"
    if d.monitor and d.would_be:
        head += f" [monitor: would {d.would_be.value}]"
    print(head)
    if d.reason:
        print(f"  why: {d.reason}")
    if not outcome.findings:
        print("  no findings")
    else:
        print(f"  {'category':20} {'type':24} {'score':>5}  {'where':34} evidence")
        for f in outcome.findings:
            q = " (quoted)" if f.quoted else ""
            print(f"  {f.category:20} {f.type:24} {f.score:5.2f}  {f.where[:34]:34} {f.evidence}{q}")
    print(f"  {elapsed:.1f} ms")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
