"""`gateway users enrol-code` and `gateway quarantine rotate-key` as they touch review UI accounts, from the
command line against a real store."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from gateway.store.opening import open_quarantine
from tests.unit.commands.test_quarantine_cli import _run, _settings


def test_users_enrol_code_lets_the_account_enrol_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`users enrol-code NAME` prints a one-time code the account's first UI enrolment needs; it is audited."""
    from gateway.store.users import UserStore, totp_code

    cfg, s = _settings(tmp_path)
    store = open_quarantine(s)
    users = UserStore(store.db, keyring=store.keyring)
    users.migrate()
    adam = users.add("adam", "a very good password", "admin")
    capsys.readouterr()
    assert _run(cfg, "users", "enrol-code", "adam", "--hours", "2") == 0
    code = capsys.readouterr().out.strip()
    assert _run(cfg, "users", "enrol-code", "nobody") == 1
    token = users.create_session(adam, "10.0.0.1")
    secret = users.start_enrolment(token, "adam")
    assert users.confirm_enrolment(token, "adam", totp_code(secret, time.time()), issued=code)
    assert [(r.action, r.outcome) for r in store.audit.records(action="user-enrol-code")] == [
        ("user-enrol-code", "ok"),
        ("user-enrol-code", "refused"),
    ]
    assert code not in " ".join(r.detail for r in store.audit.records())
    store.close()


def test_rotate_key_then_dropping_the_old_key_keeps_mfa_logins(tmp_path: Path) -> None:
    """After `rotate-key` and removing the old key from the file, an account with an authenticator still logs in."""
    from gateway.store.crypto import write_key_file
    from gateway.store.users import UserStore, totp_code, totp_new_secret

    cfg, s = _settings(tmp_path, key_line="")
    store = open_quarantine(s)
    users = UserStore(store.db, keyring=store.keyring)
    users.migrate()
    users.add("adam", "a very good password", "admin")
    secret = totp_new_secret()
    users.set_totp("adam", secret)
    store.close()
    assert _run(cfg, "quarantine", "rotate-key") == 0
    key_file = tmp_path / "state" / "quarantine.key"
    keys = [x for x in key_file.read_text().splitlines() if x and not x.startswith("#")]
    write_key_file(key_file, keys[:1])  # the old key dropped
    store = open_quarantine(s)
    assert store.keys_in_use() == {store.keyring.current_id: 1}
    users = UserStore(store.db, keyring=store.keyring)
    assert users.authenticate("adam", "a very good password", totp_code(secret, time.time())) is not None
    store.close()
