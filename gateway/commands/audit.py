"""`gateway audit`: check and export the audit log of the quarantine and the review UI.

    gateway audit verify [--expect-head N:HASH]   exit 0 intact, 1 tampered
    gateway audit export [--since N]              one JSON object per line, for shipping off the host

`verify` recomputes the hash chain from the first row and prints the head
(row number and hash): keep it somewhere the gateway cannot write (a
ticket, a log server) and pass it back with --expect-head, so that even a
rewrite of the whole chain, or the loss of its newest rows, is caught.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from gateway.commands.quarantine import cli_actor
from gateway.config import Settings
from gateway.errors import ConfigError
from gateway.store.audit import AuditEvent
from gateway.store.opening import open_quarantine


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("audit", help="the audit log: verify the hash chain, export it")
    sub = p.add_subparsers(dest="audit_command", required=True, metavar="ACTION")

    s = sub.add_parser("verify", help="check the hash chain (exit 1 when a row was altered or removed)")
    s.add_argument("--expect-head", metavar="N:HASH", help="a head printed earlier and kept off the host")
    s.set_defaults(func=cmd_verify)

    s = sub.add_parser("export", help="print the rows as JSON lines (for a log server or SIEM)")
    s.add_argument("--since", type=int, default=0, metavar="N", help="only rows after row N")
    s.set_defaults(func=cmd_export)


def _head(text: str | None) -> tuple[int, str] | None:
    if not text:
        return None
    n, sep, h = text.partition(":")
    if not sep or not n.isdigit() or len(h) != 64:
        raise ConfigError("expected N:HASH (as printed by `gateway audit verify`)", key="--expect-head")
    return int(n), h.lower()


def cmd_verify(args: argparse.Namespace, settings: Settings) -> int:
    expect = _head(args.expect_head)
    store = open_quarantine(settings)
    result = store.audit.verify(expect_head=expect)
    store.close()
    if result.ok:
        print(f"ok: {result.count} rows intact; head {result.head_n}:{result.head_hash}")
        return 0
    print(f"TAMPERED: {result.problem} (checked {result.count} rows before it)")
    return 1


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    store = open_quarantine(settings)
    count = 0
    for record in store.audit.iter_all(since=args.since):
        sys.stdout.write(json.dumps(record.to_json()) + "\n")
        count += 1
    sys.stdout.flush()
    actor, source = cli_actor()
    store.audit.append(
        AuditEvent(actor, "audit-export", "ok", "", source, f"since={args.since} rows={count}")
    )
    store.close()
    return 0
