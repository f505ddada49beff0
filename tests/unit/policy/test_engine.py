"""The policy engine: conditions, most severe action wins, rule named, monitor mode, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.config import DomainSettings
from gateway.errors import PolicyError
from gateway.model import Envelope, Finding, Verdict
from gateway.policy import RecipientView, evaluate, load_policy

DOMAINS = DomainSettings(internal=("uni.ac.uk",), secure=("nhs.net",))


def policy(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    p = tmp_path / "p.yaml"
    p.write_text(text)
    return load_policy([p])


def view(*rcpts: str, sender: str = "s@uni.ac.uk") -> RecipientView:
    return RecipientView.of(Envelope(sender, rcpts), DOMAINS)


def nhs(score: float = 0.99, quoted: bool = False, where: str = "body") -> Finding:
    return Finding("patient_identifier", "NHS_NUMBER", where, score, quoted=quoted)


RULES = """
rules:
  - name: note-any
    when: {category: patient_identifier}
    action: annotate
  - name: hold-strong
    when: {category: patient_identifier, min_score: 0.8}
    action: hold
  - name: reject-many
    when: {category: patient_identifier, min_count: 3}
    action: reject
    reject_code: 554
    reject_text: "5.7.1 Too many identifiers"
"""


def test_most_severe_action_wins_and_is_named(tmp_path: Path) -> None:
    """Several rules match: the most severe action wins and the decision names its rule."""
    d = evaluate(policy(tmp_path, RULES), view("a@gmail.com"), [nhs()])
    assert (d.verdict, d.rule) == (Verdict.HOLD, "hold-strong")
    assert d.rules[0] == "hold-strong" and "note-any" in d.rules


def test_score_threshold_and_count(tmp_path: Path) -> None:
    """min_score filters weak findings; min_count needs that many matching findings."""
    p = policy(tmp_path, RULES)
    assert evaluate(p, view("a@gmail.com"), [nhs(0.5)]).verdict is Verdict.ANNOTATE
    d = evaluate(p, view("a@gmail.com"), [nhs(), nhs(), nhs()])
    assert (d.verdict, d.reject_code, d.reject_text) == (Verdict.REJECT, 554, "5.7.1 Too many identifiers")


@pytest.mark.parametrize(
    ("condition", "rcpts", "fires"),
    [
        ("any_external", ("t@uni.ac.uk", "x@gmail.com"), True),
        ("any_external", ("t@uni.ac.uk", "s@nhs.net"), False),
        ("all_internal", ("t@dept.uni.ac.uk",), True),
        ("all_internal", ("t@uni.ac.uk", "s@nhs.net"), False),
        ("all_internal_or_secure", ("t@uni.ac.uk", "s@wales.nhs.net"), True),
        ("all_internal_or_secure", ("t@evil-uni.ac.uk",), False),
        ("any_secure", ("x@gmail.com", "s@nhs.net"), True),
        ("no_external", ("x@gmail.com",), False),
    ],
)
def test_recipient_classes(tmp_path: Path, condition: str, rcpts: tuple[str, ...], fires: bool) -> None:
    """Recipient conditions use [domains], subdomains included and look-alikes excluded."""
    p = policy(
        tmp_path,
        f"rules:\n  - name: r\n    when: {{category: patient_identifier, recipients: {condition}}}\n"
        "    action: hold\n",
    )
    assert (evaluate(p, view(*rcpts), [nhs()]).verdict is Verdict.HOLD) is fires


def test_quoted_and_where_and_sender_conditions(tmp_path: Path) -> None:
    """Conditions on quoting, location and sender select the findings they name."""
    p = policy(
        tmp_path,
        """
rules:
  - name: own-text
    when: {category: patient_identifier, quoted: false, where: [attachment]}
    action: hold
  - name: staff
    when: {category: patient_identifier, sender: ["*@staff.uni.ac.uk"]}
    action: reject
""",
    )
    assert evaluate(p, view("a@gmail.com"), [nhs(where="attachment:x.xlsx/Sheet1")]).verdict is Verdict.HOLD
    assert evaluate(p, view("a@gmail.com"), [nhs(where="attachment:x", quoted=True)]).verdict is Verdict.PASS
    assert evaluate(p, view("a@gmail.com"), [nhs(where="body")]).verdict is Verdict.PASS
    staff = view("a@gmail.com", sender="dr@staff.uni.ac.uk")
    assert evaluate(p, staff, [nhs()]).verdict is Verdict.REJECT


def test_monitor_mode_delivers_and_records_what_would_happen(tmp_path: Path) -> None:
    """In monitor mode a hold becomes an annotated delivery that remembers it would have been held."""
    d = evaluate(policy(tmp_path, RULES), view("a@gmail.com"), [nhs()], monitor=True)
    assert d.verdict is Verdict.ANNOTATE and d.monitor and d.would_be is Verdict.HOLD


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("rules:\n  - name: a\n    when: {category: patients}\n    action: hold\n", "rule 'a'.when.category"),
        ("rules:\n  - name: a\n    action: quarantine\n", "rule 'a'.action"),
        (
            "rules:\n  - name: a\n    when: {recipients: outside}\n    action: hold\n",
            "rule 'a'.when.recipients",
        ),
        ("rules:\n  - name: a\n    when: {min_score: 2}\n    action: hold\n", "rule 'a'.when.min_score"),
        ("rules:\n  - name: a\n    action: reject\n    reject_code: 451\n", "rule 'a'.reject_code"),
        ('rules:\n  - name: a\n    action: reject\n    reject_text: "two\\nlines"\n', "rule 'a'.reject_text"),
        ("rules:\n  - when: {}\n    action: hold\n", "rules[0].name"),
        ("rules:\n  - name: a\n    action: hold\n    colour: red\n", "rule 'a'"),
        ("rules: [\n", "not valid YAML"),
    ],
)
def test_policy_errors_name_file_rule_and_key(tmp_path: Path, text: str, needle: str) -> None:
    """`gateway policy check` errors name the file, the rule and the key."""
    with pytest.raises(PolicyError) as e:
        policy(tmp_path, text)
    assert needle in str(e.value) and "p.yaml" in str(e.value)


def test_duplicate_rule_names_are_refused(tmp_path: Path) -> None:
    """Two rules with one name would make 'the rule that fired' ambiguous."""
    (tmp_path / "a.yaml").write_text("rules:\n  - name: x\n    action: hold\n")
    (tmp_path / "b.yaml").write_text("rules:\n  - name: x\n    action: pass\n")
    with pytest.raises(PolicyError, match="duplicate"):
        load_policy([tmp_path])
