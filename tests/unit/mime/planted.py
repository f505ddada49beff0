"""The planted sentence, messages that carry it, and the real inspector that must hold them.

The inspector is the one `gateway scan` builds (`build_inspector`, models
loaded once), limited to the patient detector with NER off so a test file
loads it in about two seconds; the planted sentence is found by its NHS
number and date of birth alone.
"""

from __future__ import annotations

import dataclasses
from functools import cache

from gateway.config import DomainSettings, Settings
from gateway.inspector import Inspector, build_inspector
from gateway.model import Envelope, Outcome, Verdict
from tests.unit.detect.patientfixtures import nhs_number

NHS = nhs_number("943")
SENTENCE = f"Patient John Whitfield, NHS number {NHS}, DOB 03/04/1961, Ward 7"
ENV = Envelope("robin.ashcombe@uni.ac.uk", ("kit.marlowe99@gmail.com",))
SETTINGS = dataclasses.replace(
    Settings(),
    domains=DomainSettings(internal=("uni.ac.uk",)),
    detect=dataclasses.replace(Settings().detect, ner=False),
)
HEAD = (
    "From: Robin Ashcombe <robin.ashcombe@uni.ac.uk>\r\nTo: Kit <kit.marlowe99@gmail.com>\r\n"
    "Subject: notes\r\nMIME-Version: 1.0\r\n"
)


@cache
def inspector() -> Inspector:
    built = build_inspector(SETTINGS, detectors=("patient",))
    built.load()
    return built


def inspect(raw: bytes) -> Outcome:
    return inspector().inspect(ENV, raw)


def verdict(raw: bytes) -> Verdict:
    return inspect(raw).verdict


def message(headers: str, body: bytes) -> bytes:
    """A single-part message: HEAD, `headers` (CRLF-separated lines, no blank line), `body`."""
    return (HEAD + headers.rstrip("\r\n") + "\r\n\r\n").encode() + body
