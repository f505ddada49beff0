"""The durable outbox (gateway.store.outbox): encrypted rows, claims with leases, retries, rate limit, digests.

The same tests run on PostgreSQL from tests/integration/test_notify_postgres.py,
which overrides the `database` fixture.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator, Sequence
from datetime import timedelta
from pathlib import Path

import pytest

from gateway.errors import StoreError
from gateway.store.crypto import Keyring
from gateway.store.db import Database
from gateway.store.outbox import AlertLine, NewMail, Outbox
from tests.unit.notify.doubles import ManualClock

KEY = base64.b64encode(bytes(range(7, 39))).decode()
MAIL = b"Subject: Held for review\r\n\r\nThe text of a notice about NHS number [NHS number removed].\r\n"


@pytest.fixture()
def database(tmp_path: Path) -> Iterator[Database]:
    db = Database("", state_dir=tmp_path)
    yield db
    db.close()


@pytest.fixture()
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture()
def outbox(database: Database, clock: ManualClock) -> Outbox:
    box = Outbox(database, Keyring([base64.b64decode(KEY)]), clock=clock)
    box.migrate()
    return box


def test_enqueued_mail_is_encrypted_and_claimed_whole(outbox: Outbox, database: Database) -> None:
    """A committed notice is stored encrypted and comes back byte for byte with its envelope."""
    oid = outbox.enqueue("sender", "", "student@example.ac.uk", MAIL, ref="q1")
    assert oid is not None
    stored = database.execute("SELECT content FROM notify_outbox WHERE id = ?", (oid,))[0]["content"]
    assert b"NHS number" not in bytes(stored)
    (mail,) = outbox.claim_due()
    assert (mail.id, mail.kind, mail.ref, mail.mail_from, mail.rcpt, mail.content) == (
        oid,
        "sender",
        "q1",
        "",
        "student@example.ac.uk",
        MAIL,
    )
    assert mail.attempts == 1


def test_a_claim_is_a_lease(outbox: Outbox, clock: ManualClock) -> None:
    """A claimed row is not handed out again until its lease runs out (a worker that died)."""
    outbox.enqueue("sender", "", "a@example.ac.uk", MAIL)
    assert len(outbox.claim_due(lease=timedelta(minutes=5))) == 1
    assert outbox.claim_due() == []
    clock.advance(minutes=6)
    (again,) = outbox.claim_due()
    assert again.attempts == 2


def test_sent_rows_are_done(outbox: Outbox, clock: ManualClock) -> None:
    """A row marked sent is never claimed again, and the counts say so."""
    oid = outbox.enqueue("sender", "", "a@example.ac.uk", MAIL)
    assert oid is not None
    outbox.claim_due()
    outbox.mark_sent(oid)
    clock.advance(hours=2)
    assert outbox.claim_due() == []
    assert outbox.counts() == {"sent": 1}
    assert outbox.next_due() is None


def test_retry_waits_until_its_time(outbox: Outbox, clock: ManualClock) -> None:
    """A deferred row keeps its error and is due again exactly when the worker said."""
    oid = outbox.enqueue("sender", "", "a@example.ac.uk", MAIL)
    assert oid is not None
    outbox.claim_due()
    outbox.mark_retry(oid, "451 4.3.0 later", clock() + timedelta(minutes=2))
    (entry,) = outbox.entries()
    assert (entry.status, entry.last_error, entry.attempts) == ("pending", "451 4.3.0 later", 1)
    assert outbox.next_due() == clock() + timedelta(minutes=2)
    clock.advance(minutes=1)
    assert outbox.claim_due() == []
    clock.advance(minutes=1)
    assert [m.id for m in outbox.claim_due()] == [oid]


def test_failed_rows_stop(outbox: Outbox, clock: ManualClock) -> None:
    """A row given up is kept with its error and never tried again."""
    oid = outbox.enqueue("sender", "", "a@example.ac.uk", MAIL)
    assert oid is not None
    outbox.claim_due()
    outbox.mark_failed(oid, "550 5.1.1 no such user")
    clock.advance(days=1)
    assert outbox.claim_due() == []
    assert outbox.entries(status="failed")[0].last_error == "550 5.1.1 no such user"


def test_oldest_first_in_batches(outbox: Outbox, clock: ManualClock) -> None:
    """Due rows are claimed oldest first, `limit` at a time."""
    ids = []
    for i in range(5):
        ids.append(outbox.enqueue("sender", "", f"s{i}@example.ac.uk", MAIL))
        clock.advance(seconds=1)
    first = outbox.claim_due(limit=3)
    second = outbox.claim_due(limit=3)
    assert [m.id for m in first + second] == ids


def test_rate_limit_per_key_per_hour(outbox: Outbox, clock: ManualClock) -> None:
    """The N+1th notice to one sender within an hour is refused; others and later ones are not."""
    for _ in range(3):
        assert outbox.enqueue("sender", "", "a@example.ac.uk", MAIL, rate_key="a@example.ac.uk", rate_limit=3)
    assert (
        outbox.enqueue("sender", "", "a@example.ac.uk", MAIL, rate_key="a@example.ac.uk", rate_limit=3)
        is None
    )
    assert outbox.enqueue("sender", "", "b@example.ac.uk", MAIL, rate_key="b@example.ac.uk", rate_limit=3)
    assert outbox.enqueue("alert", "", "a@example.ac.uk", MAIL)  # no key: not limited
    clock.advance(minutes=61)
    assert outbox.enqueue("sender", "", "a@example.ac.uk", MAIL, rate_key="a@example.ac.uk", rate_limit=3)
    assert len(outbox.entries()) == 6


def test_ciphertext_is_bound_to_its_row(outbox: Outbox, database: Database) -> None:
    """A blob copied into another row does not decrypt there."""
    a = outbox.enqueue("sender", "", "a@example.ac.uk", MAIL)
    b = outbox.enqueue("sender", "", "b@example.ac.uk", b"other")
    blob = database.execute("SELECT content FROM notify_outbox WHERE id = ?", (a,))[0]["content"]
    database.execute("UPDATE notify_outbox SET content = ? WHERE id = ?", (blob, b))
    with pytest.raises(StoreError):
        outbox.content(str(b))


def test_digest_takes_every_pending_line_once(outbox: Outbox, clock: ManualClock) -> None:
    """Pending alert lines become one digest mail in one commit; a second take finds nothing."""
    outbox.add_alert("q1", {"id": "q1", "rule": "patient-identifier"})
    clock.advance(minutes=1)
    outbox.add_alert("q2", {"id": "q2", "rule": "university-document-outside"})
    assert outbox.oldest_alert() == clock() - timedelta(minutes=1)
    seen: list[Sequence[AlertLine]] = []

    def build(lines: Sequence[AlertLine]) -> NewMail:
        seen.append(lines)
        return NewMail(
            "digest", "", "review@example.ac.uk", b"digest of " + b",".join(x.ref.encode() for x in lines)
        )

    oid = outbox.take_alerts(build)
    assert oid is not None and [x.summary["id"] for x in seen[0]] == ["q1", "q2"]
    assert outbox.content(oid) == b"digest of q1,q2"
    assert outbox.take_alerts(build) is None and outbox.oldest_alert() is None


def test_digest_lines_stay_when_nothing_is_built(outbox: Outbox) -> None:
    """If the builder declines, the lines wait for the next digest."""
    outbox.add_alert("q1", {"id": "q1"})
    assert outbox.take_alerts(lambda lines: None) is None
    assert outbox.oldest_alert() is not None


def test_prune_keeps_pending_and_recent_rows(outbox: Outbox, clock: ManualClock) -> None:
    """Finished rows older than a week go; pending rows and recent ones stay."""
    old = outbox.enqueue("sender", "", "a@example.ac.uk", MAIL)
    pending = outbox.enqueue("sender", "", "b@example.ac.uk", MAIL)
    assert old is not None and pending is not None
    outbox.mark_sent(old)
    clock.advance(days=8)
    recent = outbox.enqueue("sender", "", "c@example.ac.uk", MAIL)
    assert recent is not None
    outbox.mark_sent(recent)
    assert outbox.prune() == 1
    assert {e.id for e in outbox.entries()} == {pending, recent}


def test_unencrypted_outbox_for_tools(database: Database, clock: ManualClock) -> None:
    """Without a key ring rows are stored as they are (tools, tests); reading them still works."""
    box = Outbox(database, clock=clock)
    box.migrate()
    oid = box.enqueue("sender", "", "a@example.ac.uk", MAIL)
    assert box.content(str(oid)) == MAIL


def test_migration_is_idempotent(outbox: Outbox) -> None:
    """Migrating again (a restart, a second node) changes nothing."""
    outbox.enqueue("sender", "", "a@example.ac.uk", MAIL)
    outbox.migrate()
    assert len(outbox.entries()) == 1
