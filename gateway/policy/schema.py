"""The policy file format and its loader.

A policy file is YAML:

    rules:
      - name: patient-identifier
        description: Patient identifiers never leave unreviewed.
        when:
          category: patient_identifier       # or a list
          type: [NHS_NUMBER, CHI_NUMBER]     # optional
          min_score: 0.5                     # optional, default 0
          min_count: 1                       # optional, findings that match
          quoted: false                      # optional: only (not) quoted findings
          severity: [severe]                 # optional
          target: [second_person, named]     # optional
          recipients: any_external           # any | any_external | all_internal | all_internal_or_secure | any_secure
          sender: ["*@example.ac.uk"]        # optional glob(s) on the envelope sender
        action: hold                         # pass | annotate | hold | reject
        reject_code: 550                     # with reject
        reject_text: "5.7.1 ..."             # with reject
        banner: "..."                        # with annotate, optional
    on_detector_failure:                     # per category: what a failed detector means
      patient_identifier: hold
      abusive_language: annotate

Files load in name order; rules of later files follow earlier ones. Errors
name the file, the rule and the key.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from gateway.errors import PolicyError
from gateway.model import CATEGORIES, Verdict

RECIPIENT_CONDITIONS = (
    "any",
    "any_external",
    "all_internal",
    "all_internal_or_secure",
    "any_secure",
    "no_external",
)
_WHEN_KEYS = {
    "category",
    "type",
    "min_score",
    "min_count",
    "quoted",
    "severity",
    "target",
    "recipients",
    "sender",
    "where",
}
_RULE_KEYS = {"name", "description", "when", "action", "reject_code", "reject_text", "banner"}
_REPLY_TEXT = re.compile(r"^[\x20-\x7e]{1,400}$")


@dataclass(frozen=True)
class Condition:
    categories: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    min_score: float = 0.0
    min_count: int = 1
    quoted: bool | None = None
    severities: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    recipients: str = "any"
    senders: tuple[str, ...] = ()
    where: tuple[str, ...] = ()  # prefixes: "attachment", "header:Subject", "body"

    def sender_matches(self, sender: str) -> bool:
        if not self.senders:
            return True
        s = sender.lower().strip("<>")
        return any(fnmatch.fnmatchcase(s, pat.lower()) for pat in self.senders)


@dataclass(frozen=True)
class Rule:
    name: str
    when: Condition
    action: Verdict
    description: str = ""
    reject_code: int = 550
    reject_text: str = "5.7.1 Message refused by the compliance policy"
    banner: str = ""
    file: str = ""


@dataclass(frozen=True)
class Policy:
    rules: tuple[Rule, ...] = ()
    on_detector_failure: dict[str, Verdict] = field(default_factory=dict)
    files: tuple[str, ...] = ()


def load_policy(paths: Iterable[Path], *, domains: Any = None) -> Policy:
    """Load every *.yaml under the given files and folders into one Policy."""
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files.extend(sorted(x for x in p.iterdir() if x.suffix in (".yaml", ".yml")))
        elif p.exists():
            files.append(p)
        else:
            raise PolicyError("policy file not found", file=str(p))
    if not files:
        raise PolicyError("no policy files found", file=", ".join(str(p) for p in paths))
    rules: list[Rule] = []
    failure: dict[str, Verdict] = {}
    seen: dict[str, str] = {}
    for f in files:
        doc = _read(f)
        for i, raw in enumerate(doc.get("rules") or []):
            rule = _rule(raw, str(f), i)
            if rule.name in seen:
                raise PolicyError(
                    f"duplicate rule name (also in {seen[rule.name]})",
                    file=str(f),
                    rule=rule.name,
                    key="name",
                )
            seen[rule.name] = str(f)
            rules.append(rule)
        for cat, action in (doc.get("on_detector_failure") or {}).items():
            if cat not in CATEGORIES:
                raise PolicyError(f"unknown category {cat!r}", file=str(f), key=f"on_detector_failure.{cat}")
            failure[cat] = _verdict(action, str(f), None, f"on_detector_failure.{cat}")
    return Policy(rules=tuple(rules), on_detector_failure=failure, files=tuple(str(f) for f in files))


def _read(f: Path) -> dict[str, Any]:
    try:
        doc = yaml.safe_load(f.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise PolicyError(f"not valid YAML: {exc}", file=str(f)) from exc
    except OSError as exc:
        raise PolicyError(f"cannot read: {exc}", file=str(f)) from exc
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise PolicyError("expected a mapping with 'rules'", file=str(f))
    unknown = set(doc) - {"rules", "on_detector_failure", "description"}
    if unknown:
        raise PolicyError(f"unknown top-level key(s): {', '.join(sorted(unknown))}", file=str(f))
    if not isinstance(doc.get("rules") or [], list):
        raise PolicyError("'rules' must be a list", file=str(f), key="rules")
    return doc


def _rule(raw: Any, file: str, index: int) -> Rule:
    if not isinstance(raw, dict):
        raise PolicyError("a rule must be a mapping", file=file, key=f"rules[{index}]")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise PolicyError("every rule needs a name", file=file, key=f"rules[{index}].name")
    unknown = set(raw) - _RULE_KEYS
    if unknown:
        raise PolicyError(f"unknown key(s): {', '.join(sorted(unknown))}", file=file, rule=name)
    action = _verdict(raw.get("action"), file, name, "action")
    when = _condition(raw.get("when") or {}, file, name)
    code = raw.get("reject_code", 550)
    if not isinstance(code, int) or not 500 <= code <= 599:
        raise PolicyError("reject_code must be a 5xx code", file=file, rule=name, key="reject_code")
    text = raw.get("reject_text", "5.7.1 Message refused by the compliance policy")
    if not isinstance(text, str) or not _REPLY_TEXT.match(text):
        raise PolicyError(
            "reject_text must be one line of printable ASCII (at most 400 characters)",
            file=file,
            rule=name,
            key="reject_text",
        )
    banner = raw.get("banner", "")
    if not isinstance(banner, str):
        raise PolicyError("banner must be text", file=file, rule=name, key="banner")
    return Rule(
        name=name,
        when=when,
        action=action,
        description=str(raw.get("description", "")),
        reject_code=code,
        reject_text=text,
        banner=banner,
        file=file,
    )


def _verdict(value: Any, file: str, rule: str | None, key: str) -> Verdict:
    try:
        return Verdict(value)
    except ValueError:
        raise PolicyError(
            f"must be one of pass, annotate, hold, reject (got {value!r})", file=file, rule=rule, key=key
        ) from None


def _strings(value: Any, file: str, rule: str, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise PolicyError("expected a string or a list of strings", file=file, rule=rule, key=key)


def _condition(raw: Any, file: str, rule: str) -> Condition:
    if not isinstance(raw, dict):
        raise PolicyError("'when' must be a mapping", file=file, rule=rule, key="when")
    unknown = set(raw) - _WHEN_KEYS
    if unknown:
        raise PolicyError(
            f"unknown condition(s): {', '.join(sorted(unknown))}", file=file, rule=rule, key="when"
        )
    cats = _strings(raw.get("category"), file, rule, "when.category")
    for c in cats:
        if c not in CATEGORIES:
            raise PolicyError(
                f"unknown category {c!r} (known: {', '.join(CATEGORIES)})",
                file=file,
                rule=rule,
                key="when.category",
            )
    min_score = raw.get("min_score", 0.0)
    if isinstance(min_score, bool) or not isinstance(min_score, int | float) or not 0 <= min_score <= 1:
        raise PolicyError(
            "min_score must be a number from 0 to 1", file=file, rule=rule, key="when.min_score"
        )
    min_count = raw.get("min_count", 1)
    if isinstance(min_count, bool) or not isinstance(min_count, int) or min_count < 0:
        raise PolicyError("min_count must be a whole number >= 0", file=file, rule=rule, key="when.min_count")
    quoted = raw.get("quoted")
    if quoted is not None and not isinstance(quoted, bool):
        raise PolicyError("quoted must be true or false", file=file, rule=rule, key="when.quoted")
    recipients = raw.get("recipients", "any")
    if recipients not in RECIPIENT_CONDITIONS:
        raise PolicyError(
            f"recipients must be one of {', '.join(RECIPIENT_CONDITIONS)}",
            file=file,
            rule=rule,
            key="when.recipients",
        )
    return Condition(
        categories=cats,
        types=_strings(raw.get("type"), file, rule, "when.type"),
        min_score=float(min_score),
        min_count=min_count,
        quoted=quoted,
        severities=_strings(raw.get("severity"), file, rule, "when.severity"),
        targets=_strings(raw.get("target"), file, rule, "when.target"),
        recipients=recipients,
        senders=_strings(raw.get("sender"), file, rule, "when.sender"),
        where=_strings(raw.get("where"), file, rule, "when.where"),
    )
