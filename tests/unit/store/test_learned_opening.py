"""Opening the learned entries from the configuration, as the gateway's main process does for its feed."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from gateway.config import QuarantineSettings, Settings
from gateway.model.learned import LearnedEntries
from gateway.store.learned import Entry, LearnedStore, Mark, open_learned
from gateway.store.opening import open_quarantine
from tests.quarantine_fixtures import KEY_A


def _settings(tmp_path: Path, key: str) -> Settings:
    return dataclasses.replace(Settings(state_dir=str(tmp_path)), quarantine=QuarantineSettings(key=key))


@pytest.mark.parametrize(
    ("store_exists", "key", "opened"),
    [(True, KEY_A, True), (False, KEY_A, False), (True, "", False)],
)
def test_the_entries_open_only_from_an_existing_store_with_its_key(
    tmp_path: Path, store_exists: bool, key: str, opened: bool
) -> None:
    """An existing store with its key opens; no store yet, or no key, is None: nothing is created, no key made."""
    if store_exists:
        open_quarantine(_settings(tmp_path, KEY_A)).close()
    before = sorted(p.name for p in tmp_path.rglob("*"))
    store = open_learned(_settings(tmp_path, key))
    assert isinstance(store, LearnedStore) == opened and (store is None) == (not opened)
    if store is not None:
        assert store.load() == LearnedEntries()  # its tables made: the feed can read at once
        store.db.close()
    assert "quarantine.key" not in before
    assert sorted(p.name for p in tmp_path.rglob("*") if not p.name.endswith(("-wal", "-shm"))) == [
        p for p in before if not p.endswith(("-wal", "-shm"))
    ]


def test_marks_and_entries_cannot_change_once_made() -> None:
    """A mark and an entry are values: what the store returned cannot be altered by the page that shows it."""
    entry = Entry("e1", "staff_name", "x", "PATIENT_NAME", "r", "proposed", "web:rita", "t", "m1", "", "", "")
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.status = "accepted"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        Mark(0, "right").verdict = "wrong"  # type: ignore[misc]
