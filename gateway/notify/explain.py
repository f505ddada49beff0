"""Which findings a notice explains, and what a check answer says would happen: pure, from the policy.

Used on both sides of the worker pipe: the worker picks the findings whose
places and text it de-identifies (gateway.notify.drafting), the notifier
picks the same findings to describe (gateway.notify.notifier). No model, no
store: the policy's rules and the recipients' classes only.
"""

from __future__ import annotations

from collections.abc import Iterable

from gateway.config import Settings
from gateway.model import Decision, Envelope, Finding, RecipientClass, Verdict
from gateway.policy import Policy, RecipientView, evaluate
from gateway.policy.engine import rule_matches


def findings_shown(
    policy: Policy | None, settings: Settings, envelope: Envelope, decision: Decision
) -> list[Finding]:
    """The findings that made the fired rules act; all of them when that cannot be told."""
    findings = list(decision.findings)
    if policy is None or not decision.rules:
        return findings
    view = RecipientView.of(envelope, settings.domains)
    acted: set[int] = set()
    names = set(decision.rules)
    for rule in policy.rules:
        if rule.name in names and rule.action is not Verdict.PASS:
            for f in rule_matches(rule, view, findings) or ():
                acted.add(id(f))
    shown = [f for f in findings if id(f) in acted]
    return shown or findings


def check_findings(policy: Policy | None, envelope: Envelope, findings: Iterable[Finding]) -> list[Finding]:
    """For a check answer: the findings some non-pass rule would act on, inside or outside."""
    if policy is None:
        return list(findings)
    return [f for f in findings if _acted_on(policy, envelope, f)]


def _acted_on(policy: Policy, envelope: Envelope, finding: Finding) -> bool:
    for cls in (RecipientClass.EXTERNAL, RecipientClass.INTERNAL, RecipientClass.SECURE):
        view = RecipientView(envelope.mail_from, (cls,))
        for rule in policy.rules:
            if rule.action is not Verdict.PASS and rule_matches(rule, view, [finding]):
                return True
    return False


def would_be(
    policy: Policy | None, envelope: Envelope, findings: tuple[Finding, ...], cls: RecipientClass
) -> str:
    """The verdict the policy would give these findings for recipients of one class ("" without a policy)."""
    if policy is None:
        return ""
    view = RecipientView(envelope.mail_from, (cls,))
    return evaluate(policy, view, findings).verdict.value


def subject_has_other_findings(findings: Iterable[Finding]) -> bool:
    """A finding other than a patient identifier in the subject line: do not show the subject at all."""
    return any(
        f.where.lower().endswith("header:subject") and f.category != "patient_identifier" for f in findings
    )
