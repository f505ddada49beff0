"""An inspection worker's numerical libraries run one thread: a second one only spins beside the message."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from gateway.config import PipelineSettings, Settings
from gateway.model import Envelope
from gateway.pipeline import Pipeline
from gateway.worker_main import _THREAD_ENV
from tests.unit.pipeline_doubles import threads_reporting


async def test_a_worker_starts_with_single_threaded_numerical_libraries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even when the gateway was started without the thread variables, each library in a worker has one thread."""
    for name in _THREAD_ENV:
        monkeypatch.delenv(name, raising=False)
    settings = dataclasses.replace(Settings(state_dir=str(tmp_path)), pipeline=PipelineSettings(workers=1))
    pipeline = Pipeline(settings, factory=threads_reporting)
    try:
        out = await pipeline.process(Envelope("s@uni.ac.uk", ("f@example.org",)), b"Subject: x\r\n\r\nhi\r\n")
    finally:
        pipeline.close()
    libraries = out.message_id.split(",")
    assert libraries and all(lib.endswith("=1") for lib in libraries), libraries
    assert any(lib.startswith("openblas=") or lib.startswith("blis=") for lib in libraries), libraries
