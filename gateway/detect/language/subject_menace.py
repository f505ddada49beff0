"""THREAT in a subject line alone: a warning, a claim to know or to watch, or a harm, aimed at a person.

A subject line is read with the body, where a menace in it meets nothing:
"Subject: I'm watching you, Gareth" over a sign-up sheet, "Subject: last
warning, Deepa" over a room booking, "Subject: we know what you did on
Larkfield ward" over a rota. Said on its own, as a heading, such a line is
the message's point, so it stands alone here when it is aimed at someone (the
reader, or a person named) and holds one of:

- a warning ("last warning", "final warning", "you have been warned", "watch
  your back", "watch yourself");
- a claim to know what they did or where they are ("we know what you did",
  "I know where you live", "I know about you");
- watching ("I'm watching you", "we are watching");
- a harm the intent reader knows ("before I come for you", "you'll end up
  in A&E"), or a weak spot or presence veiled_facts.py knows.

A notice about an account (a fine, a fee, rent, a library loan, an overdue
submission) or a heading for teaching ("Watch your back (manual handling
refresher)") is not a threat, whoever it names. The finding names the parts
("threat in the subject line: warning").
"""

from __future__ import annotations

import re

from gateway.detect.language.intent import IntentReader
from gateway.detect.language.signals import Document, Signal
from gateway.detect.language.targets import NAMED, SECOND_PERSON, TargetResolver
from gateway.detect.language.veiled_facts import VeiledFactsReader

THREAT = "THREAT"
RULE = "subject-menace"
MAX_WORDS = 14  # a heading, not a sentence of the body pasted into the subject

_WARNING = re.compile(
    r"\b(?:last|final|only) warning\b|\byou have been warned\b|\bwatch (?:your|ur) back\b|\bwatch (?:yourself|urself)\b"
)
_KNOWING = re.compile(
    r"\b(?:i|we) know (?:what (?:you|u) (?:did|have done|said)|where (?:you|u) (?:live|sleep|park|work)|about (?:you|u)\b|"
    r"who (?:you|u) (?:are|really are))"
)
_WATCHING = re.compile(
    r"\b(?:i am|we are|i have been|we have been|always|still) watching\b|\bwatching (?:you|u)\b"
)
_ACCOUNT = re.compile(
    r"\b(?:fines?|fees?|rent|invoice|payment|overdue|library|loan|deadline|submission|account|reminder|arrears|"
    r"parking permit|council tax|tv licen[cs]e|"
    # a heading for teaching or training ("Watch your back (manual handling refresher)")
    r"refresher|training|session|lecture|seminar|workshop|module|course|tips|talk|webinar|induction)\b"
)
_INTENT = frozenset(["harm"])
_FACTS = frozenset(["presence", "weak spot"])


class SubjectMenaceReader:
    """Reads the subject line's sentences alone; `scan` gives at most one THREAT signal per document."""

    def __init__(self, resolver: TargetResolver, intent: IntentReader, facts: VeiledFactsReader) -> None:
        self.resolver = resolver
        self.intent = intent
        self.facts = facts

    def scan(self, doc: Document) -> list[Signal]:
        for k in sorted(doc.context.subject):
            s = doc.sentences[k]
            view = s.view
            if len(view.split()) > MAX_WORDS or _ACCOUNT.search(view) or doc.context.friendly:
                continue
            parts = []
            if _WARNING.search(view):
                parts.append("warning")
            if _KNOWING.search(view):
                parts.append("knowing")
            if _WATCHING.search(view):
                parts.append("watching")
            if self.intent.parts_of(s).keys() & _INTENT or self.facts.parts_of(s).keys() & _FACTS:
                parts.append("harm")
            if not parts or s.is_reported(0, len(view)):
                continue
            kinds = {m.kind for m in self.resolver.mentions(s)}
            target = SECOND_PERSON if "second" in kinds else NAMED if "named" in kinds else None
            if target is None:
                continue
            return [Signal(THREAT, RULE, 1.0, target, "threat in the subject line: " + " + ".join(parts), k)]
        return []
