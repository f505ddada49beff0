"""`gateway quarantine`: list, show and decide held messages from the command line; retention; keys.

    gateway quarantine list [--json] [--status S] [--rule R] [--category C] [--sender TEXT] [--limit N]
    gateway quarantine show ID [--raw]
    gateway quarantine release ID [--comment TEXT]
    gateway quarantine reject ID --reason TEXT [--comment TEXT]
    gateway quarantine delete ID [--comment TEXT]
    gateway quarantine purge
    gateway quarantine rotate-key
    gateway quarantine reencrypt

Every command is written to the audit log as "cli:<user>" (the login
behind sudo when there is one). `release` delivers through the configured
next hop exactly as the relay would. Exit status: 0 done, 1 refused or
failed (unknown id, wrong status, next hop refused), 2 usage/configuration.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import pwd
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gateway.act.review import ReviewActions
from gateway.config import Settings
from gateway.errors import ConfigError
from gateway.model.masking import located_spans, mask_place, mask_text
from gateway.notify.service import review_notices
from gateway.pipeline import OneShotDeidentifier
from gateway.relay.deliver import build_deliver
from gateway.store.audit import AuditEvent
from gateway.store.held import STATUSES, ActionRefused, Filters, HeldMessage
from gateway.store.opening import open_quarantine
from gateway.store.quarantine import QuarantineStore


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("quarantine", help="held messages: list, show, release, reject, delete, purge")
    sub = p.add_subparsers(dest="quarantine_command", required=True, metavar="ACTION")

    s = sub.add_parser("list", help="list held messages, newest first")
    s.add_argument("--json", action="store_true", help="one JSON object per line")
    s.add_argument(
        "--status", choices=[*STATUSES, "all"], default="all", help="only this status (default: all)"
    )
    s.add_argument("--rule", default="", help="only holds by this rule")
    s.add_argument("--category", default="", help="only holds with a finding of this category")
    s.add_argument("--sender", default="", help="only senders containing this text")
    s.add_argument("--limit", type=int, default=1000, help="at most this many (default 1000)")
    s.set_defaults(func=cmd_list)

    s = sub.add_parser("show", help="one held message: envelope, rule, findings, attachments")
    s.add_argument("id", metavar="ID")
    s.add_argument("--raw", action="store_true", help="write the original message to standard output")
    s.set_defaults(func=cmd_show)

    s = sub.add_parser("release", help="deliver a held message to its recipients through the next hop")
    s.add_argument("id", metavar="ID")
    s.add_argument("--comment", default="", help="the reviewer's comment on the decision")
    s.set_defaults(func=cmd_release)

    s = sub.add_parser("reject", help="refuse a held message; the sender is told the reason")
    s.add_argument("id", metavar="ID")
    s.add_argument("--reason", required=True, help="the reason, for the sender")
    s.add_argument("--comment", default="", help="the reviewer's comment on the decision")
    s.set_defaults(func=cmd_reject)

    s = sub.add_parser("delete", help="erase a held message now (not delivered, nobody told)")
    s.add_argument("id", metavar="ID")
    s.add_argument("--comment", default="", help="the reviewer's comment on the decision")
    s.set_defaults(func=cmd_delete)

    s = sub.add_parser("purge", help="erase messages older than quarantine.retention_days (audited)")
    s.set_defaults(func=cmd_purge)

    s = sub.add_parser("rotate-key", help="new encryption key in the key file; re-encrypt every message")
    s.set_defaults(func=cmd_rotate_key)

    s = sub.add_parser("reencrypt", help="re-encrypt every message under the current (first) key")
    s.set_defaults(func=cmd_reencrypt)


# -- who, and what with ----------------------------------------------------------------------------


def cli_actor() -> tuple[str, str]:
    """("cli:<person>", source): the login behind sudo when there is one."""
    try:
        effective = pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        effective = str(os.geteuid())
    sudo = os.environ.get("SUDO_USER", "")
    if sudo and sudo != effective:
        return f"cli:{sudo}", f"cli (sudo as {effective})"
    return f"cli:{effective}", "cli"


def _store(settings: Settings) -> QuarantineStore:
    return open_quarantine(settings)


# -- commands ---------------------------------------------------------------------------------------


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    store = _store(settings)
    actor, source = cli_actor()
    f = Filters(
        status="" if args.status == "all" else args.status,
        rule=args.rule,
        category=args.category,
        sender=args.sender,
        limit=max(1, args.limit),
    )
    rows = store.messages(f)
    store.audit.append(AuditEvent(actor, "list", "ok", "", source, f"shown={len(rows)}"))
    if args.json:
        for m in rows:
            print(json.dumps(m.summary_json()), flush=False)
    else:
        if not rows:
            print("no messages")
        for m in rows:
            print(
                f"{m.id}  {m.received[:19].replace('T', ' ')}  {m.status:9} {m.rule:28} "
                f"{m.sender or '-'} -> {', '.join(m.recipients) or '-'}  [{', '.join(m.categories)}]"
            )
    sys.stdout.flush()
    store.close()
    return 0


def _get(store: QuarantineStore, qid: str, action: str) -> HeldMessage:
    actor, source = cli_actor()
    m = store.get(qid)
    if m is None:
        store.audit.append(AuditEvent(actor, action, "not_found", qid[:40], source))
        raise ActionRefused(f"no held message {qid}", not_found=True)
    return m


def cmd_show(args: argparse.Namespace, settings: Settings) -> int:
    store = _store(settings)
    actor, source = cli_actor()
    try:
        m = _get(store, args.id, "download" if args.raw else "view")
    except ActionRefused as exc:
        print(f"gateway: {exc}", file=sys.stderr)
        return 1
    if args.raw:
        try:
            raw = store.raw(m.id)
        except ActionRefused as exc:
            print(f"gateway: {exc}", file=sys.stderr)
            return 1
        store.audit.append(
            AuditEvent(actor, "download", "ok", m.id, source, f"original message ({len(raw)} bytes)")
        )
        sys.stdout.buffer.write(raw)
        sys.stdout.buffer.flush()
        return 0
    store.audit.append(AuditEvent(actor, "view", "ok", m.id, source))
    lines = [
        f"id:          {m.id}",
        f"status:      {m.status}" + (f" (by {m.decided_by}, {m.status_at[:19]})" if m.decided_by else ""),
        f"received:    {m.received}",
        f"sender:      {m.sender or '-'}",
        f"recipients:  {', '.join(m.recipients) or '-'}",
        f"subject:     {_masked_subject(m) or '-'}",
        f"rule:        {m.rule}" + (f" (also {', '.join(m.rules[1:])})" if len(m.rules) > 1 else ""),
        f"why:         {m.policy_reason or '-'}",
        f"size:        {m.size} bytes",
        f"queue id:    {m.queue_id or '-'}",
    ]
    if m.decision_reason:
        lines.append(f"reason:      {m.decision_reason}")
    if m.comment:
        lines.append(f"comment:     {m.comment}")
    if m.last_error:
        lines.append(f"last error:  {m.last_error}")
    if m.purged:
        lines.append("content:     erased")
    print("\n".join(lines))
    if m.findings:
        print("findings:")
        for f in m.findings:
            q = " (quoted)" if f.quoted else ""
            where = mask_place(f.where, m.findings)
            print(f"  {f.category:20} {f.type:24} {f.score:4.2f}  {where}  {f.evidence}{q}")
    store.close()
    return 0


def _masked_subject(m: HeldMessage) -> str:
    """The subject as the review list shows it: detectors' spans masked first, then the pattern net."""
    spans = located_spans(m.findings, "header:Subject")
    return mask_text(m.subject, spans, keep=[m.sender, *m.recipients])


def _act(args: argparse.Namespace, settings: Settings, run: Callable[[ReviewActions, str, str], Any]) -> int:
    store = _store(settings)
    actor, source = cli_actor()
    try:
        _get(store, args.id, args.quarantine_command)
        deliver = build_deliver(settings) if args.quarantine_command == "release" else None
        actions = ReviewActions(store, deliver, review_notices(settings, OneShotDeidentifier(settings)))
        result = asyncio.run(run(actions, actor, source))
    except ActionRefused as exc:
        if not exc.not_found:
            store.audit.append(
                AuditEvent(actor, args.quarantine_command, "refused", args.id, source, str(exc)[:200])
            )
        print(f"gateway: {exc}", file=sys.stderr)
        return 1
    except ConfigError:
        raise
    finally:
        store.close()
    if not result.ok:
        print(f"gateway: the next hop refused the message: {result.error}; it is still held", file=sys.stderr)
        return 1
    m = result.message
    print(f"{m.id} {m.status}")
    return 0


def cmd_release(args: argparse.Namespace, settings: Settings) -> int:
    return _act(
        args,
        settings,
        lambda a, actor, source: a.release(args.id, actor=actor, source=source, comment=args.comment),
    )


def cmd_reject(args: argparse.Namespace, settings: Settings) -> int:
    return _act(
        args,
        settings,
        lambda a, actor, source: a.reject(
            args.id, actor=actor, source=source, reason=args.reason, comment=args.comment
        ),
    )


def cmd_delete(args: argparse.Namespace, settings: Settings) -> int:
    return _act(
        args,
        settings,
        lambda a, actor, source: a.delete(args.id, actor=actor, source=source, comment=args.comment),
    )


def cmd_purge(args: argparse.Namespace, settings: Settings) -> int:
    store = _store(settings)
    actor, source = cli_actor()
    result = store.purge(actor=actor, source=source)
    store.close()
    print(
        f"erased {result.erased} message(s) older than {settings.quarantine.retention_days} days"
        f" ({result.expired} still held: now expired)"
    )
    return 0


def cmd_rotate_key(args: argparse.Namespace, settings: Settings) -> int:
    """Put a new key first in the key file (old keys kept for reading), then re-encrypt everything."""
    from gateway.store.crypto import generate_key, key_file_path, read_key_file, write_key_file

    if settings.quarantine.key:
        new = generate_key()
        print(
            "The key comes from the configuration (quarantine.key / GATEWAY_QUARANTINE_KEY), which this\n"
            "command cannot change. To rotate it:\n"
            f"  1. set GATEWAY_QUARANTINE_KEY={new},<the current key>   (new key first) on every node;\n"
            "  2. restart the gateways;\n"
            "  3. run `gateway quarantine reencrypt`;\n"
            "  4. drop the old key from the setting once no backup still needs it.",
            file=sys.stderr,
        )
        return 2
    path = key_file_path(settings)
    store = _store(settings)  # creates the key file on first use
    old = [
        line.strip()
        for line in path.read_text(encoding="ascii").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    read_key_file(path)  # refuse to rotate a broken file
    write_key_file(Path(path), [generate_key(), *old])
    store.close()
    store = _store(settings)
    done = store.reencrypt()
    actor, source = cli_actor()
    store.audit.append(
        AuditEvent(
            actor, "rotate-key", "ok", "", source, f"new key {store.keyring.current_id}; re-encrypted {done}"
        )
    )
    print(
        f"new key {store.keyring.current_id} in {path}; {done} message(s) re-encrypted; old keys kept for reading"
    )
    store.close()
    return 0


def cmd_reencrypt(args: argparse.Namespace, settings: Settings) -> int:
    store = _store(settings)
    done = store.reencrypt()
    actor, source = cli_actor()
    store.audit.append(
        AuditEvent(
            actor, "reencrypt", "ok", "", source, f"key {store.keyring.current_id}; re-encrypted {done}"
        )
    )
    in_use = store.keys_in_use()
    store.close()
    print(
        f"{done} message(s) re-encrypted; keys in use: "
        + (", ".join(f"{k} ({n})" for k, n in in_use.items()) or "none")
    )
    return 0
