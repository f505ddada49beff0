"""`gateway health`: is this node fit to take mail? For container healthchecks and monitoring.

Each part is checked the way a client would use it, on this machine:

    store     the configured database answers a query on the gateway's own tables
    workers   the running gateway's GET /healthz on [metrics] listen: its event loop
              answers and at least one inspection worker process is alive
    smtp      the relay ([smtp] listen) greets with 220 and answers EHLO with 250;
              the check connects from the loopback address, which must therefore be
              in smtp.allowed_clients (a 554 is reported as unhealthy, not as alive)
    milter    the milter ([milter] listen) accepts a connection and answers option
              negotiation, as an MTA's first packet
    web       the review UI ([web] listen) answers GET /login with 200

A part whose listener is switched off (empty setting) is skipped. Exit 0 when
every checked part is healthy, 1 naming each unhealthy part, 2 on a
configuration error. A listener bound to every address (0.0.0.0, ::) is
reached on the loopback address.
"""

from __future__ import annotations

import argparse
import json
import smtplib
import socket
import ssl
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gateway.config import Settings, parse_hostport
from gateway.errors import GatewayError

PARTS = ("store", "workers", "smtp", "milter", "web")


@dataclass(frozen=True)
class Check:
    part: str
    healthy: bool
    detail: str
    skipped: bool = False


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "health", help="check the store, workers and listeners of this node; exit 1 if unhealthy"
    )
    p.add_argument(
        "--skip", action="append", choices=PARTS, default=[], help="do not check this part (repeatable)"
    )
    p.add_argument("--timeout", type=float, default=5.0, help="seconds per check (default 5)")
    p.add_argument("--json", action="store_true", help="one JSON object with every check")
    p.set_defaults(func=cmd_health)


def cmd_health(args: argparse.Namespace, settings: Settings) -> int:
    checks = run_checks(settings, skip=set(args.skip), timeout=args.timeout)
    bad = [c.part for c in checks if not c.healthy]
    if args.json:
        print(json.dumps({"healthy": not bad, "checks": [c.__dict__ for c in checks]}))
    else:
        for c in checks:
            mark = "skip" if c.skipped else "ok" if c.healthy else "FAIL"
            print(f"{mark:4} {c.part:8} {c.detail}")
        if bad:
            print("unhealthy: " + ", ".join(bad))
    return 1 if bad else 0


def run_checks(settings: Settings, *, skip: set[str] = frozenset(), timeout: float = 5.0) -> list[Check]:  # type: ignore[assignment]
    """Every part, in order; a check that raises is that part's failure, never the command's crash."""
    table: list[tuple[str, str, Callable[[Settings, float], str]]] = [
        ("store", "-", check_store),
        ("workers", settings.metrics.listen, check_workers),
        ("smtp", settings.smtp.listen, check_smtp),
        ("milter", settings.milter.listen, check_milter),
        ("web", settings.web.listen, check_web),
    ]
    out: list[Check] = []
    for part, listen, check in table:
        if part in skip:
            out.append(Check(part, True, "not checked (--skip)", skipped=True))
        elif not listen and part == "workers":
            out.append(
                Check(part, False, "cannot ask the gateway: metrics.listen is empty (/healthz lives there)")
            )
        elif not listen:
            out.append(Check(part, True, f"switched off ({part}.listen is empty)", skipped=True))
        else:
            try:
                out.append(Check(part, True, check(settings, timeout)))
            except Unhealthy as exc:
                out.append(Check(part, False, str(exc)))
            except (GatewayError, OSError, smtplib.SMTPException, ValueError) as exc:
                out.append(Check(part, False, f"{type(exc).__name__}: {_first_line(exc)}"))
    return out


class Unhealthy(Exception):
    """A part answered, but not as a healthy one does."""


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [""])[0][:200]


def local_address(listen: str, key: str) -> tuple[str, int]:
    """Where this machine reaches a listener: a wildcard bind is reached on the loopback address."""
    host, port = parse_hostport(listen, key=key)
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    return host, port


# -- the checks ------------------------------------------------------------------------------------


def check_store(settings: Settings, timeout: float) -> str:
    from gateway.store.db import open_database

    db = open_database(settings)
    try:
        rows = db.execute("SELECT COUNT(*) AS n FROM schema_migrations")
    finally:
        db.close()
    return f"{db.kind} answers ({rows[0]['n']} migration steps applied)"


def check_workers(settings: Settings, timeout: float) -> str:
    from gateway.metrics import HEALTH_PATH

    host, port = local_address(settings.metrics.listen, "metrics.listen")
    url = f"http://{_bracket(host)}:{port}{HEALTH_PATH}"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            body = json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        try:
            body = json.loads(exc.read())
        except ValueError:
            raise Unhealthy(f"{url} answered {exc.code}") from None
        raise Unhealthy(f"{body.get('problem') or body.get('error') or exc.code}") from None
    except urllib.error.URLError as exc:
        raise Unhealthy(f"gateway not answering on {host}:{port}: {exc.reason}") from None
    w = body.get("workers", {})
    return f"{w.get('alive')} of {w.get('size')} inspection workers alive"


def check_smtp(settings: Settings, timeout: float) -> str:
    host, port = local_address(settings.smtp.listen, "smtp.listen")
    client = smtplib.SMTP(timeout=timeout)
    try:
        code, banner = client.connect(host, port)
        if code != 220:
            raise Unhealthy(
                f"greeting {code} {_text(banner)} (is the loopback address in smtp.allowed_clients?)"
            )
        code, reply = client.ehlo("health.localhost")
        if code != 250:
            raise Unhealthy(f"EHLO answered {code} {_text(reply)}")
        try:
            client.quit()
        except smtplib.SMTPException:
            pass
    finally:
        client.close()
    return f"220 and 250 to EHLO on {host}:{port}"


def check_milter(settings: Settings, timeout: float) -> str:
    from gateway.milter import codec
    from gateway.milter.address import parse_listen

    where = parse_listen(settings.milter.listen)
    if isinstance(where, tuple):
        host, port = local_address(f"{_bracket(where[0])}:{where[1]}", "milter.listen")
        sock = socket.create_connection((host, port), timeout=timeout)
        name = f"{host}:{port}"
    else:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        sock.connect(str(where))
        name = str(where)
    with sock:
        sock.sendall(codec.optneg(6, 0x1FF, 0))
        decoder = codec.FrameDecoder()
        packets: list[Any] = []
        while not packets:
            data = sock.recv(4096)
            if not data:
                raise Unhealthy(f"{name} closed the connection without negotiating")
            packets = decoder.feed(data)
        sock.sendall(codec.encode(codec.QUIT))
    if packets[0].command != codec.OPTNEG:
        raise Unhealthy(f"{name} answered option negotiation with {packets[0].command!r}")
    return f"negotiates on {name}"


def check_web(settings: Settings, timeout: float) -> str:
    host, port = local_address(settings.web.listen, "web.listen")
    tls = bool(settings.web.tls_cert)
    url = f"{'https' if tls else 'http'}://{_bracket(host)}:{port}/login"
    # the loopback address is not the certificate's name: this checks that the UI answers, not who it is
    context = ssl._create_unverified_context() if tls else None
    try:
        with urllib.request.urlopen(url, timeout=timeout, context=context) as resp:
            status = resp.status
    except urllib.error.HTTPError as exc:
        raise Unhealthy(f"{url} answered {exc.code}") from None
    except urllib.error.URLError as exc:
        raise Unhealthy(f"review UI not answering on {host}:{port}: {exc.reason}") from None
    if status != 200:
        raise Unhealthy(f"{url} answered {status}")
    return f"answers on {url}"


def _bracket(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _text(raw: bytes | str) -> str:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    return " ".join(text.split())[:120]
