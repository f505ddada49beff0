"""Test doubles for the quarantine, its review UI and CLI: a movable clock, messages, decisions.

Every message here is invented for the tests (no corpus text, names or numbers).
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from pathlib import Path

from gateway.config import Settings, load_settings
from gateway.model import Decision, Envelope, Finding, Verdict
from gateway.store.crypto import Keyring
from gateway.store.db import Database
from gateway.store.quarantine import QuarantineStore

KEY_A = base64.b64encode(bytes(range(32))).decode()
KEY_B = base64.b64encode(bytes(range(100, 132))).decode()


class ManualClock:
    """A clock that only moves when a test moves it."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2025, 3, 3, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


def message(
    subject: str = "Ward round notes",
    body: str = "Patient Mr Quentin Arbuthnot, NHS number 943 476 5919, seen today.\r\n",
    *,
    sender: str = "student@example.ac.uk",
    to: str = "friend@mail.example.com",
    html: str = "",
    attachment: tuple[str, bytes] | None = None,
) -> bytes:
    """A small RFC 5322 message (CRLF), optionally with an HTML alternative and an attachment."""
    head = (
        f"From: Student <{sender}>\r\nTo: {to}\r\nSubject: {subject}\r\n"
        "Date: Mon, 03 Mar 2025 09:00:00 +0000\r\nMessage-ID: <t1@example.ac.uk>\r\nMIME-Version: 1.0\r\n"
    )
    if not html and attachment is None:
        return (head + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body).encode()
    b = "BOUNDARY-x1"
    parts = [f"--{b}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"]
    if html:
        parts.append(f"--{b}\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}\r\n")
    if attachment is not None:
        name, data = attachment
        enc = base64.b64encode(data).decode()
        parts.append(
            f"--{b}\r\nContent-Type: application/octet-stream\r\n"
            f'Content-Disposition: attachment; filename="{name}"\r\n'
            f"Content-Transfer-Encoding: base64\r\n\r\n{enc}\r\n"
        )
    return (
        head + f'Content-Type: multipart/mixed; boundary="{b}"\r\n\r\n' + "".join(parts) + f"--{b}--\r\n"
    ).encode()


def envelope(sender: str = "student@example.ac.uk", *rcpts: str) -> Envelope:
    return Envelope(
        mail_from=sender,
        rcpt_tos=tuple(rcpts) or ("friend@mail.example.com",),
        client_address="127.0.0.1",
        queue_id="4AbCdEf123",
        mail_options=("BODY=8BITMIME",),
    )


def decision(rule: str = "patient-identifier", category: str = "patient_identifier") -> Decision:
    findings = (
        Finding(
            category=category,
            type="NHS_NUMBER" if category == "patient_identifier" else "PROFANITY",
            where="body",
            score=0.95,
            evidence="NHS number [NHS_NUMBER]",
            detector="test",
        ),
    )
    return Decision(
        verdict=Verdict.HOLD, rule=rule, rules=(rule,), reason="held for review", findings=findings
    )


def make_store(
    db: Database, clock: ManualClock | None = None, *, retention_days: int = 30
) -> QuarantineStore:
    store = QuarantineStore(
        db, Keyring([base64.b64decode(KEY_A)]), retention_days=retention_days, clock=clock or ManualClock()
    )
    store.migrate()
    return store


def settings_for(tmp_path: Path, db_url: str = "", **sections: str) -> Settings:
    """Settings with state in tmp_path, written as a real configuration file."""
    extra = "".join(f"\n[{name}]\n{body}\n" for name, body in sections.items())
    cfg = tmp_path / "gateway.toml"
    cfg.write_text(
        f'state_dir = "{tmp_path / "state"}"\n[database]\nurl = "{db_url}"\n'
        f'[quarantine]\nkey = "{KEY_A}"\n' + extra,
        encoding="utf-8",
    )
    return load_settings(cfg, env={})
