"""The policy engine, rule by rule: which rule is named, which reply is given, what monitor mode and failed detectors do."""

from __future__ import annotations

import pytest

from gateway.config import DomainSettings
from gateway.model import Envelope, Finding, Verdict
from gateway.policy import RecipientView, evaluate
from gateway.policy.engine import DEFAULT_FAILURE, finding_matches
from gateway.policy.schema import Condition, Policy, Rule

DOMAINS = DomainSettings(internal=("uni.ac.uk",), secure=("nhs.net",))
OUTSIDE = RecipientView.of(Envelope("s@uni.ac.uk", ("a@gmail.com",)), DOMAINS)
INSIDE = RecipientView.of(Envelope("s@uni.ac.uk", ("t@uni.ac.uk",)), DOMAINS)
DEFAULT_TEXT = "5.7.1 Message refused by the compliance policy"


def nhs(score: float = 0.99, **kw: object) -> Finding:
    return Finding("patient_identifier", "NHS_NUMBER", str(kw.pop("where", "body")), score, **kw)  # type: ignore[arg-type]


def abuse(severity: str = "severe", target: str = "second_person") -> Finding:
    return Finding("abusive_language", "PROFANITY", "body", 0.9, severity=severity, target=target)


def rule(name: str, action: Verdict, **when: object) -> Rule:
    return Rule(
        name,
        Condition(**when),  # type: ignore[arg-type]
        action,
        description=f"{name} says why",
        reject_code=554,
        reject_text=f"5.7.1 {name} refused",
        banner=f"[{name}]",
    )


def run(*rules: Rule, findings: tuple[Finding, ...] = (), view: RecipientView = OUTSIDE, **kw: object):  # type: ignore[no-untyped-def]
    return evaluate(Policy(rules=rules), view, findings, **kw)  # type: ignore[arg-type]


PATIENT = {"categories": ("patient_identifier",)}


@pytest.mark.parametrize(
    ("action", "field", "expected"),
    [
        (Verdict.HOLD, "rule", "first"),
        (Verdict.REJECT, "reject_text", "5.7.1 first refused"),
        (Verdict.ANNOTATE, "banner", "[first]"),
        (Verdict.HOLD, "reason", "first says why"),
    ],
)
def test_first_of_equally_severe_rules_wins(action: Verdict, field: str, expected: str) -> None:
    """Between rules of equal severity the first in the policy is named and gives its texts."""
    d = run(rule("first", action, **PATIENT), rule("second", action, **PATIENT), findings=(nhs(),))
    assert getattr(d, field) == expected
    assert d.rules == ("first", "second")


def test_decision_lists_matched_rules_most_severe_first_and_drops_pass_rules() -> None:
    """`rules` lists the blocking rule first, then lesser ones in policy order; pass rules that lost are left out."""
    d = run(
        rule("allow", Verdict.PASS, **PATIENT),
        rule("note", Verdict.ANNOTATE, **PATIENT),
        rule("hold", Verdict.HOLD, **PATIENT),
        rule("note2", Verdict.ANNOTATE, **PATIENT),
        findings=(nhs(),),
    )
    assert (d.verdict, d.rule, d.rules) == (Verdict.HOLD, "hold", ("hold", "note", "note2"))
    assert (d.reject_code, d.reject_text, d.banner) == (554, "5.7.1 hold refused", "")


def test_pass_rule_alone_is_not_named() -> None:
    """A pass rule firing alone leaves the decision unnamed (nothing was stopped), with no banner."""
    d = run(rule("allow", Verdict.PASS), findings=())
    assert (d.verdict, d.rule, d.rules, d.banner) == (Verdict.PASS, "", (), "")


def test_nothing_fires_gives_default_reply_texts() -> None:
    """With no rule firing the decision is pass, unnamed, with the default 550 text."""
    d = run(rule("hold", Verdict.HOLD, **PATIENT), findings=())
    assert (d.verdict, d.rule, d.rules, d.reason) == (Verdict.PASS, "", (), "")
    assert (d.reject_code, d.reject_text, d.banner, d.notes) == (550, DEFAULT_TEXT, "", ())


def test_annotate_winner_gives_its_banner_and_findings() -> None:
    """An annotate decision carries the winning rule's banner and every finding of the message."""
    findings = (nhs(), abuse())
    d = run(rule("note", Verdict.ANNOTATE, **PATIENT), findings=findings)
    assert (d.verdict, d.banner, d.findings) == (Verdict.ANNOTATE, "[note]", findings)


@pytest.mark.parametrize(
    ("findings", "verdict", "would_be", "rule_name"),
    [
        ((), Verdict.PASS, Verdict.PASS, ""),
        ((abuse(),), Verdict.ANNOTATE, Verdict.PASS, ""),
        ((nhs(),), Verdict.ANNOTATE, Verdict.HOLD, "hold"),
    ],
)
def test_monitor_mode_marks_only_messages_with_findings(
    findings: tuple[Finding, ...], verdict: Verdict, would_be: Verdict, rule_name: str
) -> None:
    """Monitor mode leaves a clean message unmarked, annotates any finding and remembers the real verdict."""
    d = run(rule("hold", Verdict.HOLD, **PATIENT), findings=findings, monitor=True)
    assert (d.verdict, d.would_be, d.monitor, d.rule, d.findings) == (
        verdict,
        would_be,
        True,
        rule_name,
        findings,
    )
    assert d.rules == ((rule_name,) if rule_name else ())
    assert d.reason == ("hold says why" if rule_name else "")


def test_monitor_mode_annotates_a_rule_without_findings() -> None:
    """Monitor mode annotates when a finding-free rule would hold, and keeps the notes of failed detectors."""
    d = run(rule("all", Verdict.HOLD), monitor=True, failed_categories=("etiquette",))
    assert (d.verdict, d.would_be, d.rule) == (Verdict.ANNOTATE, Verdict.HOLD, "all")
    assert d.notes == ("detector for etiquette failed: pass",)


@pytest.mark.parametrize(("category", "verdict"), sorted(DEFAULT_FAILURE.items()))
def test_built_in_failure_table(category: str, verdict: Verdict) -> None:
    """Without a policy entry a failed detector counts as the built-in table says, named after its category."""
    d = run(failed_categories=(category,))
    assert d.verdict is verdict
    assert d.notes == (f"detector for {category} failed: {verdict.value}",)
    assert d.rule == ("" if verdict is Verdict.PASS else f"detector-failure:{category}")
    assert d.reason == f"detector for {category} failed: {verdict.value}"


@pytest.mark.parametrize(
    ("category", "verdict"),
    [
        ("patient_identifier", Verdict.HOLD),
        ("patient_image", Verdict.HOLD),
        ("university_document", Verdict.HOLD),
        ("uninspectable", Verdict.HOLD),
        ("abusive_language", Verdict.ANNOTATE),
        ("etiquette", Verdict.PASS),
    ],
)
def test_failure_table_is_patients_closed_tone_open(category: str, verdict: Verdict) -> None:
    """The built-in table: patient and document detectors fail closed (hold), tone fails open."""
    assert DEFAULT_FAILURE[category] is verdict


def test_policy_failure_setting_overrides_and_unknown_categories_hold() -> None:
    """`on_detector_failure` overrides the table; a category the table lacks holds; notes are sorted and joined."""
    p = Policy(on_detector_failure={"patient_identifier": Verdict.REJECT})
    d = evaluate(p, OUTSIDE, (), failed_categories=["patient_identifier", "dicom", "dicom"])
    assert (d.verdict, d.rule) == (Verdict.REJECT, "detector-failure:patient_identifier")
    assert d.notes == ("detector for dicom failed: hold", "detector for patient_identifier failed: reject")
    assert d.reason == "detector for dicom failed: hold; detector for patient_identifier failed: reject"
    assert (d.reject_code, d.reject_text) == (550, DEFAULT_TEXT)


@pytest.mark.parametrize(
    ("action", "verdict", "rule_name"),
    [
        (Verdict.HOLD, Verdict.HOLD, "hold"),
        (Verdict.REJECT, Verdict.REJECT, "hold"),
        (Verdict.ANNOTATE, Verdict.HOLD, "detector-failure:patient_identifier"),
    ],
)
def test_failed_detector_only_wins_when_more_severe(
    action: Verdict, verdict: Verdict, rule_name: str
) -> None:
    """A failed detector overrides a fired rule only when strictly more severe; otherwise the rule stays named."""
    d = run(rule("hold", action), failed_categories=("patient_identifier",))
    assert (d.verdict, d.rule) == (verdict, rule_name)


@pytest.mark.parametrize(
    ("condition", "rcpts", "fires"),
    [
        ("any", (), True),
        ("any", ("x@gmail.com",), True),
        ("no_external", ("t@uni.ac.uk", "s@nhs.net"), True),
        ("no_external", ("t@uni.ac.uk", "x@gmail.com"), False),
        ("any_external", ("x@gmail.com",), True),
        ("all_internal", (), False),
        ("all_internal", ("t@uni.ac.uk", "u@dept.uni.ac.uk"), True),
        ("all_internal", ("t@uni.ac.uk", "x@gmail.com"), False),
        ("all_internal_or_secure", (), False),
        ("all_internal_or_secure", ("s@nhs.net",), True),
        ("all_internal_or_secure", ("s@nhs.net", "x@gmail.com"), False),
        ("any_secure", ("t@uni.ac.uk",), False),
        ("any_secure", ("t@uni.ac.uk", "s@NHS.net"), True),
    ],
)
def test_recipient_conditions(condition: str, rcpts: tuple[str, ...], fires: bool) -> None:
    """Each recipients condition fires exactly for its class of recipient list."""
    v = RecipientView.of(Envelope("s@uni.ac.uk", rcpts), DOMAINS)
    assert v.matches(condition) is fires


def test_configured_domains_match_case_insensitively() -> None:
    """Domains written in capitals in the settings still classify recipients."""
    v = RecipientView.of(
        Envelope("s@uni.ac.uk", ("t@uni.ac.uk", "s@nhs.net")), DomainSettings(("UNI.AC.UK",), ("NHS.Net",))
    )
    assert v.matches("all_internal_or_secure") and v.matches("any_secure") and not v.matches("all_internal")


@pytest.mark.parametrize("condition", ["outside", "", "zzz", "all", "no"])
def test_unknown_recipient_condition_is_an_error(condition: str) -> None:
    """A recipients condition the engine does not know raises rather than silently matching."""
    with pytest.raises(ValueError) as e:
        OUTSIDE.matches(condition)
    assert e.value.args == (condition,)


@pytest.mark.parametrize(
    ("condition", "finding", "fires"),
    [
        (Condition(types=("NHS_NUMBER",)), nhs(), True),
        (Condition(types=("CHI_NUMBER",)), nhs(), False),
        (Condition(categories=("abusive_language",)), nhs(), False),
        (Condition(min_score=0.8), nhs(0.8), True),
        (Condition(min_score=0.8), nhs(0.79), False),
        (Condition(quoted=True), nhs(quoted=True), True),
        (Condition(quoted=True), nhs(quoted=False), False),
        (Condition(quoted=False), nhs(quoted=True), False),
        (Condition(quoted=None), nhs(quoted=True), True),
        (Condition(severities=("severe",)), abuse("severe"), True),
        (Condition(severities=("severe",)), abuse("mild"), False),
        (Condition(targets=("named",)), abuse(target="named"), True),
        (Condition(targets=("named",)), abuse(target="second_person"), False),
        (Condition(where=("body", "attachment")), nhs(where="attachment:a.pdf"), True),
        (Condition(where=("header",)), nhs(where="body"), False),
        (Condition(), nhs(), True),
    ],
)
def test_finding_conditions(condition: Condition, finding: Finding, fires: bool) -> None:
    """type, category, min_score (inclusive), quoted, severity, target and where select findings exactly."""
    assert finding_matches(condition, finding) is fires


@pytest.mark.parametrize(
    ("when", "count", "fires"),
    [
        ({"types": ("NHS_NUMBER",)}, 0, False),
        ({"types": ("NHS_NUMBER",)}, 1, True),
        ({"types": ("NHS_NUMBER",)}, 2, True),
        ({"categories": ("patient_identifier",), "min_count": 0}, 0, False),
        ({"severities": ("severe",)}, 1, False),
        ({"targets": ("named",)}, 1, False),
        ({"where": ("header",)}, 1, False),
        ({"categories": ("patient_identifier",), "min_count": 3}, 2, False),
        ({"categories": ("patient_identifier",), "min_count": 3}, 3, True),
        ({}, 0, True),
        ({"min_count": 2}, 1, False),
        ({"min_count": 2}, 2, True),
        ({"min_count": 2}, 3, True),
    ],
)
def test_rule_fires_on_enough_matching_findings(when: dict[str, object], count: int, fires: bool) -> None:
    """A rule with finding conditions needs min_count (at least one) matches; a rule without them fires on any message."""
    d = run(rule("r", Verdict.HOLD, **when), findings=tuple(nhs() for _ in range(count)))
    assert (d.verdict is Verdict.HOLD) is fires


@pytest.mark.parametrize(
    ("senders", "view", "fires"),
    [
        (("*@uni.ac.uk",), OUTSIDE, True),
        (("*@staff.uni.ac.uk",), OUTSIDE, False),
        ((), INSIDE, True),
    ],
)
def test_sender_and_recipients_gate_the_rule(
    senders: tuple[str, ...], view: RecipientView, fires: bool
) -> None:
    """A rule fires only when both its sender glob and its recipients condition hold."""
    d = run(rule("r", Verdict.HOLD, senders=senders, recipients="any_external"), view=view)
    assert (d.verdict is Verdict.HOLD) is (fires and view is OUTSIDE)
