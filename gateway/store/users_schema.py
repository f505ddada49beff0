"""The tables of the review UI's accounts (web_users, web_sessions, login_throttle) and their migrations.

Steps are applied in order by gateway/store/db.py and recorded by number:
never edit a released step, append a new one to MIGRATIONS.
"""

from __future__ import annotations

from collections.abc import Callable

from gateway.store.db import Tx
from gateway.store.totp import SecretBox

#: a step is SQL, or a callable given the key ring's SecretBox and the transaction; append new
#: steps at the end of this one list, whatever their kind, so each keeps its version number
Step = str | Callable[[SecretBox, Tx], None]


def _seal_clear_secrets(box: SecretBox, tx: Tx) -> None:
    """TOTP secrets stored in clear by earlier versions are encrypted in place."""
    rows = tx.execute("SELECT name, totp_secret FROM web_users WHERE totp_secret <> ''")
    for r in rows:
        if not box.is_sealed(str(r["totp_secret"])):
            sealed = box.seal(str(r["name"]), str(r["totp_secret"]))
            tx.execute("UPDATE web_users SET totp_secret = ? WHERE name = ?", (sealed, r["name"]))


MIGRATIONS: list[Step] = [
    "CREATE TABLE web_users ("
    " name TEXT PRIMARY KEY, password_hash TEXT NOT NULL, role TEXT NOT NULL,"
    " disabled INTEGER NOT NULL DEFAULT 0, scope TEXT NOT NULL DEFAULT '',"
    " totp_secret TEXT NOT NULL DEFAULT '', created TEXT NOT NULL, last_login TEXT NOT NULL DEFAULT '');"
    "CREATE TABLE web_sessions ("
    " id_hash TEXT PRIMARY KEY, user_name TEXT NOT NULL REFERENCES web_users(name),"
    " csrf TEXT NOT NULL, created {real} NOT NULL, last_seen {real} NOT NULL, source TEXT NOT NULL,"
    " revealed TEXT NOT NULL DEFAULT '{}', flash TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX web_sessions_user ON web_sessions (user_name);"
    "CREATE TABLE login_throttle ("
    " key TEXT PRIMARY KEY, failures INTEGER NOT NULL, last_failure {real} NOT NULL,"
    " locked_until {real} NOT NULL)",
    # the TOTP time step last used to log in, so a code cannot be used twice
    "ALTER TABLE web_users ADD COLUMN totp_step {bigint} NOT NULL DEFAULT 0",
    # an authenticator being enrolled in this session (encrypted), until its first code confirms it
    "ALTER TABLE web_sessions ADD COLUMN totp_pending TEXT NOT NULL DEFAULT ''",
    # throttle keys are stored hashed from now on: counts kept under clear keys (which could hold
    # a password typed into the name field) are dropped
    "DELETE FROM login_throttle",
    # version 5: TOTP secrets stored in clear by earlier versions are encrypted
    _seal_clear_secrets,
    # version 6: a one-time enrolment code an administrator issued (its SHA-256) and until when it holds
    "ALTER TABLE web_users ADD COLUMN enrol_hash TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE web_users ADD COLUMN enrol_until {real} NOT NULL DEFAULT 0",
]

#: how long an enrolment code issued by an administrator holds
ENROL_CODE_HOURS = 24.0
