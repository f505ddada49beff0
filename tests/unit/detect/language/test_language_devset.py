"""The blind development set, entry by entry, through the language detector and the default policy.

tests/corpus/devset/abuse_examples.yaml was written by someone who had not
read the detectors: UK medical students' mail, each entry labelled `flag`
(a reviewer would hold it) or `clean` (deliver it) with a `kind` whose first
word names a family. The abuse families (threat, harassment, insult,
discrimination, defamation, coercion) marked `flag` must be held by the
language detector alone; every other entry (clean ones, and patient or
health-gossip entries, which are the patient detector's to find) must not be
held by it. The mail goes to a tutor inside the university: severe abuse is
held whoever receives it, and a report of abuse quoted to staff is delivered.

The entries the detector still gets wrong are listed by kind in
EXPECTED_FAILURES with the reason; each of them must still be wrong, so the
list cannot go stale when one is fixed.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
import yaml

from gateway.config import DomainSettings, Settings
from gateway.detect.language import LanguageDetector
from gateway.inspector import Inspector
from gateway.model import Envelope, Verdict
from gateway.policy import load_policy

ROOT = Path(__file__).parents[4]
DEVSET = ROOT / "tests" / "corpus" / "devset" / "abuse_examples.yaml"
ABUSE_FAMILIES = ("threat", "harassment", "insult", "discrimination", "defamation", "coercion")

# kind -> why the detector still gets it wrong (misses unless marked "false hold")
EXPECTED_FAILURES = {
    "defamation-gossip-named": "the name comes after the allegations, in lower case, with typos",
    "discrimination-race-stereotype": "race only as a description, then 'Typical.' and 'should sack her'",
    "harassment-impersonation": "a first name after 'for' is not recognised as a name",
    "harassment-sexual-comment-staff": "a lower-case 'dr hollis' is not recognised as a name",
    "harassment-humiliation-image": "mocking a photo with a filter: no rule",
    "discrimination-xenophobia-threat": "the threat is aimed at 'their' door: no one to resolve",
    "defamation-forwarded": "the allegation is in quotation marks, read as quoted (delivered to staff)",
    "threat-flat-identified": "the closing kiss reads as friendly, so the grievance counts as teasing",
    "discrimination-national-origin": "regional contempt and 'sheep-shagger' are not on any list",
}


def _entries() -> list[dict[str, Any]]:
    entries = yaml.safe_load(DEVSET.read_text(encoding="utf-8"))
    assert isinstance(entries, list)
    return entries


ENTRIES = _entries()
POLICY = load_policy([ROOT / "policies" / "default.yaml"])
SETTINGS = dataclasses.replace(
    Settings(), domains=DomainSettings(internal=("uni.ac.uk",), secure=("nhs.net",))
)


def _mail(text: str) -> bytes:
    """A message to a tutor; an entry that opens with "Subject:" carries its own subject line."""
    subject, body = "Hello", text
    if text.startswith("Subject:"):
        first, _, body = text.partition("\n")
        subject = first[len("Subject:") :].strip()
    body = body.strip("\n").replace("\n", "\r\n")
    return (
        "From: Student <s@uni.ac.uk>\r\nTo: tutor@uni.ac.uk\r\n"
        f"Subject: {subject}\r\nMessage-ID: <dev@uni.ac.uk>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        f"{body}\r\n"
    ).encode()


def _must_hold(entry: dict[str, Any]) -> bool:
    return entry["expect"] == "flag" and str(entry["kind"]).split("-")[0] in ABUSE_FAMILIES


@pytest.fixture(scope="module")
def inspector(language: LanguageDetector) -> Inspector:
    return Inspector(SETTINGS, [language], POLICY)


def test_the_expected_failures_are_entries_of_the_set() -> None:
    """Every kind listed as an expected failure is an entry of the development set (kinds are unique)."""
    kinds = [str(e["kind"]) for e in ENTRIES]
    assert len(kinds) == len(set(kinds))
    assert set(EXPECTED_FAILURES) <= set(kinds)


@pytest.mark.parametrize("entry", ENTRIES, ids=[str(e["kind"]) for e in ENTRIES])
def test_devset_entry(inspector: Inspector, entry: dict[str, Any]) -> None:
    """Abuse marked flag is held; clean, patient and health-gossip entries are not held by the language detector."""
    outcome = inspector.inspect(Envelope("s@uni.ac.uk", ("tutor@uni.ac.uk",)), _mail(str(entry["text"])))
    held = outcome.verdict is Verdict.HOLD
    if entry["kind"] in EXPECTED_FAILURES:
        assert held is not _must_hold(entry), f"now right, remove it from EXPECTED_FAILURES: {entry['kind']}"
    else:
        assert held is _must_hold(entry), [(f.type, f.details) for f in outcome.findings]
