"""Inspection workers parse hostile attachments: no key, no TLS private key, no database URL, no store."""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

from gateway.config import (
    DatabaseSettings,
    DocumentSettings,
    PipelineSettings,
    QuarantineSettings,
    Settings,
    SmtpSettings,
    WebSettings,
)
from gateway.detect.documents import REGISTERED
from gateway.inspector import build_inspector
from gateway.model import Envelope, Verdict
from gateway.pipeline import Pipeline
from gateway.store.db import Database
from gateway.store.documents import DocumentRegistry
from gateway.worker_main import for_workers
from tests.unit.detect.docfixtures import HANDBOOK
from tests.unit.pipeline_doubles import secrets_reporting, store_probing

KEY = "A" * 43 + "="
#: a store nobody answers at: connection refused at once
STORE_DOWN = "postgresql://gateway:secret@127.0.0.1:1/gateway"
ENVELOPE = Envelope("s@uni.ac.uk", ("f@example.org",))
CLEAN = b"Subject: lunch\r\nMessage-ID: <a@uni.ac.uk>\r\n\r\nSee you at one.\r\n"
documents_only = functools.partial(build_inspector, detectors=("documents",))


def _settings(tmp_path: Path, url: str = STORE_DOWN) -> Settings:
    return dataclasses.replace(
        Settings(state_dir=str(tmp_path)),
        quarantine=QuarantineSettings(key=KEY, key_file=str(tmp_path / "keys")),
        smtp=SmtpSettings(tls_key=str(tmp_path / "smtp.key")),
        web=WebSettings(tls_key=str(tmp_path / "web.key")),
        database=DatabaseSettings(url=url),
        pipeline=PipelineSettings(workers=1),
    )


async def test_a_worker_process_holds_no_key_nor_database_url(tmp_path: Path) -> None:
    """The settings a spawned worker inspects with carry no key, key file, TLS private key or database URL."""
    pipeline = Pipeline(_settings(tmp_path), factory=secrets_reporting)
    try:
        out = await pipeline.process(ENVELOPE, b"Subject: x\r\n\r\nhi\r\n")
    finally:
        pipeline.close()
    assert out.message_id == "none"


async def test_a_worker_process_cannot_open_the_store(tmp_path: Path) -> None:
    """In a spawned worker no store module is loaded, and importing one to open the database fails."""
    pipeline = Pipeline(_settings(tmp_path, url=""), factory=store_probing)
    try:
        out = await pipeline.process(ENVELOPE, b"Subject: x\r\n\r\nhi\r\n")
    finally:
        pipeline.close()
    assert out.message_id == "loaded=none;store=refused"


def test_only_secrets_are_taken_out(tmp_path: Path) -> None:
    """Everything inspection needs (domains, limits, detectors, policies) is kept; the database URL is not."""
    s = _settings(tmp_path)
    w = for_workers(s)
    assert (w.quarantine.key, w.quarantine.key_file, w.smtp.tls_key, w.web.tls_key) == ("", "", "", "")
    assert w.database.url == ""
    assert not w.quarantine.generate_key  # a worker never makes a key of its own either
    assert (w.domains, w.limits, w.detect, w.documents, w.policies) == (
        s.domains,
        s.limits,
        s.detect,
        s.documents,
        s.policies,
    )


async def test_clean_mail_passes_with_the_store_down(tmp_path: Path) -> None:
    """With the store unreachable from the start, clean mail is inspected (empty index) and passes: no hold, no 451."""
    pipeline = Pipeline(_settings(tmp_path), factory=documents_only)
    try:
        out = await pipeline.process(ENVELOPE, CLEAN)
    finally:
        pipeline.close()
    assert (out.verdict, out.failed_detectors) == (Verdict.PASS, ())


async def test_workers_get_documents_registered_while_they_run(tmp_path: Path) -> None:
    """A document registered after the workers started is recognised once the parent's snapshot moved on."""
    settings = dataclasses.replace(
        _settings(tmp_path, url=""), documents=DocumentSettings(organisation="Northam")
    )
    registry = DocumentRegistry(Database("", state_dir=tmp_path))
    text = "\n\n".join(HANDBOOK).encode()
    message = b"Subject: notes\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + text + b"\r\n"
    pipeline = Pipeline(settings, factory=documents_only, documents=registry.load_index)
    try:
        before = await pipeline.process(ENVELOPE, message)
        registry.add("\n\n".join(HANDBOOK), title="Handbook")
        assert pipeline.feed is not None
        pipeline.feed.refresh()
        after = await pipeline.process(ENVELOPE, message)
    finally:
        pipeline.close()
        registry.db.close()
    registered = [
        [f.details.get("title") for f in o.findings if f.type == REGISTERED] for o in (before, after)
    ]
    assert registered == [[], ["Handbook"]]
