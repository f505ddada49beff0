"""Inspection workers parse hostile attachments: they never hold the quarantine key or a TLS private key."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from gateway.config import PipelineSettings, QuarantineSettings, Settings, SmtpSettings, WebSettings
from gateway.model import Envelope
from gateway.pipeline import Pipeline
from gateway.workers import for_workers
from tests.unit.pipeline_doubles import secrets_reporting

KEY = "A" * 43 + "="


def _settings(tmp_path: Path) -> Settings:
    return dataclasses.replace(
        Settings(state_dir=str(tmp_path)),
        quarantine=QuarantineSettings(key=KEY, key_file=str(tmp_path / "keys")),
        smtp=SmtpSettings(tls_key=str(tmp_path / "smtp.key")),
        web=WebSettings(tls_key=str(tmp_path / "web.key")),
        pipeline=PipelineSettings(workers=1),
    )


async def test_a_worker_process_holds_no_key(tmp_path: Path) -> None:
    """The settings a spawned worker inspects with carry no quarantine key, key file or TLS private key."""
    pipeline = Pipeline(_settings(tmp_path), factory=secrets_reporting)
    try:
        out = await pipeline.process(Envelope("s@uni.ac.uk", ("f@example.org",)), b"Subject: x\r\n\r\nhi\r\n")
    finally:
        pipeline.close()
    assert out.message_id == "none"


def test_only_secrets_are_taken_out(tmp_path: Path) -> None:
    """Everything inspection needs (domains, limits, detectors, the store for the document index) is kept."""
    s = _settings(tmp_path)
    w = for_workers(s)
    assert (w.quarantine.key, w.quarantine.key_file, w.smtp.tls_key, w.web.tls_key) == ("", "", "", "")
    assert not w.quarantine.generate_key  # a worker never makes a key of its own either
    assert (w.domains, w.limits, w.detect, w.documents, w.database, w.policies) == (
        s.domains,
        s.limits,
        s.detect,
        s.documents,
        s.database,
        s.policies,
    )
