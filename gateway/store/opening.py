"""Opening the quarantine the configuration names, and its retention task.

`open_quarantine` connects, migrates and tightens the SQLite file's
permissions; `purge_periodically` is the task `serve` runs for retention.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any

from gateway.config import Settings
from gateway.errors import StoreError
from gateway.store.crypto import load_keyring
from gateway.store.db import open_database
from gateway.store.held import Clock, utc_now
from gateway.store.quarantine import QuarantineStore

log = logging.getLogger(__name__)


def open_quarantine(settings: Settings, *, clock: Clock = utc_now) -> QuarantineStore:
    """The quarantine the configuration names, migrated and ready (raises StoreError/ConfigError)."""
    db = open_database(settings)
    store = QuarantineStore(
        db,
        load_keyring(settings),
        retention_days=settings.quarantine.retention_days,
        clock=clock,
    )
    try:
        store.migrate()
    except StoreError:
        db.close()
        raise
    if db.kind == "sqlite":
        _owner_only(db.path)
    return store


def _owner_only(path: Any) -> None:
    """The SQLite file holds password hashes and addresses: readable by its owner only.

    SQLite creates the -wal and -shm files with the database file's permissions.
    """
    for p in (str(path), f"{path}-wal", f"{path}-shm"):
        try:
            if os.stat(p).st_mode & 0o077:
                os.chmod(p, 0o600)
        except OSError:
            pass  # not there (yet), or not ours: nothing to tighten


async def purge_periodically(store: QuarantineStore, interval_minutes: float) -> None:
    """Run the retention purge now and then every interval, until cancelled (serve runs this as a task)."""
    while True:
        try:
            await asyncio.to_thread(store.purge)
        except Exception:  # a worker boundary: a failed purge is retried at the next interval
            log.exception("quarantine purge failed")
        await asyncio.sleep(max(1.0, interval_minutes * 60.0))
