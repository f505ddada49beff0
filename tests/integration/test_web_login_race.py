"""Login throttling raced over real sockets: 40 wrong passwords at once against the served review UI.

The review UI runs in uvicorn (as `gateway serve` runs it) on SQLite and on
a real PostgreSQL server (tests/postgres.py); 40 clients post a wrong
password for one account at the same moment. Each attempt is counted before
its password is checked, so at most `max_failed_logins` passwords are
checked; the right password afterwards is answered 429 until the lock
runs out.
"""

from __future__ import annotations

import asyncio
import re
import threading
from pathlib import Path

import httpx
import pytest

from gateway.store.db import Database
from gateway.store.users import UserStore
from gateway.web.service import WebService, start_web
from tests.quarantine_fixtures import ManualClock, make_store, settings_for
from tests.unit.web.conftest import CountingHasher

pytestmark = pytest.mark.integration

PASSWORD = "the right long passphrase"
PARALLEL = 40


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return ""
    return str(request.getfixturevalue("postgres_url"))


def _login(client: httpx.Client, password: str) -> int:
    page = client.get("/login")
    token = re.search(r'name="login_token" value="([^"]+)"', page.text)
    assert token is not None
    form = {"login_token": token.group(1), "name": "rita", "password": password}
    return client.post("/login", data=form).status_code


def test_parallel_wrong_passwords_are_checked_at_most_the_limit(tmp_path: Path, db_url: str) -> None:
    """40 parallel wrong passwords: at most the limit are checked; the right one gets 429 until the lock ends."""
    settings = settings_for(tmp_path, db_url, web='listen = "127.0.0.1:0"\nmax_failed_logins = 5')
    db = Database(db_url, state_dir=tmp_path)
    clock = ManualClock()
    store = make_store(db, clock)
    hasher = CountingHasher()
    users = UserStore(db, keyring=store.keyring, clock=clock, hasher=hasher)
    users.migrate()
    users.add("rita", PASSWORD, "reviewer")
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    service: WebService = asyncio.run_coroutine_threadsafe(
        start_web(settings, None, store, None, users=users, clock=clock), loop
    ).result(timeout=30)
    answers: list[int] = []
    try:
        clients = [httpx.Client(base_url=service.url, timeout=60) for _ in range(PARALLEL)]
        start = threading.Barrier(PARALLEL)

        def guess(c: httpx.Client) -> None:
            page = c.get("/login")
            token = re.search(r'name="login_token" value="([^"]+)"', page.text)
            assert token is not None
            form = {"login_token": token.group(1), "name": "rita", "password": "a wrong guess at it"}
            start.wait()
            answers.append(c.post("/login", data=form).status_code)

        threads = [threading.Thread(target=guess, args=(c,)) for c in clients]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        for c in clients:
            c.close()
        checks_after_race = hasher.checks
        with httpx.Client(base_url=service.url, timeout=60) as c:
            right_while_locked = _login(c, PASSWORD)
            clock.advance(seconds=61)
            right_after_lock = _login(c, PASSWORD)
    finally:
        asyncio.run_coroutine_threadsafe(service.close(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        db.close()
    assert len(answers) == PARALLEL
    assert checks_after_race == 5  # the configured limit: not fewer (zero checked would pass "<=")
    assert answers.count(401) == checks_after_race and answers.count(429) == PARALLEL - checks_after_race
    assert right_while_locked == 429
    assert right_after_lock == 303


def test_successes_and_attempts_racing_on_postgresql_never_fail(postgres_url: str, tmp_path: Path) -> None:
    """Logins that succeed and fail at once on shared keys (PostgreSQL row locks) raise no error: no 500 or 503."""
    from gateway.store.throttle import LoginThrottle

    db = Database(postgres_url, state_dir=tmp_path)
    UserStore(db).migrate()
    throttle = LoginThrottle(db, clock=ManualClock())
    errors: list[BaseException] = []
    start = threading.Barrier(16)

    def node(i: int) -> None:
        # every thread shares the address and two accounts, in both clear-text orders
        keys = [
            (f"user:{'rita' if i % 2 else 'adam'}", 10**6),
            ("ip:10.0.0.9", 10**6),
            ("ip:10.0.0.7", 10**6),
        ]
        start.wait()
        try:
            for _ in range(40):
                throttle.attempt(keys)
                throttle.succeeded(keys, clear=keys[0][0])
                throttle.clear(keys[0][0])
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=node, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    db.close()
    assert errors == []
