"""A review UI on a temporary SQLite store, with a movable clock, a fake next hop and three accounts.

Admins need an authenticator app by default, so "adam" has one enrolled and
`Ui.login` types its current code (moving the clock on a time step first, as
a code logs in only once).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from starlette.testclient import TestClient

from gateway.config import Settings
from gateway.model import Envelope
from gateway.store.db import Database
from gateway.store.held import ReviewDecision
from gateway.store.quarantine import QuarantineStore
from gateway.store.users import UserStore, cheap_hasher, totp_code, totp_new_secret
from gateway.web.app import create_app
from tests.quarantine_fixtures import ManualClock, make_store, settings_for

PASSWORD = "a long enough password"


class FakeNextHop:
    """Records what release delivers; refuses with `error` when set."""

    def __init__(self) -> None:
        self.error: Exception | None = None
        self.delivered: list[tuple[Envelope, bytes]] = []

    async def __call__(self, env: Envelope, raw: bytes) -> None:
        if self.error is not None:
            raise self.error
        self.delivered.append((env, raw))


@dataclass
class Ui:
    settings: Settings
    store: QuarantineStore
    users: UserStore
    clock: ManualClock
    hop: FakeNextHop
    decisions: list[ReviewDecision] = field(default_factory=list)
    app: Any = None
    secrets: dict[str, str] = field(default_factory=dict)  # enrolled authenticators, by account

    def code(self, name: str) -> str:
        """The account's current TOTP code, on a time step of its own (a code logs in once)."""
        self.clock.advance(seconds=30)
        return totp_code(self.secrets[name], self.clock.now.timestamp())

    def client(self, **kw: Any) -> TestClient:
        return TestClient(self.app, follow_redirects=False, **kw)

    def login(self, name: str, password: str = PASSWORD, client: TestClient | None = None) -> TestClient:
        c = client or self.client()
        code = self.code(name) if name in self.secrets else ""
        r = c.post("/login", data={**login_fields(c), "name": name, "password": password, "code": code})
        assert r.status_code == 303, r.text
        return c

    def audit(self, **kw: Any) -> list[Any]:
        return self.store.audit.records(**kw)


def login_fields(c: TestClient) -> dict[str, str]:
    page = c.get("/login")
    token = re.search(r'name="login_token" value="([^"]+)"', page.text)
    assert token, page.text
    return {"login_token": token.group(1)}


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, "no CSRF token in the page"
    return m.group(1)


def make_ui(tmp_path: Path, **web: str) -> Iterator[Ui]:
    body = "\n".join(f"{k} = {v}" for k, v in web.items())
    settings = settings_for(tmp_path, web=body) if body else settings_for(tmp_path)
    db = Database("", state_dir=tmp_path)
    clock = ManualClock()
    store = make_store(db, clock)
    users = UserStore(db, keyring=store.keyring, clock=clock, hasher=cheap_hasher())
    users.migrate()
    users.add("rita", PASSWORD, "reviewer")
    users.add("adam", PASSWORD, "admin")
    users.add("sam", PASSWORD, "reviewer", scope=["other.example.org"])
    ui = Ui(settings, store, users, clock, FakeNextHop(), secrets={"adam": totp_new_secret()})
    users.set_totp("adam", ui.secrets["adam"])
    ui.app = create_app(
        settings, store, deliver=ui.hop, on_decision=ui.decisions.append, users=users, clock=clock
    )
    yield ui
    db.close()


@pytest.fixture()
def ui(tmp_path: Path) -> Iterator[Ui]:
    yield from make_ui(tmp_path)


class CountingHasher(PasswordHasher):
    """Cheap argon2 that counts how many passwords it checked."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)
        self.checks = 0
        self._lock = threading.Lock()

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        with self._lock:
            self.checks += 1
        return super().verify(hash, password)
