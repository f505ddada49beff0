"""The quarantine store: durable encrypted holds, review decisions, retention, statistics.

The same tests run on PostgreSQL from tests/integration/test_quarantine_postgres.py,
which overrides the `database` fixture.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.act.review import ReviewActions
from gateway.errors import PermanentDeliveryError, StoreError, TemporaryDeliveryError
from gateway.model import Envelope
from gateway.store.audit import AuditEvent
from gateway.store.db import Database
from gateway.store.held import ActionRefused, Filters, ReviewDecision
from tests.quarantine_fixtures import ManualClock, decision, envelope, make_store, message


@pytest.fixture()
def database(tmp_path: Path) -> Iterator[Database]:
    db = Database("", state_dir=tmp_path)
    yield db
    db.close()


def test_hold_commits_encrypted_and_reads_back(database: Database) -> None:
    """A held message is stored encrypted, and reads back byte for byte with its envelope and findings."""
    store = make_store(database)
    raw = message()
    qid = store.hold(envelope(), raw, decision())
    stored = database.execute("SELECT raw, meta FROM quarantine WHERE id = ?", (qid,))[0]
    assert b"Arbuthnot" not in bytes(stored["raw"]) and b"943 476" not in bytes(stored["raw"])
    assert b"Ward round" not in bytes(stored["meta"])
    assert store.raw(qid) == raw
    m = store.get(qid)
    assert m is not None
    assert (m.status, m.rule, m.sender, m.recipients) == (
        "held",
        "patient-identifier",
        "student@example.ac.uk",
        ("friend@mail.example.com",),
    )
    assert m.categories == ("patient_identifier",)
    assert m.findings[0].type == "NHS_NUMBER" and m.subject == "Ward round notes"
    assert m.envelope.mail_options == ("BODY=8BITMIME",) and m.queue_id == "4AbCdEf123"


def test_findings_are_stored_encrypted_with_their_file_names(database: Database) -> None:
    """Where a finding stands names the attachment; the file name (here a patient's) is not stored in
    clear, and the findings read back whole."""
    store = make_store(database)
    held = decision()
    where = "attachment:Quennell_Philippa_bloods.pdf"
    finding = dataclasses.replace(held.findings[0], where=where)
    qid = store.hold(envelope(), message(), dataclasses.replace(held, findings=(finding,)))
    row = database.execute("SELECT * FROM quarantine WHERE id = ?", (qid,))[0]
    stored = b"".join(v if isinstance(v, bytes) else str(v).encode() for v in row.values())
    assert b"Quennell" not in stored
    m = store.get(qid)
    assert m is not None and [(f.type, f.where) for f in m.findings] == [("NHS_NUMBER", where)]


def test_findings_of_rows_held_before_encryption_still_read(database: Database) -> None:
    """A row written before findings moved into the encrypted part keeps showing its findings."""
    store = make_store(database)
    qid = store.hold(envelope(), message(), decision())
    old_meta = store.keyring.encrypt(json.dumps({"subject": "Ward round notes"}).encode(), f"{qid}:meta")
    database.execute(
        "UPDATE quarantine SET findings = ?, meta = ? WHERE id = ?",
        ('[{"category": "patient_identifier", "type": "NHS_NUMBER", "where": "body"}]', old_meta, qid),
    )
    m = store.get(qid)
    assert m is not None and [(f.type, f.where) for f in m.findings] == [("NHS_NUMBER", "body")]
    assert m.subject == "Ward round notes"


def test_hold_past_its_deadline_is_rolled_back(database: Database) -> None:
    """A hold whose deadline passed before its commit raises StoreError and leaves no row and no audit entry."""
    store = make_store(database)
    with pytest.raises(StoreError, match="deadline"):
        store.hold(envelope(), message(), decision(), deadline=time.monotonic() - 1)
    assert store.messages() == []
    assert store.audit.records() == []
    assert store.hold(envelope(), message(), decision(), deadline=time.monotonic() + 30)


def test_hold_is_audited(database: Database) -> None:
    """Each hold writes an audit row naming the message and the rule, in the same commit."""
    store = make_store(database)
    qid = store.hold(envelope(), message(), decision())
    rows = store.audit.records(message_id=qid)
    assert [(r.action, r.outcome) for r in rows] == [("hold", "ok")]
    assert "patient-identifier" in rows[0].detail


def test_hold_failure_raises_store_error(database: Database) -> None:
    """When the table cannot be written the hand-off raises StoreError (the relay answers 451)."""
    store = make_store(database)
    database.execute("DROP TABLE quarantine")
    with pytest.raises(StoreError):
        store.hold(envelope(), message(), decision())


def test_blob_moved_to_another_row_does_not_decrypt(database: Database) -> None:
    """Ciphertext is bound to its row: copying it into another message fails the integrity check."""
    store = make_store(database)
    a = store.hold(envelope(), message(body="first\r\n"), decision())
    b = store.hold(envelope(), message(body="second\r\n"), decision())
    blob = database.execute("SELECT raw FROM quarantine WHERE id = ?", (a,))[0]["raw"]
    database.execute("UPDATE quarantine SET raw = ? WHERE id = ?", (blob, b))
    with pytest.raises(StoreError, match="integrity"):
        store.raw(b)


def test_list_filters_and_search(database: Database) -> None:
    """The list filters by status, rule, category, sender and date, and searches subjects."""
    clock = ManualClock()
    store = make_store(database, clock)
    a = store.hold(envelope("alice@example.ac.uk"), message(subject="Clinic letter"), decision())
    clock.advance(days=2)
    b = store.hold(
        envelope("bob@med.example.ac.uk"),
        message(subject="Rant"),
        decision("abusive-language", "abusive_language"),
    )
    c = store.hold(envelope("carol@other.example.org"), message(subject="Handout"), decision())

    def ids(**kw: object) -> list[str]:
        return [m.id for m in store.messages(Filters(**kw))]  # type: ignore[arg-type]

    assert set(ids()) == {a, b, c} and ids()[-1] == a
    assert ids(rule="abusive-language") == [b]
    assert ids(category="abusive_language") == [b]
    assert set(ids(category="patient_identifier")) == {a, c}
    assert ids(sender="ALICE") == [a]
    assert ids(until="2025-03-03") == [a]
    assert set(ids(since="2025-03-05")) == {b, c}
    assert ids(search="clinic") == [a]
    assert ids(search=b) == [b]
    assert set(ids(scope=("example.ac.uk",))) == {a, b}  # subdomains count
    assert store.count(Filters(scope=("other.example.org",))) == 1
    store.reject(c, actor="t", reason="no", comment="", event=AuditEvent("t", "reject"))
    assert set(ids(status="held")) == {a, b}


def test_reject_records_reason_and_comment(database: Database) -> None:
    """Reject keeps the reason for the sender, the reviewer's comment and who decided."""
    store = make_store(database)
    qid = store.hold(envelope(), message(), decision())
    m = store.reject(
        qid,
        actor="web:rita",
        reason="Contains an NHS number",
        comment="clear case",
        event=AuditEvent("x", "y"),
    )
    assert (m.status, m.decision_reason, m.comment, m.decided_by) == (
        "rejected",
        "Contains an NHS number",
        "clear case",
        "web:rita",
    )
    with pytest.raises(ActionRefused, match="rejected"):
        store.reject(qid, actor="web:rita", reason="again", comment="", event=AuditEvent("x", "y"))


def test_delete_erases_content(database: Database) -> None:
    """Delete erases the message, envelope and findings at once; the decision stays for statistics."""
    store = make_store(database)
    qid = store.hold(envelope(), message(), decision())
    store.delete(qid, actor="cli:root", comment="", event=AuditEvent("cli:root", "delete"))
    m = store.get(qid)
    assert m is not None and m.status == "deleted" and m.purged
    assert (m.sender, m.recipients, m.subject, m.findings) == ("", (), "", ())
    with pytest.raises(ActionRefused):
        store.raw(qid)
    assert store.stats()[0].deleted == 1


def test_unknown_id_is_refused_as_not_found(database: Database) -> None:
    """Actions on an id that does not exist are refused as not found."""
    store = make_store(database)
    with pytest.raises(ActionRefused) as info:
        store.reject("0123456789abcdef", actor="a", reason="r", comment="", event=AuditEvent("a", "b"))
    assert info.value.not_found


def test_retention_purge_with_moved_clock(database: Database) -> None:
    """After retention_days the content is erased, held messages expire, and each purge is audited."""
    clock = ManualClock()
    store = make_store(database, clock, retention_days=30)
    old_held = store.hold(envelope(), message(), decision())
    old_rejected = store.hold(envelope(), message(), decision())
    store.reject(old_rejected, actor="a", reason="r", comment="", event=AuditEvent("a", "reject"))
    clock.advance(days=20)
    young = store.hold(envelope(), message(), decision())
    clock.advance(days=10, seconds=1)  # the first two are now just over 30 days old

    result = store.purge()
    assert set(result.ids) == {old_held, old_rejected} and result.expired == 1
    m = store.get(old_held)
    assert m is not None and (m.status, m.purged, m.sender, m.subject) == ("expired", True, "", "")
    r = store.get(old_rejected)
    assert r is not None and (r.status, r.purged) == ("rejected", True)
    assert store.raw(young) == message()
    purges = store.audit.records(action="purge")
    assert {p.message_id for p in purges} == {old_held, old_rejected}
    assert store.audit.records(action="purge-run")[0].detail.startswith("erased=2")
    assert store.purge().erased == 0  # nothing twice
    clock.advance(days=20)
    assert store.purge().ids == (young,)
    assert store.audit.verify().ok


def test_stats_count_released_versus_confirmed(database: Database) -> None:
    """Per-rule statistics separate holds reviewers released from holds they confirmed."""
    store = make_store(database)
    ids = [store.hold(envelope(), message(), decision()) for _ in range(4)]
    other = store.hold(envelope(), message(), decision("abusive-language", "abusive_language"))
    store.reject(ids[0], actor="a", reason="r", comment="", event=AuditEvent("a", "r"))
    store.reject(ids[1], actor="a", reason="r", comment="", event=AuditEvent("a", "r"))
    store.claim_release(ids[2], AuditEvent("a", "release"))
    store.finish_release(
        ids[2], delivered=True, error="", actor="a", comment="", event=AuditEvent("a", "release")
    )
    stats = {s.rule: s for s in store.stats()}
    pi = stats["patient-identifier"]
    assert (pi.held, pi.released, pi.rejected) == (1, 1, 2)
    assert pi.precision == pytest.approx(2 / 3)
    assert stats["abusive-language"].held == 1 and stats["abusive-language"].precision is None
    assert other


class FakeNextHop:
    """Records deliveries, or refuses them with a given error."""

    def __init__(self, error: Exception | None = None) -> None:
        self.error = error
        self.delivered: list[tuple[Envelope, bytes]] = []

    async def __call__(self, env: Envelope, raw: bytes) -> None:
        if self.error is not None:
            raise self.error
        self.delivered.append((env, raw))


async def test_release_delivers_to_original_recipients(database: Database) -> None:
    """Release hands the original bytes and envelope to the next hop and marks the message released."""
    store = make_store(database)
    raw = message()
    qid = store.hold(envelope("s@example.ac.uk", "a@x.example", "b@y.example"), raw, decision())
    hop = FakeNextHop()
    seen: list[ReviewDecision] = []
    actions = ReviewActions(store, hop, on_decision=seen.append)
    result = await actions.release(qid, actor="web:rita", source="10.0.0.1", comment="false alarm")
    assert result.ok
    assert hop.delivered == [(store.get(qid).envelope, raw)]  # type: ignore[union-attr]
    assert hop.delivered[0][0].rcpt_tos == ("a@x.example", "b@y.example")
    m = store.get(qid)
    assert m is not None and (m.status, m.comment, m.decided_by) == ("released", "false alarm", "web:rita")
    assert [d.action for d in seen] == ["released"]
    outcomes = [(r.action, r.outcome) for r in store.audit.records(message_id=qid)]
    assert outcomes == [("hold", "ok"), ("release", "started"), ("release", "ok")]
    with pytest.raises(ActionRefused, match="released"):
        await actions.release(qid, actor="web:rita", source="10.0.0.1")
    assert len(hop.delivered) == 1


@pytest.mark.parametrize(
    "error",
    [PermanentDeliveryError(550, "5.7.1 relaying denied"), TemporaryDeliveryError(451, "4.3.0 try later")],
)
async def test_refused_release_stays_held_with_error(database: Database, error: Exception) -> None:
    """A release the next hop refuses leaves the message held, with the next hop's answer kept."""
    store = make_store(database)
    qid = store.hold(envelope(), message(), decision())
    seen: list[ReviewDecision] = []
    result = await ReviewActions(store, FakeNextHop(error), on_decision=seen.append).release(
        qid, actor="web:rita", source="10.0.0.1"
    )
    assert not result.ok and str(getattr(error, "code", "")) in result.error
    m = store.get(qid)
    assert m is not None and m.status == "held" and m.last_error == result.error
    assert seen == []
    assert store.audit.records(message_id=qid)[-1].outcome == "failed"
    # and it can be tried again
    ok = await ReviewActions(store, FakeNextHop()).release(qid, actor="web:rita", source="10.0.0.1")
    assert ok.ok and store.get(qid).release_attempts == 2  # type: ignore[union-attr]


async def test_stale_release_can_be_retried(database: Database) -> None:
    """A release interrupted mid-delivery (process died) may be retried once it is stale."""
    clock = ManualClock()
    store = make_store(database, clock)
    qid = store.hold(envelope(), message(), decision())
    store.claim_release(qid, AuditEvent("a", "release", "started"))
    with pytest.raises(ActionRefused, match="releasing"):
        store.claim_release(qid, AuditEvent("a", "release", "started"))
    clock.advance(minutes=11)
    assert store.claim_release(qid, AuditEvent("a", "release", "started")).status == "releasing"


async def test_reject_tells_the_hook_and_needs_a_reason(database: Database) -> None:
    """Reject needs a reason; the on_decision hook receives it with the envelope to tell the sender."""
    store = make_store(database)
    qid = store.hold(envelope(), message(), decision())
    seen: list[ReviewDecision] = []

    async def hook(d: ReviewDecision) -> None:
        seen.append(d)

    actions = ReviewActions(store, None, on_decision=hook)
    with pytest.raises(ActionRefused, match="reason"):
        await actions.reject(qid, actor="cli:root", source="cli", reason="  ")
    await actions.reject(qid, actor="cli:root", source="cli", reason="Remove the NHS number", comment="c")
    assert len(seen) == 1
    assert (seen[0].action, seen[0].reason, seen[0].message.envelope.mail_from) == (
        "rejected",
        "Remove the NHS number",
        "student@example.ac.uk",
    )


async def test_failing_hook_does_not_undo_decision(database: Database) -> None:
    """If the notification hook fails, the committed decision stands."""
    store = make_store(database)
    qid = store.hold(envelope(), message(), decision())

    def hook(d: ReviewDecision) -> None:
        raise RuntimeError("mail server down")

    result = await ReviewActions(store, None, on_decision=hook).reject(
        qid, actor="a", source="cli", reason="r"
    )
    assert result.ok and store.get(qid).status == "rejected"  # type: ignore[union-attr]


def test_audit_detail_carries_no_comment_text(database: Database) -> None:
    """Comments and reasons may quote the message: the audit log records their length only."""
    store = make_store(database)
    qid = store.hold(envelope(), message(), decision())
    import asyncio

    asyncio.run(
        ReviewActions(store, None).reject(
            qid, actor="a", source="cli", reason="Mr Arbuthnot is named", comment="943 476 5919"
        )
    )
    text = " ".join(r.detail for r in store.audit.records())
    assert "Arbuthnot" not in text and "943" not in text
