"""`gateway learned` from the command line, against a real store: list, reveal, accept, decline, withdraw.

The same tests run on PostgreSQL from tests/integration/test_learned_postgres.py.
"""

from __future__ import annotations

import json
import os
import pwd
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.cli import main
from gateway.commands.learned import acting_as
from gateway.commands.quarantine import cli_actor
from gateway.config import Settings, load_settings
from gateway.store.learned import LearnedStore, Mark
from gateway.store.opening import open_quarantine
from gateway.store.users import UserStore, cheap_hasher
from tests.quarantine_fixtures import KEY_A
from tests.unit.store.test_learned import FINDINGS, NAME

CODE = "WARD-0042"  # invented for these tests
PASSWORD = "a long enough password"


@pytest.fixture()
def database_url() -> str:
    """The store's URL: empty is SQLite in the state folder (the PostgreSQL tests override this)."""
    return ""


@pytest.fixture()
def config(tmp_path: Path, database_url: str) -> Iterator[tuple[Path, Settings]]:
    cfg = tmp_path / "gateway.toml"
    cfg.write_text(
        f'state_dir = "state"\n[database]\nurl = "{database_url}"\n[quarantine]\nkey = "{KEY_A}"\n',
        encoding="utf-8",
    )
    settings = load_settings(cfg, env={})
    _accounts(settings)
    yield cfg, settings


def _accounts(settings: Settings) -> None:
    """The review UI's accounts: ada and olga administrators (olga's disabled), rita a reviewer."""
    q = open_quarantine(settings)
    users = UserStore(q.db, keyring=q.keyring, hasher=cheap_hasher())
    users.migrate()
    users.add("ada", PASSWORD, "admin")
    users.add("olga", PASSWORD, "admin")
    users.set_disabled("olga", True)
    users.add("rita", PASSWORD, "reviewer", scope=["example.ac.uk"])
    q.close()


def _propose(settings: Settings, *marks: tuple[str, Mark]) -> list[str]:
    """Entries proposed by a reviewer's wrong marks, one message each, as the review UI records them."""
    q = open_quarantine(settings)
    store = LearnedStore(q.db, q.keyring, audit=q.audit, clock=q.clock)
    store.migrate()
    ids = []
    for qid, mark in marks:
        ids += store.record_marks(
            message_id=qid,
            rule="patient-identifier",
            sender_domain="example.ac.uk",
            findings=FINDINGS,
            marks=[mark],
            actor="web:rita",
            source="10.0.0.9",
        )
    q.close()
    return ids


def _learned(settings: Settings) -> LearnedStore:
    """The store as a test reads it after a command ran (the command closed its own)."""
    q = open_quarantine(settings)
    return LearnedStore(q.db, q.keyring, audit=q.audit)


def _run(cfg: Path, *argv: str) -> int:
    return main(["--config", str(cfg), "learned", *argv])


def _two(settings: Settings) -> tuple[str, str]:
    staff, code = _propose(
        settings, ("m1", Mark(0, "wrong", "staff", NAME)), ("m2", Mark(1, "wrong", "code", CODE))
    )
    return staff, code


def test_list_shows_id_kind_state_who_and_when_but_no_value(
    config: tuple[Path, Settings], capsys: pytest.CaptureFixture[str]
) -> None:
    """`list` prints each entry's id, kind, state, proposer and time; no value, and it is audited as learn-list."""
    cfg, settings = config
    staff, code = _two(settings)
    assert _run(cfg, "list") == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert [line.split()[:3] for line in lines] == [
        [staff, "staff_name", "proposed"],
        [code, "allowed_value", "proposed"],
    ]
    assert all("proposed by web:rita" in line for line in lines)
    assert NAME.split()[1] not in out and CODE not in out
    store = _learned(settings)
    [row] = store.audit.records(action="learn-list")
    assert (row.actor, row.outcome, row.detail) == (cli_actor()[0], "ok", "proposed=2")
    assert store.audit.records(action="learn") == []


def test_list_json_has_the_documented_keys_and_no_value(
    config: tuple[Path, Settings], capsys: pytest.CaptureFixture[str]
) -> None:
    """`list --json` prints one object per entry with the documented keys, "value" only when revealed."""
    cfg, settings = config
    staff, code = _two(settings)
    assert _run(cfg, "list", "--json") == 0
    objs = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    keys = {"id", "kind", "state", "finding_type", "rule", "message_id"}
    keys |= {"proposed_by", "proposed_at", "decided_by", "decided_at", "reason"}
    assert [set(o) for o in objs] == [keys, keys]
    assert [(o["id"], o["kind"], o["state"], o["message_id"]) for o in objs] == [
        (staff, "staff_name", "proposed", "m1"),
        (code, "allowed_value", "proposed", "m2"),
    ]
    assert _run(cfg, "list", "--json", "--reveal") == 0
    objs = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [o["value"] for o in objs] == [NAME, CODE]


def test_reveal_prints_the_values_and_is_audited_as_the_proposals_page_is(
    config: tuple[Path, Settings], capsys: pytest.CaptureFixture[str]
) -> None:
    """`list --reveal` prints the values after writing a `learn` row with the counts shown, never the values."""
    cfg, settings = config
    staff, _ = _two(settings)
    store = _learned(settings)
    store.decide(staff, "accept", actor="web:ada", source="10.0.0.1")
    assert _run(cfg, "list", "--reveal") == 0
    out = capsys.readouterr().out
    assert f'value: "{NAME}"' in out and f'value: "{CODE}"' in out
    [row] = store.audit.records(action="learn")
    assert row.detail == "proposed=1 accepted=1"
    assert all(NAME.split()[1] not in r.detail and CODE not in r.detail for r in store.audit.records())


@pytest.mark.parametrize(
    ("state", "shown"),
    [("proposed", ["code"]), ("accepted", ["staff"]), ("declined", []), ("withdrawn", [])],
)
def test_list_state_shows_only_that_state(
    config: tuple[Path, Settings], capsys: pytest.CaptureFixture[str], state: str, shown: list[str]
) -> None:
    """`--state S` lists only the entries in state S (and says so when there are none)."""
    cfg, settings = config
    staff, code = _two(settings)
    store = _learned(settings)
    store.decide(staff, "accept", actor="web:ada", source="")
    capsys.readouterr()
    assert _run(cfg, "list", "--state", state) == 0
    out = capsys.readouterr().out
    ids = {"staff": staff, "code": code}
    assert [line.split()[0] for line in out.splitlines()] == ([ids[k] for k in shown] or ["no"])
    if not shown:
        assert out == f"no entries {state}\n"


@pytest.mark.parametrize(
    ("before", "action", "status", "after", "message"),
    [
        (None, "accept", 0, "accepted", ""),
        (None, "decline", 0, "declined", ""),
        ("accept", "withdraw", 0, "withdrawn", ""),
        ("accept", "accept", 1, "accepted", "the entry is accepted, not proposed"),
        ("decline", "accept", 1, "declined", "the entry is declined, not proposed"),
        ("accept", "decline", 1, "accepted", "the entry is accepted, not proposed"),
        (None, "withdraw", 1, "proposed", "the entry is proposed, not accepted"),
        ("decline", "withdraw", 1, "declined", "the entry is declined, not accepted"),
    ],
)
def test_decisions_follow_the_pages_transitions(
    config: tuple[Path, Settings],
    capsys: pytest.CaptureFixture[str],
    before: str | None,
    action: str,
    status: int,
    after: str,
    message: str,
) -> None:
    """Accept and decline take a proposal, withdraw an accepted entry: done is 0, any other is refused with 1."""
    cfg, settings = config
    [entry_id] = _propose(settings, ("m1", Mark(0, "wrong", "staff", NAME)))
    store = _learned(settings)
    if before:
        store.decide(entry_id, before, actor="web:ada", source="")
    capsys.readouterr()
    assert _run(cfg, action, entry_id, "--by", "ada") == status
    out, err = capsys.readouterr()
    entry = store.get(entry_id)
    assert entry is not None and entry.status == after
    if status == 0:
        assert out == f"{entry_id} {after}\n" and entry.decided_by == "cli:ada"
    else:
        assert err == f"gateway: {message}\n" and out == ""
    last = store.audit.records(newest_first=True, limit=1)[0]
    assert (last.action, last.actor, last.outcome) == (
        f"learn-{action}",
        "cli:ada",
        "ok" if status == 0 else "refused",
    )
    assert last.detail == (f"entry={entry_id} kind=staff_name" if status == 0 else f"entry={entry_id}")


def test_a_decision_writes_the_same_audit_row_as_the_page(config: tuple[Path, Settings]) -> None:
    """The command's accept row is the page's, but for who and from where: same action, message and detail."""
    cfg, settings = config
    web, cli = _propose(
        settings, ("m1", Mark(0, "wrong", "staff", NAME)), ("m2", Mark(0, "wrong", "public", NAME))
    )
    store = _learned(settings)
    store.decide(web, "accept", actor="web:ada", source="10.0.0.1")
    assert _run(cfg, "accept", cli, "--by", "ada") == 0
    rows = store.audit.records(action="learn-accept")
    assert [(r.message_id, r.outcome, r.detail.split()[1]) for r in rows] == [
        ("m1", "ok", "kind=staff_name"),
        ("m2", "ok", "kind=public_figure"),
    ]
    assert store.version() == 2  # both moved the counter: every node reloads


def test_an_unknown_id_exits_3_and_is_audited(
    config: tuple[Path, Settings], capsys: pytest.CaptureFixture[str]
) -> None:
    """Deciding an id no entry has says so, exits 3 and writes a not_found row."""
    cfg, settings = config
    _two(settings)
    capsys.readouterr()
    assert _run(cfg, "accept", "0011223344556677", "--by", "ada") == 3
    assert capsys.readouterr().err == "gateway: no learned entry 0011223344556677\n"
    store = _learned(settings)
    [row] = store.audit.records(action="learn-accept")
    assert (row.outcome, row.detail, row.actor) == ("not_found", "entry=0011223344556677", "cli:ada")
    assert {e.status for e in store.entries()} == {"proposed"}


def test_the_reason_is_kept_with_the_entry_and_only_its_length_audited(
    config: tuple[Path, Settings], capsys: pytest.CaptureFixture[str]
) -> None:
    """`--reason` is stored with the decision and listed; the audit row gives its length, not its text."""
    cfg, settings = config
    staff, _ = _two(settings)
    reason = "A visiting lecturer, not a patient"
    assert _run(cfg, "decline", staff, "--by", "ada", "--reason", reason) == 0
    capsys.readouterr()
    assert _run(cfg, "list", "--json", "--state", "declined") == 0
    [obj] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert (obj["reason"], obj["decided_by"]) == (reason, "cli:ada")
    assert _run(cfg, "list", "--state", "declined") == 0
    assert f'reason: "{reason}"' in capsys.readouterr().out
    store = _learned(settings)
    [row] = store.audit.records(action="learn-decline")
    assert row.detail == f"entry={staff} kind=staff_name reason={len(reason)} chars"


def test_a_reason_too_long_is_refused_and_nothing_changes(
    config: tuple[Path, Settings], capsys: pytest.CaptureFixture[str]
) -> None:
    """A reason of more than 500 characters is refused (exit 1); one of exactly 500 is kept."""
    cfg, settings = config
    staff, code = _two(settings)
    assert _run(cfg, "accept", staff, "--by", "ada", "--reason", "x" * 501) == 1
    assert "too long" in capsys.readouterr().err
    assert _run(cfg, "accept", code, "--by", "ada", "--reason", "x" * 500) == 0
    store = _learned(settings)
    assert [(e.status, len(e.reason)) for e in store.entries()] == [("proposed", 0), ("accepted", 500)]


@pytest.mark.parametrize("by", ["", "ada lovelace", "a" * 65, "ada\nroot"])
def test_a_malformed_by_is_a_usage_error(
    config: tuple[Path, Settings], capsys: pytest.CaptureFixture[str], by: str
) -> None:
    """`--by` must be an account-like name; anything else exits 2 and decides nothing."""
    cfg, settings = config
    staff, _ = _two(settings)
    assert _run(cfg, "accept", staff, "--by", by) == 2
    assert "--by takes an administrator's name" in capsys.readouterr().err
    store = _learned(settings)
    assert {e.status for e in store.entries()} == {"proposed"}


def test_by_is_required(config: tuple[Path, Settings], capsys: pytest.CaptureFixture[str]) -> None:
    """A decision without `--by` is a usage error (exit 2): nobody is recorded as having decided."""
    cfg, settings = config
    staff, _ = _two(settings)
    with pytest.raises(SystemExit) as exit_:
        _run(cfg, "accept", staff)
    assert exit_.value.code == 2 and "--by" in capsys.readouterr().err


def test_help_documents_the_exit_statuses(capsys: pytest.CaptureFixture[str]) -> None:
    """`gateway learned accept --help` lists the exit statuses a script can rely on."""
    with pytest.raises(SystemExit) as exit_:
        main(["learned", "accept", "--help"])
    out = capsys.readouterr().out
    assert exit_.value.code == 0
    assert "\nAccept a proposal: it applies on every node within seconds.\n" in out
    assert "\nexit status:\n  0  done\n  1  refused" in out
    for line in ("0  done", "1  refused", "2  usage or configuration error", "3  no entry has that id"):
        assert line in out


def test_an_action_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    """`gateway learned` alone is a usage error (exit 2) naming the actions."""
    with pytest.raises(SystemExit) as exit_:
        main(["learned"])
    assert exit_.value.code == 2 and "ACTION" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("sudo_user", "by", "source"),
    [
        ("", "{me}", "cli"),
        ("", "ada", "cli (login {me})"),
        ("", "zz{me}", "cli (login {me})"),  # sorts after the login: still someone else
        ("ops", "ada", "cli (login ops, sudo as {me})"),
        ("ada", "ada", "cli (sudo as {me})"),
    ],
)
def test_the_source_keeps_the_login_behind_by(
    monkeypatch: pytest.MonkeyPatch, sudo_user: str, by: str, source: str
) -> None:
    """A decision is recorded for --by; when someone else ran the command, the source names that login."""
    me = pwd.getpwuid(os.geteuid()).pw_name
    if sudo_user == me:
        pytest.skip("the test runs as the sudo user it pretends to be")
    monkeypatch.setenv("SUDO_USER", sudo_user)
    assert acting_as(by.format(me=me)) == (f"cli:{by.format(me=me)}", source.format(me=me))


def _when(at: str) -> str:
    return f"{at[:10]} {at[11:19]}"


def test_list_lines_say_who_decided_when_and_why_in_full(
    config: tuple[Path, Settings], capsys: pytest.CaptureFixture[str]
) -> None:
    """A list line gives the time to the second, who decided only when someone did, and a reason as written."""
    cfg, settings = config
    staff, code = _two(settings)
    reason = "Dr Siân Œuvre teaches here"  # not escaped to \\u00e2 in the listing
    assert _run(cfg, "accept", staff, "--by", "ada", "--reason", reason) == 0
    capsys.readouterr()
    assert _run(cfg, "list") == 0
    first, second = _learned(settings).entries()
    assert capsys.readouterr().out.splitlines() == [
        f"{staff}  staff_name    accepted   proposed by web:rita {_when(first.proposed_at)};"
        f' accepted by cli:ada {_when(first.decided_at)}; reason: "{reason}"',
        f"{code}  allowed_value proposed   proposed by web:rita {_when(second.proposed_at)}",
    ]


def test_revealed_values_are_printed_as_written(
    config: tuple[Path, Settings], capsys: pytest.CaptureFixture[str]
) -> None:
    """`--reveal` prints a value with accents and ligatures as it is, not as escapes."""
    cfg, settings = config
    [entry_id] = _propose(settings, ("m1", Mark(0, "wrong", "staff", "Siân Œuvre")))
    assert _run(cfg, "list", "--reveal") == 0
    [line] = capsys.readouterr().out.splitlines()
    assert line.startswith(entry_id) and line.endswith('  value: "Siân Œuvre"')


def test_list_on_a_store_never_marked_says_no_entries(
    config: tuple[Path, Settings], capsys: pytest.CaptureFixture[str]
) -> None:
    """Before any reviewer marked anything, `list` makes the learned tables and says there are no entries."""
    cfg, _ = config
    assert _run(cfg, "list") == 0
    assert capsys.readouterr().out == "no entries\n"


def test_an_over_long_id_is_cut_to_40_characters(
    config: tuple[Path, Settings], capsys: pytest.CaptureFixture[str]
) -> None:
    """An id longer than any entry's is looked up, reported and audited by its first 40 characters."""
    cfg, settings = config
    _two(settings)
    capsys.readouterr()
    assert _run(cfg, "decline", "f" * 60, "--by", "ada") == 3
    assert capsys.readouterr().err == f"gateway: no learned entry {'f' * 40}\n"
    [row] = _learned(settings).audit.records(action="learn-decline")
    assert row.detail == f"entry={'f' * 40}"
