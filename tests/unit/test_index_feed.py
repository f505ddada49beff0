"""The parent's document index feed: snapshots for the workers, the last one kept when the store fails."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from gateway.detect.fingerprint import EMPTY_INDEX, DocumentIndex, IndexedDocument
from gateway.errors import StoreError
from gateway.index_feed import IndexFeed


def _index(n: int) -> DocumentIndex:
    docs = [
        IndexedDocument(id=i, title=f"d{i}", hashes=np.arange(i * 10, i * 10 + 5, dtype=np.uint64), words=50)
        for i in range(n)
    ]
    return DocumentIndex(docs, version=n)


class Loads:
    """A loader the test scripts: each call returns the next index, or raises StoreError for None."""

    def __init__(self, *answers: DocumentIndex | None) -> None:
        self.answers = list(answers)

    def __call__(self) -> DocumentIndex:
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if answer is None:
            raise StoreError("store down")
        return answer


def test_a_snapshot_carries_the_index_it_was_made_from() -> None:
    """The snapshot unpickles to an index with the same documents."""
    feed = IndexFeed(Loads(_index(2)))
    snap = feed.refresh()
    assert snap is not None and snap.documents == 2 and snap.index().size == 2


def test_the_version_moves_only_when_another_index_was_loaded() -> None:
    """The same index again keeps the snapshot (workers are not sent it twice); a new one bumps the version."""
    same = _index(1)
    feed = IndexFeed(Loads(same, same, _index(3)))
    first, again, changed = feed.refresh(), feed.refresh(), feed.refresh()
    assert first is again and first is not None and changed is not None
    assert (first.version, changed.version, changed.documents) == (1, 2, 3)


def test_the_last_snapshot_keeps_serving_when_the_store_fails() -> None:
    """A store that stops answering leaves the workers with the index they were last given."""
    feed = IndexFeed(Loads(_index(2), None))
    first = feed.refresh()
    assert feed.refresh() is first and feed.current() is first


def test_no_snapshot_and_one_clear_log_line_while_the_store_never_answered(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Never loaded: no snapshot (workers use an empty index), and the admin reads why, once per outage."""
    feed = IndexFeed(Loads(None, None, EMPTY_INDEX))
    with caplog.at_level(logging.INFO, logger="gateway.index_feed"):
        assert feed.refresh() is None and feed.refresh() is None
        errors = [r for r in caplog.records if r.levelno == logging.ERROR]
        assert len(errors) == 1 and "empty registry" in errors[0].getMessage()
        assert feed.refresh() is not None
