"""`gateway learned`: the entries reviews teach, for administrators without a browser and for scripts.

    gateway learned list [--state proposed|accepted|declined|withdrawn] [--json] [--reveal]
    gateway learned accept ID --by NAME [--reason TEXT]
    gateway learned decline ID --by NAME [--reason TEXT]
    gateway learned withdraw ID --by NAME [--reason TEXT]

The same store calls as the review UI's Proposals page, so the same
transitions (accept and decline a proposal, withdraw an accepted entry) and
the same audit rows (`learn-accept`, `learn-decline`, `learn-withdraw`,
naming the entry and its kind, never the value). `--by` names the
administrator the decision is recorded for (`cli:NAME`): it must be an
enabled account of the review UI with the admin role (`gateway users
list`), as on the page, else the decision is refused (exit 1) and the
refusal audited under the login that ran the command. The audit row's
source keeps that login when it is someone else than NAME.

`list` never prints a value unless `--reveal` is given; a list is audited
as `learn-list`, a revealing one as `learn`, as the Proposals page is (both
with how many entries of each state were shown).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from typing import Any

from gateway.commands.quarantine import cli_actor
from gateway.config import Settings
from gateway.store.audit import AuditEvent
from gateway.store.held import ActionRefused
from gateway.store.learned import Entry, LearnedStore
from gateway.store.learned_schema import STATUSES, TRANSITIONS
from gateway.store.opening import open_quarantine
from gateway.store.users import UserStore

#: exit statuses of the decisions (list exits 0, or 2 on a usage or configuration error)
DONE, REFUSED, USAGE, NO_SUCH_ENTRY = 0, 1, 2, 3

EXIT_STATUS = """exit status:
  0  done
  1  refused: --by NAME is not an enabled administrator account of the review UI
     (`gateway users list`), the entry is not in the state the action needs (accept
     and decline take a proposal, withdraw an accepted entry), or the reason is too long
  2  usage or configuration error (a missing or malformed --by, an unknown option)
  3  no entry has that id"""

#: an administrator's name as the review UI's accounts spell them
_NAME = re.compile(r"[A-Za-z0-9._@-]{1,64}")


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "learned",
        help="entries learned from reviews: list, accept, decline, withdraw",
        description="Entries reviewers proposed (staff names, public figures, allowed codes or words)\n"
        "and the administrators' decisions on them, as on the review UI's Proposals page.",
        epilog=EXIT_STATUS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(dest="learned_command", required=True, metavar="ACTION")

    s = sub.add_parser(
        "list",
        help="list entries, oldest first (values only with --reveal)",
        description="Each entry's id, kind, state, who proposed it and when, and who decided and when.",
    )
    s.add_argument("--state", choices=STATUSES, help="only entries in this state (default: all)")
    s.add_argument("--json", action="store_true", help="one JSON object per line")
    s.add_argument(
        "--reveal", action="store_true", help="print the values too (audited, as the Proposals page is)"
    )
    s.set_defaults(func=cmd_list)

    for action, helptext in (
        ("accept", "accept a proposal: it applies on every node within seconds"),
        ("decline", "decline a proposal"),
        ("withdraw", "withdraw an accepted entry: it stops applying within seconds"),
    ):
        s = sub.add_parser(
            action,
            help=helptext,
            description=helptext[0].upper() + helptext[1:] + ".",
            epilog=EXIT_STATUS,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        s.add_argument("id", metavar="ID", help="the entry's id, as `gateway learned list` prints it")
        s.add_argument(
            "--by",
            required=True,
            metavar="NAME",
            help="the administrator deciding: an enabled review-UI account with the admin role"
            " (see `gateway users list`); recorded as cli:NAME",
        )
        s.add_argument("--reason", default="", metavar="TEXT", help="why, kept with the entry (optional)")
        s.set_defaults(func=cmd_decide, action=action)


def _open(settings: Settings) -> tuple[Any, LearnedStore]:
    quarantine = open_quarantine(settings)
    learned = LearnedStore(quarantine.db, quarantine.keyring, audit=quarantine.audit, clock=quarantine.clock)
    learned.migrate()
    return quarantine, learned


def acting_as(name: str) -> tuple[str, str]:
    """(actor, source) of a decision made for `name`: the source keeps the login when it is another."""
    login_actor, login_source = cli_actor()
    actor = f"cli:{name}"
    if actor == login_actor:
        return actor, login_source
    sudo = login_source.removeprefix("cli").strip(" ()")  # "sudo as root", or nothing
    login = login_actor.removeprefix("cli:")
    return actor, f"cli (login {login}" + (f", {sudo})" if sudo else ")")


def not_an_admin(quarantine: Any, name: str) -> str:
    """Why `name` may not decide ("" when it may): it must be an enabled account with the admin role,
    the accounts that may open the Proposals page."""
    users = UserStore(quarantine.db, keyring=quarantine.keyring)
    users.migrate()
    user = users.get(name)
    if user is None:
        return f"{name} is not an account of the review UI"
    if not user.is_admin:
        return f"{name} is a {user.role}, not an administrator"
    if user.disabled:
        return f"{name}'s account is disabled"
    return ""


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    quarantine, learned = _open(settings)
    entries = learned.entries(*([args.state] if args.state else []))
    counts = {s: sum(e.status == s for e in entries) for s in STATUSES}
    actor, source = cli_actor()
    detail = " ".join(f"{s}={n}" for s, n in counts.items() if n) or "none"
    # written before anything is printed: a value shown is a value accounted for
    quarantine.audit.append(
        AuditEvent(actor, "learn" if args.reveal else "learn-list", "ok", "", source, detail)
    )
    quarantine.close()
    for e in entries:
        print(json.dumps(_json(e, args.reveal)) if args.json else _line(e, args.reveal))
    if not entries and not args.json:
        print("no entries" + (f" {args.state}" if args.state else ""))
    return DONE


def _json(e: Entry, reveal: bool) -> dict[str, str]:
    obj = {
        "id": e.id,
        "kind": e.kind,
        "state": e.status,
        "finding_type": e.finding_type,
        "rule": e.rule,
        "message_id": e.message_id,
        "proposed_by": e.proposed_by,
        "proposed_at": e.proposed_at,
        "decided_by": e.decided_by,
        "decided_at": e.decided_at,
        "reason": e.reason,
    }
    if reveal:
        obj["value"] = e.value
    return obj


def _line(e: Entry, reveal: bool) -> str:
    text = f"{e.id}  {e.kind:13} {e.status:9}  proposed by {e.proposed_by} {_when(e.proposed_at)}"
    if e.decided_by:
        text += f"; {e.status} by {e.decided_by} {_when(e.decided_at)}"
    if e.reason:
        text += f"; reason: {json.dumps(e.reason, ensure_ascii=False)}"
    if reveal:
        text += f"  value: {json.dumps(e.value, ensure_ascii=False)}"
    return text


def _when(at: str) -> str:
    return at[:19].replace("T", " ")


def cmd_decide(args: argparse.Namespace, settings: Settings) -> int:
    if not _NAME.fullmatch(args.by):
        print(
            "gateway: --by takes an administrator's name: 1-64 letters, digits, '.', '_', '@' or '-'",
            file=sys.stderr,
        )
        return USAGE
    entry_id = args.id[:40]
    actor, source = acting_as(args.by)
    quarantine, learned = _open(settings)
    refusal = not_an_admin(quarantine, args.by)
    if refusal:
        # recorded under the login that ran the command: NAME decided nothing
        login_actor, login_source = cli_actor()
        detail = f"entry={entry_id} by={args.by}: not an administrator"
        quarantine.audit.append(
            AuditEvent(login_actor, TRANSITIONS[args.action][2], "refused", "", login_source, detail)
        )
        quarantine.close()
        print(
            f"gateway: --by {refusal}: only an administrator may decide on learned entries", file=sys.stderr
        )
        return REFUSED
    try:
        entry = learned.decide(entry_id, args.action, actor=actor, source=source, reason=args.reason)
    except ActionRefused as exc:
        outcome = "not_found" if exc.not_found else "refused"
        quarantine.audit.append(
            AuditEvent(actor, TRANSITIONS[args.action][2], outcome, "", source, f"entry={entry_id}")
        )
        print(f"gateway: {'no learned entry ' + entry_id if exc.not_found else exc}", file=sys.stderr)
        return NO_SUCH_ENTRY if exc.not_found else REFUSED
    finally:
        quarantine.close()
    print(f"{entry.id} {entry.status}")
    return DONE
