"""The registry of official university documents, in the gateway's store, and its index loader.

One row per registered document: title, owner, classification, the file's
name and SHA-256, how many words its text has, and its winnowed
fingerprints as one blob (the text itself is not kept: the registry holds
no more of a confidential document than it needs to recognise it). A
one-row counter, bumped in the same transaction as every add and remove,
tells the gateway's workers that the registry changed.

`index_loader(settings)` is what the pipeline hands the detector: a
callable returning the current in-memory `DocumentIndex`. It checks the
counter at most every `documents.reload_seconds` and rebuilds the index
only when the counter moved, so `serve`'s long-lived workers see documents
that staff add on any node (SQLite by default, PostgreSQL when several
gateways share one store) without a restart. With no registry at all (no
database yet) the index is empty.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gateway.config import Settings
from gateway.detect.fingerprint import (
    ALGORITHM,
    EMPTY_INDEX,
    DocumentIndex,
    IndexedDocument,
    fingerprint,
    from_bytes,
    normalise,
    to_bytes,
)
from gateway.errors import StoreError
from gateway.store.db import Database, Tx, open_database, utcnow

log = logging.getLogger(__name__)

COMPONENT = "documents"

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE documents (
        id {id},
        title TEXT NOT NULL,
        owner TEXT NOT NULL DEFAULT '',
        classification TEXT NOT NULL DEFAULT '',
        filename TEXT NOT NULL DEFAULT '',
        file_sha256 TEXT NOT NULL DEFAULT '',
        text_sha256 TEXT NOT NULL,
        words INTEGER NOT NULL,
        algorithm TEXT NOT NULL,
        fingerprint_count INTEGER NOT NULL,
        fingerprints {blob} NOT NULL,
        added_at TEXT NOT NULL
    );
    CREATE UNIQUE INDEX documents_text_sha256 ON documents (text_sha256);
    CREATE TABLE document_registry (name TEXT PRIMARY KEY, version {bigint} NOT NULL);
    INSERT INTO document_registry (name, version) VALUES ('documents', 0)
    """,
)

_COLUMNS = (
    "id, title, owner, classification, filename, file_sha256, text_sha256, words, algorithm,"
    " fingerprint_count, added_at"
)


@dataclass(frozen=True)
class DocumentRecord:
    """A registered document, as `docs list` and `docs show` present it."""

    id: int
    title: str
    owner: str
    classification: str
    filename: str
    file_sha256: str
    text_sha256: str
    words: int
    algorithm: str
    fingerprint_count: int
    added_at: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "owner": self.owner,
            "classification": self.classification,
            "filename": self.filename,
            "file_sha256": self.file_sha256,
            "words": self.words,
            "fingerprints": self.fingerprint_count,
            "algorithm": self.algorithm,
            "added_at": self.added_at,
        }


@dataclass(frozen=True)
class AddResult:
    """What `add` did: `added` False means the same text was already registered as `record`."""

    record: DocumentRecord
    added: bool


class DocumentRegistry:
    """Registered documents in one `Database`; every method is one transaction."""

    def __init__(self, db: Database) -> None:
        self.db = db
        db.migrate(COMPONENT, MIGRATIONS)

    def add(
        self,
        text: str,
        *,
        title: str,
        owner: str = "",
        classification: str = "",
        filename: str = "",
        file_sha256: str = "",
    ) -> AddResult:
        """Fingerprint `text` and register it; a text already registered is not added twice."""
        fp = fingerprint(text)
        hashes = fp.unique
        if hashes.size == 0:
            raise StoreError("the document has too little text to fingerprint")
        text_sha = hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()
        with self.db.transaction() as tx:
            existing = tx.execute(f"SELECT {_COLUMNS} FROM documents WHERE text_sha256 = ?", (text_sha,))
            if existing:
                return AddResult(_record(existing[0]), added=False)
            rows = tx.execute(
                "INSERT INTO documents (title, owner, classification, filename, file_sha256, text_sha256,"
                " words, algorithm, fingerprint_count, fingerprints, added_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING " + _COLUMNS,
                (
                    title,
                    owner,
                    classification,
                    filename,
                    file_sha256,
                    text_sha,
                    fp.words,
                    ALGORITHM,
                    int(hashes.size),
                    to_bytes(hashes),
                    utcnow(),
                ),
            )
            _bump(tx)
        return AddResult(_record(rows[0]), added=True)

    def get(self, doc_id: int) -> DocumentRecord | None:
        rows = self.db.execute(f"SELECT {_COLUMNS} FROM documents WHERE id = ?", (doc_id,))
        return _record(rows[0]) if rows else None

    def records(self) -> list[DocumentRecord]:
        return [_record(r) for r in self.db.execute(f"SELECT {_COLUMNS} FROM documents ORDER BY id")]

    def remove(self, doc_id: int) -> bool:
        """Unregister a document; False when there is no such document."""
        with self.db.transaction() as tx:
            gone = tx.execute("DELETE FROM documents WHERE id = ? RETURNING id", (doc_id,))
            if gone:
                _bump(tx)
        return bool(gone)

    def version(self) -> int:
        """A counter that changes whenever a document is added or removed."""
        rows = self.db.execute("SELECT version FROM document_registry WHERE name = 'documents'")
        return int(rows[0]["version"]) if rows else 0

    def load_index(self) -> DocumentIndex:
        """The in-memory index of every registered document (and the version it reflects)."""
        with self.db.transaction(immediate=False) as tx:
            rows = tx.execute("SELECT version FROM document_registry WHERE name = 'documents'")
            version = int(rows[0]["version"]) if rows else 0
            docs = tx.execute(
                "SELECT id, title, classification, words, algorithm, fingerprints FROM documents ORDER BY id"
            )
        indexed = []
        stale = 0
        for r in docs:
            if r["algorithm"] != ALGORITHM:
                stale += 1  # fingerprinted differently: not comparable, must be added again
                continue
            indexed.append(
                IndexedDocument(
                    id=int(r["id"]),
                    title=str(r["title"]),
                    hashes=from_bytes(bytes(r["fingerprints"])),
                    words=int(r["words"]),
                    classification=str(r["classification"] or ""),
                )
            )
        if stale:
            log.warning("registered documents with old fingerprints ignored", extra={"count": stale})
        return DocumentIndex(indexed, version=version)


def _bump(tx: Tx) -> None:
    tx.execute("UPDATE document_registry SET version = version + 1 WHERE name = 'documents'")


def _record(r: dict[str, Any]) -> DocumentRecord:
    return DocumentRecord(
        id=int(r["id"]),
        title=str(r["title"]),
        owner=str(r["owner"] or ""),
        classification=str(r["classification"] or ""),
        filename=str(r["filename"] or ""),
        file_sha256=str(r["file_sha256"] or ""),
        text_sha256=str(r["text_sha256"]),
        words=int(r["words"]),
        algorithm=str(r["algorithm"]),
        fingerprint_count=int(r["fingerprint_count"]),
        added_at=str(r["added_at"]),
    )


def open_registry(settings: Settings) -> DocumentRegistry:
    """The registry in the configured store (created on first use)."""
    return DocumentRegistry(open_database(settings))


class IndexLoader:
    """Callable returning the current index; reloads it when the registry's counter moved.

    The counter is read at most once per `interval` seconds. When the store
    cannot be read, the index already loaded keeps serving (and the error is
    logged); with no index loaded yet the error propagates, so the detector
    fails and the policy's on_detector_failure decides (fail closed).
    """

    def __init__(
        self,
        open_db: Callable[[], Database | None],
        *,
        interval: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._open_db = open_db
        self._interval = interval
        self._clock = clock
        self._registry: DocumentRegistry | None = None
        self._index: DocumentIndex | None = None
        self._checked = float("-inf")
        self._backoff = 0.0
        self._lock = threading.Lock()

    def __call__(self) -> DocumentIndex:
        with self._lock:
            now = self._clock()
            if self._index is not None and now - self._checked < max(self._interval, self._backoff):
                return self._index
            self._checked = now
            try:
                self._refresh()
            except StoreError:
                if self._index is None:
                    raise
                log.warning("document registry unreadable; keeping the loaded index")
            return self._index if self._index is not None else EMPTY_INDEX

    def _refresh(self) -> None:
        if self._registry is None:
            db = self._open_db()
            if db is None:  # no store yet: nothing registered
                self._index = EMPTY_INDEX
                return
            self._registry = DocumentRegistry(db)
        current = self._index
        if current is not None and current.version == self._registry.version():
            return
        started = self._clock()
        self._index = self._registry.load_index()
        took = self._clock() - started
        # while staff add a folder of documents the counter moves all the time: do not spend
        # more than a fifth of a worker's time rebuilding a large index
        self._backoff = 4 * took
        log.info("document index loaded", extra={"documents": self._index.size, "seconds": round(took, 2)})


def index_loader(settings: Settings) -> Callable[[], DocumentIndex]:
    """What `gateway.inspector.default_resources` hands the detectors as `document_index`."""

    def open_db() -> Database | None:
        db = open_database(settings)
        if db.kind == "sqlite" and not db.path.exists():
            return None  # never create a store just to find it empty; look again next time
        return db

    return IndexLoader(open_db, interval=settings.documents.reload_seconds)
