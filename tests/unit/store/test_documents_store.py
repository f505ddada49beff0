"""The document registry in the store (SQLite) and the index loader the workers use."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from gateway.config import DatabaseSettings, DocumentSettings, Settings
from gateway.detect.fingerprint import fingerprint
from gateway.errors import StoreError
from gateway.store.db import Database
from gateway.store.documents import DocumentRegistry, IndexLoader, index_loader

GUIDE = " ".join(
    f"Paragraph {i}: students on the ward round at site {i} must sign the register, meet the named "
    f"supervisor for block {i}, and upload the signed form number {i * 7} before the review day."
    for i in range(40)
)
MINUTES = " ".join(
    f"Item {i}. The committee considered paper {i} on placement capacity in region {i} and agreed "
    f"that option {i % 3} be costed for the meeting after next, with a report from lead {i}."
    for i in range(30)
)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0
        self.step = 0.0  # added after every reading: time that passes while the loader works

    def __call__(self) -> float:
        now = self.now
        self.now += self.step
        return now


@pytest.fixture()
def db(tmp_path: Path) -> Database:
    return Database("", state_dir=tmp_path)


def test_add_list_show_remove(db: Database) -> None:
    """A document added is listed with its title, owner and classification, and can be removed."""
    reg = DocumentRegistry(db)
    res = reg.add(
        GUIDE, title="Ward guide", owner="Year 4 Office", classification="internal", filename="g.docx"
    )
    assert res.added and res.record.words == len(GUIDE.split()) and res.record.fingerprint_count > 100
    assert [(r.id, r.title, r.owner, r.classification) for r in reg.records()] == [
        (res.record.id, "Ward guide", "Year 4 Office", "internal")
    ]
    assert reg.get(res.record.id) == res.record
    assert reg.remove(res.record.id) and reg.records() == [] and reg.get(res.record.id) is None
    assert not reg.remove(res.record.id)


def test_same_text_is_registered_once(db: Database) -> None:
    """Adding the same text again (another file name, other spacing) returns the existing record."""
    reg = DocumentRegistry(db)
    first = reg.add(GUIDE, title="Ward guide", filename="a.docx")
    again = reg.add(GUIDE.upper().replace(" ", "  "), title="Copy", filename="a.pdf")
    assert not again.added and again.record.id == first.record.id and len(reg.records()) == 1


def test_text_too_short_to_fingerprint_is_refused(db: Database) -> None:
    """A file with almost no text cannot be recognised later, so it is not registered."""
    with pytest.raises(StoreError):
        DocumentRegistry(db).add("Cover page", title="x")


def test_version_moves_on_every_change(db: Database) -> None:
    """The counter the workers watch changes on add and on remove, not on a duplicate add."""
    reg = DocumentRegistry(db)
    v0 = reg.version()
    doc = reg.add(GUIDE, title="g").record
    v1 = reg.version()
    reg.add(GUIDE, title="g")
    assert reg.version() == v1 != v0
    reg.remove(doc.id)
    assert reg.version() not in (v0, v1)


def test_index_round_trip_matches_what_was_registered(db: Database) -> None:
    """The index built from the store recognises a registered text and names it."""
    reg = DocumentRegistry(db)
    gid = reg.add(GUIDE, title="Ward guide", classification="internal").record.id
    reg.add(MINUTES, title="Minutes")
    index = reg.load_index()
    assert index.size == 2 and index.version == reg.version()
    (m,) = index.match(fingerprint(GUIDE))
    assert (m.doc_id, m.title, m.classification) == (gid, "Ward guide", "internal") and m.share > 0.99


def test_loader_sees_documents_added_later_after_the_interval(db: Database) -> None:
    """A long-lived worker picks up a document added by `docs add`, checking at most every interval."""
    clock = Clock()
    loader = IndexLoader(lambda: db, interval=5.0, clock=clock)
    assert loader().size == 0
    DocumentRegistry(db).add(GUIDE, title="Ward guide")
    clock.now = 4.0
    assert loader().size == 0  # not checked again yet
    clock.now = 5.5
    assert loader().size == 1
    first = loader()
    clock.now = 20.0
    assert loader() is first  # nothing changed: the same index, not rebuilt


def test_loader_keeps_serving_when_the_store_fails_later(db: Database) -> None:
    """Once loaded, an unreadable store keeps the old index rather than failing every message."""
    clock = Clock()
    DocumentRegistry(db).add(GUIDE, title="Ward guide")
    loader = IndexLoader(lambda: db, interval=1.0, clock=clock)
    assert loader().size == 1
    db.execute("DROP TABLE document_registry")
    clock.now = 10.0
    assert loader().size == 1


def test_loader_fails_when_the_store_cannot_be_read_at_all(tmp_path: Path) -> None:
    """With nothing loaded yet, a store error propagates so the detector fails closed."""
    bad = Database("", state_dir=tmp_path / "missing")
    bad.path.parent.mkdir()
    bad.path.mkdir()  # a folder where the database file should be
    with pytest.raises(StoreError):
        IndexLoader(lambda: bad)()


def test_index_loader_without_a_store_is_empty_and_creates_nothing(tmp_path: Path) -> None:
    """Scanning before any document was registered works and leaves no database behind."""
    settings = dataclasses.replace(Settings(), state_dir=str(tmp_path / "state"))
    assert index_loader(settings)().size == 0
    assert not (tmp_path / "state").exists()


def test_index_loader_reads_the_configured_store(tmp_path: Path) -> None:
    """index_loader(settings) reads the registry `docs add` wrote in the configured store."""
    url = f"sqlite:///{tmp_path / 'custom.sqlite3'}"
    settings = dataclasses.replace(
        Settings(),
        state_dir=str(tmp_path / "unused"),
        database=DatabaseSettings(url=url),
        documents=DocumentSettings(reload_seconds=0.0),
    )
    DocumentRegistry(Database(url)).add(MINUTES, title="Minutes")
    assert index_loader(settings)().size == 1


def test_loader_backs_off_when_rebuilding_is_slow(db: Database) -> None:
    """An index that took long to build is not rebuilt again sooner than four times that long."""
    clock = Clock()
    loader = IndexLoader(lambda: db, interval=1.0, clock=clock)
    DocumentRegistry(db).add(GUIDE, title="Ward guide")
    clock.step = 3.0  # the first load "takes" 3 s
    assert loader().size == 1
    clock.step = 0.0
    DocumentRegistry(db).add(MINUTES, title="Minutes")
    clock.now = 10.0
    assert loader().size == 1  # within 4 x 3 s of the last check
    clock.now = 13.0
    assert loader().size == 2
