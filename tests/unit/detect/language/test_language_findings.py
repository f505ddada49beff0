"""What the language findings look like, and what the default policy does with them."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.config import DomainSettings, Settings
from gateway.detect.language import LanguageDetector, build
from gateway.detect.language.insults import INSULT
from gateway.detect.language.profanity import PROFANITY
from gateway.detect.language.threats import THREAT
from gateway.detect.registry import DETECTORS, build_detectors
from gateway.inspector import Inspector
from gateway.model import Envelope, Verdict
from gateway.policy import load_policy

RUDE = re.compile(r"prick|idiot|shit|fuck|useless|waste", re.IGNORECASE)


def test_findings_carry_category_type_severity_target_and_masked_evidence(judge) -> None:
    """Each finding names its type, severity and target, and never repeats the words."""
    found = judge("You're a useless prick and a fucking idiot. I know where you park.")
    by_type = {f.type: f for f in found}
    assert set(by_type) == {INSULT, THREAT}
    for f in found:
        assert f.category == "abusive_language" and f.detector == "language"
        assert f.severity == "severe" and f.target == "second_person" and not f.quoted
        assert 0.5 <= f.score < 1.0
        assert not RUDE.search(f.evidence + " ".join(map(str, f.details.values())))


def test_one_finding_per_type_per_part(judge) -> None:
    """Several swear words in one body make one profanity finding listing them masked."""
    found = judge("The bus was shit. The weather was shit. The exam was crap.")
    assert [f.type for f in found] == [PROFANITY]
    assert found[0].evidence.count("(profanity)") == 2


def test_where_names_the_part(judge) -> None:
    """A finding in the subject line says so; one in an attachment names the file."""
    subject = judge("See you tomorrow.", subject="This rota is shit")
    assert [(f.type, f.where) for f in subject] == [(PROFANITY, "header:Subject")]
    attached = judge("Notes attached.", attachment="You are a useless prick.")
    assert [(f.type, f.where) for f in attached] == [(INSULT, "attachment:notes.docx")]


def test_quoted_abuse_is_marked_quoted(judge) -> None:
    """Abuse in an earlier message the student forwards is marked quoted; their own words are not."""
    found = judge(
        "FYI, see the message below from the group chat.",
        quoted="You're a pathetic little cow. I know where you park.",
        to=("tutor@uni.ac.uk",),
    )
    assert found and all(f.quoted for f in found)


# --- with the default policy -------------------------------------------------------------------

POLICY = load_policy([Path(__file__).parents[4] / "policies" / "default.yaml"])
SETTINGS = dataclasses.replace(
    Settings(), domains=DomainSettings(internal=("uni.ac.uk",), secure=("nhs.net",))
)


@pytest.fixture(scope="module")
def inspector(language: LanguageDetector) -> Inspector:
    return Inspector(SETTINGS, [language], POLICY)


def _message(to: str, body: str) -> bytes:
    return (
        f"From: Student <s@uni.ac.uk>\r\nTo: {to}\r\nSubject: hi\r\nMessage-ID: <m@uni.ac.uk>\r\n\r\n{body}\r\n"
    ).encode()


@pytest.mark.parametrize(
    ("to", "body", "verdict"),
    [
        ("friend@gmail.com", "That exam was shit but it's done.", Verdict.ANNOTATE),
        ("friend@gmail.com", "You're a useless prick.", Verdict.HOLD),
        ("mate@uni.ac.uk", "You're a useless prick.", Verdict.HOLD),
        (
            "tutor@uni.ac.uk",
            "Look what he sent me:\r\n\r\n> I know where you park. You'll regret this.",
            Verdict.ANNOTATE,
        ),
        (
            "friend@gmail.com",
            "Look what he sent me:\r\n\r\n> I know where you park. You'll regret this.",
            Verdict.HOLD,
        ),
        (
            "friend@gmail.com",
            "Had our rectal examination teaching today, then a breast lump station.",
            Verdict.PASS,
        ),
    ],
)
def test_default_policy_verdicts(inspector: Inspector, to: str, body: str, verdict: Verdict) -> None:
    """Profanity annotates, abuse holds, abuse forwarded to staff annotates, clinical words pass."""
    outcome = inspector.inspect(Envelope("s@uni.ac.uk", (to,)), _message(to, body))
    assert outcome.verdict is verdict, outcome.findings


def test_registered_and_built_by_the_registry() -> None:
    """The registry lists the detector and builds it from settings without loading anything."""
    assert ("language", "gateway.detect.language", "build") in DETECTORS
    (detector,) = build_detectors(SETTINGS, names=("language",))
    assert isinstance(detector, LanguageDetector) and detector.internal == ("uni.ac.uk",)
    assert not detector._loaded


def test_rules_alone_when_the_model_is_switched_off() -> None:
    """Without alt-profanity-check the rules still decide; only the score changes."""
    detector = build(
        dataclasses.replace(SETTINGS, language=dataclasses.replace(SETTINGS.language, profanity_model=False))
    )
    detector.load()
    inspection = Inspector(SETTINGS, [detector], POLICY).inspect(
        Envelope("s@uni.ac.uk", ("friend@gmail.com",)),
        _message("friend@gmail.com", "You're a useless prick."),
    )
    assert inspection.verdict is Verdict.HOLD and not detector.model.available


def test_extra_allow_list_from_settings(tmp_path: Path) -> None:
    """A school's own allow-list file ([language] extra_allow_lists) takes its phrases out."""
    local = tmp_path / "local_places.txt"
    local.write_text("# our own place names\ngreat bollocks farm\n", encoding="utf-8")
    text = "We stayed at Great Bollocks Farm for the rural GP placement."
    plain = build(SETTINGS)
    plain.load()
    allowed = build(
        dataclasses.replace(
            SETTINGS, language=dataclasses.replace(SETTINGS.language, extra_allow_lists=(str(local),))
        )
    )
    allowed.load()

    def types(detector: LanguageDetector) -> list[str]:
        from gateway.model import Inspection, Segment

        inspection = Inspection(
            envelope=Envelope("s@uni.ac.uk", ("a@gmail.com",)), segments=[Segment(text, "body")]
        )
        return [f.type for f in detector.detect(inspection)]

    assert types(plain) == [PROFANITY] and types(allowed) == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=400), subject=st.text(max_size=40))
def test_any_text_gives_findings_or_none_never_an_error(judge, text: str, subject: str) -> None:
    """Whatever a message contains (stray quotes, symbols, any script), the detector answers."""
    for finding in judge(text or ".", subject=subject):
        assert finding.category == "abusive_language" and finding.severity in ("mild", "severe")
