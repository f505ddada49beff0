"""`gateway learned accept|decline|withdraw --by NAME`: NAME must be an enabled administrator of the review UI.

The same tests run on PostgreSQL from tests/integration/test_learned_postgres.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.cli import main
from gateway.commands.quarantine import cli_actor
from gateway.config import Settings, load_settings
from gateway.store.opening import open_quarantine
from gateway.store.users import UserStore, cheap_hasher
from tests.quarantine_fixtures import KEY_A
from tests.unit.commands.test_learned_cli import PASSWORD, _learned, _run, _two
from tests.unit.commands.test_learned_cli import config as config  # the fixtures, for these tests too
from tests.unit.commands.test_learned_cli import database_url as database_url


@pytest.mark.parametrize(
    ("by", "why"),
    [
        ("rita", "rita is a reviewer, not an administrator"),
        ("olga", "olga's account is disabled"),
        ("mallory", "mallory is not an account of the review UI"),
        ("ADA", "ADA is not an account of the review UI"),  # account names are exact, as at login
    ],
)
@pytest.mark.parametrize("action", ["accept", "decline", "withdraw"])
def test_by_must_name_an_enabled_administrator(
    config: tuple[Path, Settings], capsys: pytest.CaptureFixture[str], by: str, why: str, action: str
) -> None:
    """`--by` naming a reviewer, a disabled admin or no account is refused (exit 1): nothing is decided."""
    cfg, settings = config
    staff, _ = _two(settings)
    store = _learned(settings)
    if action == "withdraw":
        store.decide(staff, "accept", actor="web:ada", source="")
    before = store.get(staff)
    capsys.readouterr()
    assert _run(cfg, action, staff, "--by", by, "--reason", "because") == 1
    out, err = capsys.readouterr()
    assert out == "" and err == f"gateway: --by {why}: only an administrator may decide on learned entries\n"
    assert store.get(staff) == before
    last = store.audit.records(newest_first=True, limit=1)[0]
    login_actor, login_source = cli_actor()
    assert (last.action, last.actor, last.source, last.outcome, last.detail) == (
        f"learn-{action}",
        login_actor,
        login_source,
        "refused",
        f"entry={staff} by={by}: not an administrator",
    )


def test_a_store_without_accounts_refuses_every_by(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], database_url: str
) -> None:
    """Before any account of the review UI exists, nobody can be named as the deciding administrator."""
    cfg = tmp_path / "bare.toml"
    cfg.write_text(
        f'state_dir = "bare"\n[database]\nurl = "{database_url}"\n[quarantine]\nkey = "{KEY_A}"\n',
        encoding="utf-8",
    )
    settings = load_settings(cfg, env={})
    staff, _ = _two(settings)
    assert _run(cfg, "accept", staff, "--by", "ada") == 1
    assert "ada is not an account of the review UI" in capsys.readouterr().err
    assert {e.status for e in _learned(settings).entries()} == {"proposed"}


def test_help_says_by_must_be_an_administrator(capsys: pytest.CaptureFixture[str]) -> None:
    """`gateway learned decline --help` says --by takes an enabled admin account and that others exit 1."""
    with pytest.raises(SystemExit):
        main(["learned", "decline", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "an enabled review-UI account with the admin role" in out
    assert "1 refused: --by NAME is not an enabled administrator account of the review UI" in out


@pytest.mark.parametrize("name", ["q", "a" * 64, "ops.admin@example.ac.uk"])
def test_any_account_name_of_an_administrator_is_taken(
    config: tuple[Path, Settings], capsys: pytest.CaptureFixture[str], name: str
) -> None:
    """Every name the review UI allows an account (1-64 letters, digits, '.', '_', '@', '-') may decide."""
    cfg, settings = config
    q = open_quarantine(settings)
    UserStore(q.db, keyring=q.keyring, hasher=cheap_hasher()).add(name, PASSWORD, "admin")
    q.close()
    staff, _ = _two(settings)
    assert _run(cfg, "accept", staff, "--by", name) == 0
    entry = _learned(settings).get(staff)
    assert entry is not None and (entry.status, entry.decided_by) == ("accepted", f"cli:{name}")
