"""`gateway users`: accounts of the staff review UI.

    gateway users add NAME --role reviewer|admin [--scope DOMAIN ...]   (password on standard input)
    gateway users list [--json]
    gateway users disable NAME        (ends the account's sessions at once)
    gateway users enable NAME
    gateway users passwd NAME         (new password on standard input; ends its sessions)
    gateway users totp NAME [--off]   (enrol an authenticator app; prints the secret once)
    gateway users enrol-code NAME [--hours H]   (a one-time code to enrol a first authenticator in the UI)

Passwords are read from standard input (one line), or asked twice when it
is a terminal; they never appear on the command line, where `ps` would
show them. Every change is written to the audit log as "cli:<user>".
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from typing import Any

from gateway.commands.quarantine import cli_actor
from gateway.config import Settings
from gateway.store.audit import AuditEvent
from gateway.store.opening import open_quarantine
from gateway.store.users import ROLES, UserError, UserStore, totp_new_secret, totp_uri


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("users", help="accounts of the review UI")
    sub = p.add_subparsers(dest="users_command", required=True, metavar="ACTION")

    s = sub.add_parser("add", help="add an account (password on standard input)")
    s.add_argument("name", metavar="NAME")
    s.add_argument("--role", required=True, choices=ROLES)
    s.add_argument(
        "--scope",
        action="append",
        default=[],
        metavar="DOMAIN",
        help="sender domain this user reviews (repeatable; default: all)",
    )
    s.set_defaults(func=cmd_add)

    s = sub.add_parser("list", help="list accounts")
    s.add_argument("--json", action="store_true", help="one JSON object per line")
    s.set_defaults(func=cmd_list)

    for name, helptext in (
        ("disable", "disable an account and end its sessions"),
        ("enable", "enable an account"),
    ):
        s = sub.add_parser(name, help=helptext)
        s.add_argument("name", metavar="NAME")
        s.set_defaults(func=cmd_disable if name == "disable" else cmd_enable)

    s = sub.add_parser("passwd", help="set a new password (standard input); ends the account's sessions")
    s.add_argument("name", metavar="NAME")
    s.set_defaults(func=cmd_passwd)

    s = sub.add_parser("totp", help="enrol an authenticator app (TOTP) for an account")
    s.add_argument("name", metavar="NAME")
    s.add_argument("--off", action="store_true", help="remove the authenticator instead")
    s.set_defaults(func=cmd_totp)

    s = sub.add_parser(
        "enrol-code",
        help="a one-time code that lets an account whose role needs MFA enrol its first authenticator in the UI",
    )
    s.add_argument("name", metavar="NAME")
    s.add_argument("--hours", type=float, default=24.0, help="how long the code holds (default 24)")
    s.set_defaults(func=cmd_enrol_code)


def _open(settings: Settings) -> tuple[Any, UserStore]:
    store = open_quarantine(settings)
    users = UserStore(store.db, keyring=store.keyring)
    users.migrate()
    return store, users


def read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != first:
            raise UserError("the two passwords differ")
        return first
    line = sys.stdin.readline()
    return line[:-1] if line.endswith("\n") else line


def _audit(store: Any, action: str, detail: str, outcome: str = "ok") -> None:
    actor, source = cli_actor()
    store.audit.append(AuditEvent(actor, action, outcome, "", source, detail))


def _run(settings: Settings, action: str, name: str, fn: Any) -> int:
    store, users = _open(settings)
    try:
        detail = fn(users)
    except UserError as exc:
        _audit(store, action, f"user={name}: {exc}"[:200], "refused")
        print(f"gateway: {exc}", file=sys.stderr)
        store.close()
        return 1
    _audit(store, action, detail)
    store.close()
    return 0


def cmd_add(args: argparse.Namespace, settings: Settings) -> int:
    try:
        password = read_password()
    except UserError as exc:
        print(f"gateway: {exc}", file=sys.stderr)
        return 1

    def add(users: UserStore) -> str:
        u = users.add(args.name, password, args.role, args.scope)
        print(f"added {u.name} ({u.role}" + (f", scope {', '.join(u.scope)})" if u.scope else ")"))
        return f"user={u.name} role={u.role}"

    return _run(settings, "user-add", args.name, add)


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    store, users = _open(settings)
    accounts = users.accounts()
    _audit(store, "users", f"shown={len(accounts)}")
    store.close()
    for u in accounts:
        if args.json:
            print(
                json.dumps(
                    {
                        "name": u.name,
                        "role": u.role,
                        "disabled": u.disabled,
                        "scope": list(u.scope),
                        "mfa": u.mfa,
                        "created": u.created,
                        "last_login": u.last_login,
                    }
                )
            )
        else:
            state = "disabled" if u.disabled else "active"
            scope = ", ".join(u.scope) or "all senders"
            print(
                f"{u.name:20} {u.role:8} {state:8} mfa={'yes' if u.mfa else 'no ':3} {scope}  last login {u.last_login or 'never'}"
            )
    if not accounts and not args.json:
        print("no accounts: add one with `gateway users add NAME --role admin`")
    return 0


def cmd_disable(args: argparse.Namespace, settings: Settings) -> int:
    def disable(users: UserStore) -> str:
        users.set_disabled(args.name, True)
        print(f"{args.name} disabled; its sessions ended")
        return f"user={args.name}"

    return _run(settings, "user-disable", args.name, disable)


def cmd_enable(args: argparse.Namespace, settings: Settings) -> int:
    def enable(users: UserStore) -> str:
        users.set_disabled(args.name, False)
        print(f"{args.name} enabled")
        return f"user={args.name}"

    return _run(settings, "user-enable", args.name, enable)


def cmd_passwd(args: argparse.Namespace, settings: Settings) -> int:
    try:
        password = read_password()
    except UserError as exc:
        print(f"gateway: {exc}", file=sys.stderr)
        return 1

    def passwd(users: UserStore) -> str:
        users.set_password(args.name, password)
        print(f"password of {args.name} changed; its sessions ended")
        return f"user={args.name}"

    return _run(settings, "user-passwd", args.name, passwd)


def cmd_totp(args: argparse.Namespace, settings: Settings) -> int:
    def totp(users: UserStore) -> str:
        if args.off:
            users.set_totp(args.name, "")
            print(f"authenticator removed for {args.name}")
            return f"user={args.name} off"
        secret = totp_new_secret()
        users.set_totp(args.name, secret)
        print(f"secret: {secret}\nuri:    {totp_uri(secret, args.name)}")
        print("Add it to the user's authenticator app now; it is not shown again.", file=sys.stderr)
        return f"user={args.name} enrolled"

    return _run(settings, "user-totp", args.name, totp)


def cmd_enrol_code(args: argparse.Namespace, settings: Settings) -> int:
    """Print a one-time enrolment code; give it to the account's owner by another channel than the password."""

    def enrol_code(users: UserStore) -> str:
        if not 0 < args.hours <= 24 * 14:
            raise UserError("--hours must be more than 0 and at most 336 (two weeks)")
        code = users.issue_enrolment_code(args.name, hours=args.hours)
        print(code)
        print(
            f"One-time enrolment code for {args.name}, valid {args.hours:g} hour(s); it replaces any earlier one.\n"
            "Give it to them by another channel than their password.",
            file=sys.stderr,
        )
        return f"user={args.name} hours={args.hours:g}"

    return _run(settings, "user-enrol-code", args.name, enrol_code)
