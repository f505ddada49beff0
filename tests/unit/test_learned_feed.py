"""The parent's feed of learned entries: versioned snapshots for the workers, taken on without a restart."""

from __future__ import annotations

import base64
import dataclasses
import functools
import logging
from pathlib import Path

import pytest

from gateway.config import DatabaseSettings, PipelineSettings, QuarantineSettings, Settings
from gateway.errors import StoreError
from gateway.inspector import build_inspector
from gateway.learned_feed import LearnedFeed
from gateway.model import Envelope, Finding
from gateway.model.learned import LearnedEntries
from gateway.pipeline import Pipeline
from gateway.store.crypto import Keyring
from gateway.store.db import Database
from gateway.store.learned import LearnedStore, Mark, learned_loader, open_learned
from tests.quarantine_fixtures import KEY_A

NAME = "Ottoline Fairweather"  # invented
STAFF = LearnedEntries(version=1, staff_names=(NAME,))


class Loads:
    """A loader the test scripts: each call returns the next answer, or raises StoreError for None."""

    def __init__(self, *answers: LearnedEntries | None) -> None:
        self.answers = list(answers)

    def __call__(self) -> LearnedEntries:
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if answer is None:
            raise StoreError("store down")
        return answer


def test_the_version_moves_only_when_other_entries_were_loaded() -> None:
    """Equal entries keep the snapshot (workers are not sent them twice); different ones bump the version."""
    feed = LearnedFeed(Loads(LearnedEntries(), LearnedEntries(), STAFF, LearnedEntries(version=2)))
    first, again, taught, withdrawn = feed.refresh(), feed.refresh(), feed.refresh(), feed.refresh()
    assert first is again and first is not None and taught is not None and withdrawn is not None
    assert [s.version for s in (first, taught, withdrawn)] == [1, 2, 3]
    assert taught.entries == STAFF and withdrawn.entries.staff_names == ()


def test_the_last_snapshot_keeps_serving_when_the_store_fails(caplog: pytest.LogCaptureFixture) -> None:
    """A store that stops answering leaves the workers what they had, logged once and without any value."""
    feed = LearnedFeed(Loads(STAFF, None))
    first = feed.refresh()
    with caplog.at_level(logging.INFO, logger="gateway.learned_feed"):
        assert feed.refresh() is first and feed.refresh() is first and feed.current() is first
    assert len(caplog.records) == 1
    assert all("Fairweather" not in str(r.__dict__) for r in caplog.records)


def test_no_store_yet_means_no_entries(tmp_path: Path) -> None:
    """Before any store exists the loader answers no entries, and creates no database file."""
    settings = dataclasses.replace(
        Settings(state_dir=str(tmp_path)), quarantine=QuarantineSettings(key=KEY_A)
    )
    load = learned_loader(functools.partial(open_learned, settings))
    assert load() == LearnedEntries()
    assert list(tmp_path.iterdir()) == []


HELD_BODY = f"Hi,\r\nMrs {NAME} in clinic today: asthma review, inhaler technique and spirometry.\r\n"
MESSAGE = (
    "From: Student <s@uni.ac.uk>\r\nTo: f@example.org\r\nSubject: clinic\r\nMessage-ID: <l@uni.ac.uk>\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n\r\n" + HELD_BODY
).encode()
patient_only = functools.partial(build_inspector, detectors=("patient",))


async def test_workers_take_on_entries_accepted_while_they_run(tmp_path: Path) -> None:
    """A staff name accepted after the workers started is staff in the next message once the feed moved on;
    withdrawn, it is a patient's name again."""
    settings = dataclasses.replace(
        Settings(state_dir=str(tmp_path)),
        quarantine=QuarantineSettings(key=KEY_A),
        database=DatabaseSettings(url=""),
        pipeline=PipelineSettings(workers=1),
    )
    store = LearnedStore(Database("", state_dir=tmp_path / "state"), Keyring([base64.b64decode(KEY_A)]))
    store.migrate()
    finding = Finding("patient_identifier", "PATIENT_NAME", "body", 0.9, "", details={"spans": [[4, 28]]})
    pipeline = Pipeline(settings, factory=patient_only, learned=learned_loader(lambda: store))
    envelope = Envelope("s@uni.ac.uk", ("f@example.org",))
    names = []
    try:
        for step in ("before", "accept", "withdraw"):
            if step != "before":
                if step == "accept":
                    [entry] = store.record_marks(
                        message_id="m1",
                        rule="patient-identifier",
                        sender_domain="uni.ac.uk",
                        findings=(finding,),
                        marks=(Mark(0, "wrong", "staff", NAME),),
                        actor="web:rita",
                        source="",
                    )
                store.decide(entry, step, actor="web:ada", source="")
                assert pipeline.learned_feed is not None
                pipeline.learned_feed.refresh()
            out = await pipeline.process(envelope, MESSAGE)
            names.append([f.type for f in out.findings if f.type == "PATIENT_NAME"])
    finally:
        pipeline.close()
        store.db.close()
    assert names == [["PATIENT_NAME"], [], ["PATIENT_NAME"]]
