"""Reviewers' marks and the entries they propose: propose, accept, decline, withdraw, precision.

The same tests run on PostgreSQL from tests/integration/test_quarantine_postgres.py.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.model import Finding
from gateway.model.learned import ALLOWED_VALUE, PUBLIC_FIGURE, STAFF_NAME, LearnedEntries
from gateway.store.crypto import Keyring
from gateway.store.db import Database
from gateway.store.held import ActionRefused
from gateway.store.learned import LearnedStore, Mark, learned_loader
from gateway.store.quarantine import QuarantineStore
from tests.quarantine_fixtures import KEY_A, KEY_B, ManualClock

NAME = "Ottoline Fairweather"  # invented for these tests
FINDINGS = (
    Finding(
        "patient_identifier", "PATIENT_NAME", "body", 0.9, "Mrs [PATIENT_NAME]", details={"spans": [[4, 24]]}
    ),
    Finding(
        "patient_identifier",
        "HOSPITAL_NUMBER",
        "body",
        0.8,
        "[HOSPITAL_NUMBER]",
        details={"spans": [[30, 38]]},
    ),
    Finding("abusive_language", "PROFANITY", "body", 0.7, "[PROFANITY]"),
)


@pytest.fixture()
def database(tmp_path: Path) -> Iterator[Database]:
    db = Database("", state_dir=tmp_path)
    yield db
    db.close()


def _store(db: Database, clock: ManualClock | None = None, key: str = KEY_A, *more: str) -> LearnedStore:
    keyring = Keyring([base64.b64decode(k) for k in (key, *more)])
    store = LearnedStore(db, keyring, clock=clock or ManualClock())
    store.migrate()
    return store


def _mark(
    store: LearnedStore,
    *marks: Mark,
    qid: str = "a1b2c3",
    rule: str = "patient-identifier",
    domain: str = "example.ac.uk",
    actor: str = "web:rita",
) -> list[str]:
    return store.record_marks(
        message_id=qid,
        rule=rule,
        sender_domain=domain,
        findings=FINDINGS,
        marks=marks,
        actor=actor,
        source="10.0.0.9",
    )


@pytest.mark.parametrize(
    ("mark", "kind"),
    [
        (Mark(0, "wrong", "staff", NAME), STAFF_NAME),
        (Mark(0, "wrong", "public", NAME), PUBLIC_FIGURE),
        (Mark(1, "wrong", "code", "WARD-0042"), ALLOWED_VALUE),
        (Mark(2, "wrong", "fine"), ""),
        (Mark(0, "wrong", "other"), ""),
        (Mark(0, "right"), ""),
    ],
)
def test_wrong_marks_of_the_first_three_reasons_propose_an_entry(
    database: Database, mark: Mark, kind: str
) -> None:
    """Staff, public figure and ordinary code propose an entry of that kind; other marks propose nothing."""
    store = _store(database)
    created = _mark(store, mark)
    entries = store.entries()
    assert [(e.kind, e.status, e.proposed_by, e.message_id) for e in entries] == (
        [(kind, "proposed", "web:rita", "a1b2c3")] if kind else []
    )
    assert created == [e.id for e in entries]
    if kind:
        assert entries[0].value == mark.value
        assert (
            entries[0].finding_type == FINDINGS[mark.finding].type and entries[0].rule == "patient-identifier"
        )


def test_values_are_sealed_and_audit_rows_name_only_the_entry(database: Database) -> None:
    """The value is stored encrypted; the audit rows of marks, proposal and decision never carry it."""
    store = _store(database)
    [entry_id] = _mark(store, Mark(0, "wrong", "staff", NAME))
    store.decide(entry_id, "accept", actor="web:ada", source="10.0.0.1")
    raw = database.execute("SELECT value FROM learned_entries")[0]["value"]
    assert b"Fairweather" not in bytes(raw)
    rows = store.audit.records()
    assert [r.action for r in rows] == ["learn-propose", "mark", "learn-accept"]
    assert rows[0].detail == rows[2].detail == f"entry={entry_id} kind={STAFF_NAME}"
    assert rows[1].detail == "finding=0 type=PATIENT_NAME wrong reason=staff"
    assert all("Fairweather" not in r.detail and "Ottoline" not in r.detail for r in rows)
    assert all(r.message_id == "a1b2c3" for r in rows)
    assert store.audit.verify().ok


def test_accepted_entries_are_loaded_and_move_the_version(database: Database) -> None:
    """Accepting moves the registry's counter and the entry is in what the workers get."""
    store = _store(database)
    staff, public, code = (
        _mark(store, Mark(0, "wrong", "staff", NAME), qid="m1")[0],
        _mark(store, Mark(0, "wrong", "public", "Florence Nightingale"), qid="m2")[0],
        _mark(store, Mark(1, "wrong", "code", "WARD-0042"), qid="m3")[0],
    )
    assert store.load() == LearnedEntries(version=0)
    for entry_id in (staff, public, code):
        store.decide(entry_id, "accept", actor="web:ada", source="")
    loaded = store.load()
    assert loaded.version == store.version() == 3
    assert loaded.staff_names == (NAME,) and loaded.public_figures == ("Florence Nightingale",)
    assert loaded.allows("HOSPITAL_NUMBER", "ward-0042") and not loaded.allows("NHS_NUMBER", "WARD-0042")
    assert loaded.allowed == {("HOSPITAL_NUMBER", "ward-0042")}  # names are never allowed values


def test_declined_proposals_change_nothing(database: Database) -> None:
    """A declined proposal is not loaded and does not move the counter."""
    store = _store(database)
    [entry_id] = _mark(store, Mark(0, "wrong", "staff", NAME))
    declined = store.decide(entry_id, "decline", actor="web:ada", source="")
    assert (declined.status, declined.decided_by) == ("declined", "web:ada")
    assert store.version() == 0 and store.load() == LearnedEntries()


def test_withdrawn_entries_stop_applying(database: Database) -> None:
    """Withdrawing an accepted entry removes it from what the workers get and moves the counter."""
    store = _store(database)
    [entry_id] = _mark(store, Mark(0, "wrong", "staff", NAME))
    store.decide(entry_id, "accept", actor="web:ada", source="")
    store.decide(entry_id, "withdraw", actor="web:ada", source="")
    assert store.load() == LearnedEntries(version=2)
    assert [r.action for r in store.audit.records()][-1] == "learn-withdraw"


@pytest.mark.parametrize(
    ("first", "then", "refused"),
    [
        ("accept", "accept", "the entry is accepted, not proposed"),
        ("decline", "accept", "the entry is declined, not proposed"),
        ("accept", "decline", "the entry is accepted, not proposed"),
        (None, "withdraw", "the entry is proposed, not accepted"),
        ("decline", "withdraw", "the entry is declined, not accepted"),
    ],
)
def test_only_the_listed_transitions_are_allowed(
    database: Database, first: str | None, then: str, refused: str
) -> None:
    """Accept and decline apply to proposals, withdraw to accepted entries; anything else is refused."""
    store = _store(database)
    [entry_id] = _mark(store, Mark(0, "wrong", "staff", NAME))
    if first:
        store.decide(entry_id, first, actor="web:ada", source="")
    with pytest.raises(ActionRefused, match=refused):
        store.decide(entry_id, then, actor="web:ada", source="")


def test_an_unknown_action_is_refused(database: Database) -> None:
    """Only accept, decline and withdraw are decisions; anything else is refused and changes nothing."""
    store = _store(database)
    [entry_id] = _mark(store, Mark(0, "wrong", "staff", NAME))
    with pytest.raises(ActionRefused, match="unknown action 'approve'"):
        store.decide(entry_id, "approve", actor="web:ada", source="")
    assert store.get(entry_id).status == "proposed"  # type: ignore[union-attr]


def test_an_unknown_entry_is_not_found(database: Database) -> None:
    """Deciding an entry that does not exist says so (the page answers 404)."""
    store = _store(database)
    with pytest.raises(ActionRefused) as err:
        store.decide("0011223344556677", "accept", actor="web:ada", source="")
    assert err.value.not_found


def test_a_live_value_is_proposed_once(database: Database) -> None:
    """The same value (case and spacing aside) marked on another message joins the live entry."""
    store = _store(database)
    [first] = _mark(store, Mark(0, "wrong", "staff", NAME), qid="m1")
    assert _mark(store, Mark(0, "wrong", "staff", "  ottoline   FAIRWEATHER "), qid="m2") == []
    assert [e.id for e in store.entries()] == [first]
    marks = database.execute("SELECT message_id, entry_id FROM finding_marks ORDER BY message_id")
    assert [(r["message_id"], r["entry_id"]) for r in marks] == [("m1", first), ("m2", first)]
    store.decide(first, "decline", actor="web:ada", source="")
    assert (
        len(_mark(store, Mark(0, "wrong", "staff", NAME), qid="m3")) == 1
    )  # declined: may be proposed again


@pytest.mark.parametrize(
    ("reason", "value", "entries"),
    [("staff", NAME, 1), ("public", NAME, 1), ("code", "WARD-0042", 2)],
)
def test_names_join_across_finding_types_codes_do_not(
    database: Database, reason: str, value: str, entries: int
) -> None:
    """A name is one entry whichever type of finding it came from; an allowed code is allowed per type."""
    store = _store(database)
    _mark(store, Mark(0, "wrong", reason, value), qid="m1")
    _mark(store, Mark(1, "wrong", reason, value), qid="m2")
    assert len(store.entries()) == entries


def test_entry_ids_are_sixteen_hex_digits(database: Database) -> None:
    """An entry's id is 16 lower-case hex digits: what the pages link and the command line takes."""
    store = _store(database)
    [entry_id] = _mark(store, Mark(0, "wrong", "staff", NAME))
    assert len(entry_id) == 16 and set(entry_id) <= set("0123456789abcdef")


@pytest.mark.parametrize(
    ("mark", "refused"),
    [
        (Mark(5, "right"), "no finding 5"),
        (Mark(-1, "right"), "no finding -1"),
        (Mark(3, "right"), "no finding 3"),
        (Mark(0, "maybe"), "right or wrong"),
        (Mark(0, "wrong"), "needs one of the listed reasons"),
        (Mark(0, "wrong", "staff"), "needs the value"),
        (Mark(0, "wrong", "code", "x" * 121), "too long"),
    ],
)
def test_bad_marks_are_refused_and_nothing_is_written(database: Database, mark: Mark, refused: str) -> None:
    """A mark that names no finding, no verdict, no reason or no value is refused before any write."""
    store = _store(database)
    with pytest.raises(ActionRefused, match=refused):
        _mark(store, Mark(1, "right"), mark)
    assert store.marks("a1b2c3") == {} and store.audit.records() == []


@pytest.mark.parametrize(("length", "proposed"), [(119, True), (120, True), (121, False)])
def test_the_longest_value_an_entry_holds_is_120_characters(
    database: Database, length: int, proposed: bool
) -> None:
    """A value of up to 120 characters (a long name or code) is proposed and kept whole; 121 is refused."""
    store = _store(database)
    value = ("W" + "0" * length)[:length]
    if proposed:
        [entry_id] = _mark(store, Mark(1, "wrong", "code", value))
        assert store.get(entry_id).value == value  # type: ignore[union-attr]
    else:
        with pytest.raises(ActionRefused, match="too long"):
            _mark(store, Mark(1, "wrong", "code", value))
        assert store.entries() == []


def test_a_later_mark_replaces_the_earlier_one(database: Database) -> None:
    """Marking a finding again keeps one mark for it: the latest."""
    store = _store(database)
    _mark(store, Mark(0, "wrong", "other"), Mark(1, "right"))
    _mark(store, Mark(0, "right"))
    assert store.marks("a1b2c3") == {0: ("right", ""), 1: ("right", "")}


def test_precision_per_rule_and_type_overall_and_by_week(database: Database) -> None:
    """Right / (right + wrong) per rule and per finding type, and the same per ISO week."""
    clock = ManualClock()  # Monday 2025-03-03: week 10
    store = _store(database, clock)
    _mark(store, Mark(0, "right"), Mark(1, "wrong", "other"), qid="m1")
    clock.advance(days=7)
    _mark(store, Mark(0, "right"), Mark(2, "right"), qid="m2", rule="abuse")
    _mark(store, Mark(0, "wrong", "other"), qid="m3")
    p = store.precision()
    assert [(t.key, t.right, t.wrong, t.precision) for t in p.rules] == [
        ("abuse", 2, 0, 1.0),
        ("patient-identifier", 1, 2, 1 / 3),
    ]
    assert [(t.key, t.right, t.wrong) for t in p.types] == [
        ("HOSPITAL_NUMBER", 0, 1),
        ("PATIENT_NAME", 2, 1),
        ("PROFANITY", 1, 0),
    ]
    assert [w for w, _, _ in p.weeks] == ["2025-W11", "2025-W10"]
    _, rules, types = p.weeks[1]
    assert [(t.key, t.right, t.wrong) for t in rules] == [("patient-identifier", 1, 1)]
    assert [(t.key, t.right, t.wrong) for t in types] == [("HOSPITAL_NUMBER", 0, 1), ("PATIENT_NAME", 1, 0)]


def test_precision_respects_the_reviewers_scope(database: Database) -> None:
    """A scoped reviewer's precision counts only marks on messages from their sender domains."""
    store = _store(database)
    _mark(store, Mark(0, "right"), qid="m1", domain="medicine.example.ac.uk")
    _mark(store, Mark(0, "wrong", "other"), qid="m2", domain="elsewhere.example.org")
    scoped = store.precision(("example.ac.uk",))
    assert [(t.key, t.right, t.wrong) for t in scoped.rules] == [("patient-identifier", 1, 0)]
    assert [(t.key, t.right, t.wrong) for t in store.precision().rules] == [("patient-identifier", 1, 1)]


def test_the_quarantines_key_rotation_reseals_the_values(database: Database) -> None:
    """keys_in_use counts the entries' values; reencrypt moves them to the new key, and the old key can go."""
    old = _store(database)
    [entry_id] = _mark(old, Mark(0, "wrong", "staff", NAME))
    rotated = QuarantineStore(database, Keyring([base64.b64decode(k) for k in (KEY_B, KEY_A)]))
    rotated.migrate()
    key_a, key_b = old.keyring.current_id, rotated.keyring.current_id
    assert rotated.keys_in_use() == {key_a: 1}
    assert rotated.reencrypt() == 1 and rotated.reencrypt() == 0
    assert rotated.keys_in_use() == {key_b: 1}
    assert _store(database, None, KEY_B).get(entry_id).value == NAME  # type: ignore[union-attr]


def test_the_loader_reads_the_store_only_when_the_counter_moved(database: Database) -> None:
    """The parent's loader returns the same entries object until an acceptance or withdrawal."""
    store = _store(database)
    load = learned_loader(lambda: store)
    first = load()
    assert load() is first
    [entry_id] = _mark(store, Mark(0, "wrong", "staff", NAME))
    assert load() is first  # a proposal is not in use
    store.decide(entry_id, "accept", actor="web:ada", source="")
    assert load().staff_names == (NAME,)


def test_the_loader_reloads_when_the_counter_goes_back(database: Database) -> None:
    """A store put back from a backup (its counter lower than the one loaded) is read again, not trusted."""
    store = _store(database)
    load = learned_loader(lambda: store)
    [entry_id] = _mark(store, Mark(0, "wrong", "staff", NAME))
    store.decide(entry_id, "accept", actor="web:ada", source="")
    assert load().staff_names == (NAME,)
    with database.transaction() as tx:  # the backup, taken before the acceptance
        tx.execute("UPDATE learned_entries SET status = 'proposed', decided_by = '', decided_at = ''")
        tx.execute("UPDATE learned_registry SET version = 0")
    assert load() == LearnedEntries(version=0)


def _rotated(database: Database) -> QuarantineStore:
    """The quarantine with a new key first and the old one kept for reading, as `rotate-key` leaves it."""
    store = QuarantineStore(database, Keyring([base64.b64decode(k) for k in (KEY_B, KEY_A)]))
    store.migrate()
    return store


def test_a_value_proposed_again_across_a_key_rotation_joins_its_entry(database: Database) -> None:
    """A value proposed under the old key is found under the new ring, and again once the old key is dropped."""
    [first] = _mark(_store(database), Mark(0, "wrong", "staff", NAME), qid="m1")
    assert _mark(_store(database, None, KEY_B, KEY_A), Mark(0, "wrong", "staff", NAME), qid="m2") == []
    assert _rotated(database).reencrypt() == 1
    only_new = _store(database, None, KEY_B)
    assert _mark(only_new, Mark(0, "wrong", "staff", NAME.upper()), qid="m3") == []
    assert [e.id for e in only_new.entries()] == [first]
    assert set(only_new.marks("m3").values()) == {("wrong", "staff")}


def test_reencrypt_merges_an_entry_a_node_with_only_the_new_key_proposed(database: Database) -> None:
    """Two live entries of one value under different keys become one when re-sealed: the accepted one stays."""
    clock = ManualClock()
    old = _store(database, clock)
    [accepted] = _mark(old, Mark(0, "wrong", "staff", NAME), qid="m1")
    old.decide(accepted, "accept", actor="web:ada", source="")
    clock.advance(minutes=5)
    new_only = _store(database, clock, KEY_B)  # a node that restarted with the new key alone
    [twin] = _mark(new_only, Mark(0, "wrong", "staff", NAME), qid="m2")
    assert _rotated(database).reencrypt() == 1
    assert [(e.id, e.status, e.value) for e in new_only.entries()] == [(accepted, "accepted", NAME)]
    marks = database.execute("SELECT message_id, entry_id FROM finding_marks ORDER BY message_id")
    assert [(r["message_id"], r["entry_id"]) for r in marks] == [("m1", accepted), ("m2", accepted)]
    [merge] = new_only.audit.records(action="learn-merge")
    assert (merge.actor, merge.message_id, merge.detail) == (
        "system:reencrypt",
        "m2",
        f"entry={twin} into={accepted} kind={STAFF_NAME}",
    )
    assert new_only.audit.verify().ok


def test_a_value_first_proposed_mid_rotation_is_found_once_the_old_key_is_gone(database: Database) -> None:
    """A proposal made under the new ring is keyed by the new key, so dropping the old key loses no match."""
    [first] = _mark(_store(database, None, KEY_B, KEY_A), Mark(1, "wrong", "code", "WARD-0042"), qid="m1")
    assert _rotated(database).reencrypt() == 0  # already under the new key: nothing to move
    assert _mark(_store(database, None, KEY_B), Mark(1, "wrong", "code", "ward-0042"), qid="m2") == []
    assert [e.id for e in _store(database, None, KEY_B).entries()] == [first]
