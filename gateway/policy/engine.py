"""evaluate(policy, recipients, findings) -> Decision. Pure.

Every rule whose condition holds contributes its action; the most severe
action wins (reject > hold > annotate > pass) and the decision names the
rule. A rule with no category condition matches messages with no findings
too (use it for defaults). A detector that failed counts, per category,
as the policy's `on_detector_failure` says (patient categories fail
closed by default, tone fails open).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from gateway.model import Decision, Envelope, Finding, RecipientClass, Verdict
from gateway.model.envelope import classify
from gateway.policy.schema import Condition, Policy, Rule

#: used when the policy does not say what a failed detector means
DEFAULT_FAILURE = {
    "patient_identifier": Verdict.HOLD,
    "patient_image": Verdict.HOLD,
    "university_document": Verdict.HOLD,
    "uninspectable": Verdict.HOLD,
    "abusive_language": Verdict.ANNOTATE,
    "etiquette": Verdict.PASS,
}


@dataclass(frozen=True)
class RecipientView:
    sender: str
    classes: tuple[RecipientClass, ...]

    @classmethod
    def of(cls, envelope: Envelope, domains: Any) -> RecipientView:
        internal = tuple(d.lower() for d in domains.internal)
        secure = tuple(d.lower() for d in domains.secure)
        return cls(envelope.mail_from, tuple(classify(r, internal, secure) for r in envelope.rcpt_tos))

    def matches(self, condition: str) -> bool:
        c = self.classes
        if condition == "any":
            return True
        if condition == "any_external":
            return RecipientClass.EXTERNAL in c
        if condition == "no_external":
            return RecipientClass.EXTERNAL not in c
        if condition == "all_internal":
            return bool(c) and all(x is RecipientClass.INTERNAL for x in c)
        if condition == "all_internal_or_secure":
            return bool(c) and RecipientClass.EXTERNAL not in c
        if condition == "any_secure":
            return RecipientClass.SECURE in c
        raise ValueError(condition)


def finding_matches(cond: Condition, f: Finding) -> bool:
    if cond.categories and f.category not in cond.categories:
        return False
    if cond.types and f.type not in cond.types:
        return False
    if f.score < cond.min_score:
        return False
    if cond.quoted is not None and f.quoted != cond.quoted:
        return False
    if cond.severities and f.severity not in cond.severities:
        return False
    if cond.targets and f.target not in cond.targets:
        return False
    return not (cond.where and not any(f.where.startswith(w) for w in cond.where))


def rule_matches(rule: Rule, view: RecipientView, findings: Iterable[Finding]) -> list[Finding] | None:
    """The findings that make `rule` fire, or None when it does not."""
    cond = rule.when
    if not view.matches(cond.recipients) or not cond.sender_matches(view.sender):
        return None
    hits = [f for f in findings if finding_matches(cond, f)]
    needs_findings = bool(cond.categories or cond.types or cond.severities or cond.targets or cond.where)
    if needs_findings and len(hits) < max(cond.min_count, 1):
        return None
    if not needs_findings and cond.min_count > 1 and len(hits) < cond.min_count:
        return None
    return hits


def evaluate(
    policy: Policy,
    view: RecipientView,
    findings: Iterable[Finding],
    *,
    failed_categories: Iterable[str] = (),
    monitor: bool = False,
) -> Decision:
    findings = tuple(findings)
    fired: list[tuple[Rule, list[Finding]]] = []
    for rule in policy.rules:
        hits = rule_matches(rule, view, findings)
        if hits is not None:
            fired.append((rule, hits))
    verdict = Verdict.PASS
    winner: Rule | None = None
    for rule, _hits in fired:
        if rule.action.severity > verdict.severity:
            verdict, winner = rule.action, rule
    notes: list[str] = []
    failure_rule = ""
    for cat in sorted(set(failed_categories)):
        action = policy.on_detector_failure.get(cat, DEFAULT_FAILURE.get(cat, Verdict.HOLD))
        notes.append(f"detector for {cat} failed: {action.value}")
        if action.severity > verdict.severity:
            verdict, winner, failure_rule = action, None, f"detector-failure:{cat}"
    ordered = sorted(fired, key=lambda rf: -rf[0].action.severity)
    rule_name = winner.name if winner else failure_rule
    decision = Decision(
        verdict=verdict,
        rule=rule_name,
        rules=tuple(r.name for r, _ in ordered if r.action is not Verdict.PASS or r is winner),
        reason=(winner.description if winner else "; ".join(notes)),
        findings=findings,
        reject_code=winner.reject_code if winner else 550,
        reject_text=winner.reject_text if winner else "5.7.1 Message refused by the compliance policy",
        banner=winner.banner if winner and verdict is Verdict.ANNOTATE else "",
        notes=tuple(notes),
    )
    if monitor:
        return Decision(
            verdict=Verdict.ANNOTATE if findings or verdict is not Verdict.PASS else Verdict.PASS,
            rule=decision.rule,
            rules=decision.rules,
            reason=decision.reason,
            findings=findings,
            monitor=True,
            would_be=verdict,
            notes=decision.notes,
        )
    return decision
