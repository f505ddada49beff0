"""Ordinary client output (non-ASCII names, inline images) is read without an ambiguity or uninspectable hold (issue 13 #11)."""

from __future__ import annotations

import unicodedata

import pytest

from gateway.config import LimitSettings
from gateway.extract import extract_all
from gateway.mime import parse_message
from gateway.model import Verdict
from gateway.model.finding import UNINSPECTABLE
from tests.unit.mime.client_mail import CLIENTS, NAMES
from tests.unit.mime.planted import ENV, inspect


@pytest.mark.parametrize("client", sorted(CLIENTS))
def test_client_mail_is_read_cleanly(client):
    """No uninspectable finding at all, the decoded names are the ones shown, and the message passes."""
    raw = CLIENTS[client]()
    insp = parse_message(raw, ENV, LimitSettings())
    names = {unicodedata.normalize("NFC", p.filename) for p in insp.parts}
    assert names & set(NAMES), names
    extract_all(insp, LimitSettings())
    assert [(f.type, f.details) for f in insp.findings if f.category == UNINSPECTABLE] == []
    assert inspect(raw).verdict is Verdict.PASS
