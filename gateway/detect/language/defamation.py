"""DEFAMATION: allegations of crime, misconduct or gross incompetence about an identifiable person.

"Dr X turns up drunk and falsified the audit", "the registrar on Ward 5 is
stealing controlled drugs". An allegation (defamation.yaml `allegations`)
counts only when it is about someone the message identifies: a name, a
role, or he/she after a member of staff was named. About a patient ("the
patient came in drunk"), the writer, or nobody, it is not an allegation.

A sentence about people in general or about handling misconduct ("doctors
who were struck off for ...", "how to spot students cheating") accuses no
one (defamation.yaml `generic`). Three things change the weight, all data
in defamation.yaml:
- hedges ("I think", "appeared to") weigh an allegation down;
- support ("everyone knows", "the CD book never adds up", "send it to the
  papers") adds to an allegation, never stands alone;
- a report raised through the proper channel ("I would like to raise a
  concern", Freedom to Speak Up) to internal or secure recipients only is
  privileged: reporting a concern to those who must act on it is not
  defamation, so nothing is reported.
"""

from __future__ import annotations

import dataclasses
import re

from gateway.detect.language.allegations import AllegationReader
from gateway.detect.language.insinuation import InsinuationReader
from gateway.detect.language.lexicon import MacroSet, compile_patterns, compile_regexes, load_pattern_file
from gateway.detect.language.signals import Document, PatternRecogniser, Signal
from gateway.detect.language.targets import NAMED, ROLE, TargetResolver

DEFAMATION = "DEFAMATION"


class DefamationRecogniser:
    def __init__(self, macros: MacroSet, resolver: TargetResolver) -> None:
        raw = load_pattern_file("defamation.yaml", macros)
        source = "defamation.yaml"
        self.resolver = resolver
        self.allegations = compile_patterns(raw.get("allegations"), macros, source)
        self._allegations = PatternRecogniser(DEFAMATION, self.allegations, resolver, mode="before")
        support = compile_patterns(raw.get("support"), macros, source)
        self._support = PatternRecogniser(
            DEFAMATION, [dataclasses.replace(p, target="none") for p in support], resolver
        )
        self.hedges: list[re.Pattern[str]] = compile_regexes(raw.get("hedges", []), macros, source)
        self.reports: list[re.Pattern[str]] = compile_regexes(raw.get("reports", []), macros, source)
        self.generic: list[re.Pattern[str]] = compile_regexes(raw.get("generic", []), macros, source)
        self.hedge_factor = float(raw.get("hedge_factor", 0.6))
        self._staff_only = {p.id for p in self.allegations if p.staff_only}
        # "the cash was taken by Dr X": the person after "by" did it (target: agent in the YAML)
        self._agent = {p.id for p in self.allegations if p.target == "agent"}
        # wrongdoing and target read apart, whatever the wording or casing (allegations.yaml)
        self.described = AllegationReader(macros, resolver)
        # a person set beside a loss or a gain with the writer's nudge (insinuation.yaml)
        self.insinuation = InsinuationReader(macros, self.described)

    def scan(self, doc: Document) -> list[Signal]:
        if doc.context.privileged and self.is_report(doc):
            return []
        out: list[Signal] = []
        for sig in self._allegations.scan(doc):
            # the person before the allegation is whom it is about ("Dr X ... is stealing")
            mode = "inside" if sig.rule in self._agent else "subject"
            target = self.resolver.resolve(doc.sentences, sig.sentence, sig.begin, sig.end, mode=mode)
            if target.kind not in (NAMED, ROLE) or not target.explicit:
                continue  # the writer, a patient, nobody, or "he" with no one named (a patient story)
            sig = dataclasses.replace(sig, target=target.kind)
            if sig.rule in self._staff_only and not target.staff:
                continue
            out.extend(self._weighed(doc, sig))
        for sig in self.described.scan(doc, DEFAMATION):
            out.extend(self._weighed(doc, sig))
        for sig in self.insinuation.scan(doc, DEFAMATION):
            out.extend(self._weighed(doc, sig))
        out = _strongest_per_sentence(out)
        if out:
            out.extend(self._support.scan(doc))
        return out

    def _weighed(self, doc: Document, sig: Signal) -> list[Signal]:
        """An allegation as it counts: none about people in general, less when hedged."""
        view = doc.sentences[sig.sentence].view
        if any(g.search(view) for g in self.generic):
            return []  # about people in general, or about how to handle misconduct: no one is accused
        if self.described.framed(doc.sentences, sig.sentence):
            return []  # a patient's history ("he was done for drink driving") or a news report
        if self.described.not_before.search(view, max(0, sig.begin - 100), sig.begin):
            return []  # "nobody thinks the pharmacist is ...", "if the treasurer ...": not asserted
        if self.described.denied_after.search(view, sig.end):
            return []  # "... is a thief, which is untrue": denied
        after = sig.sentence + 1
        if after < len(doc.sentences) and self.described.denied_next.search(doc.sentences[after].view):
            return []  # "... saying Ruairi was arrested. He wasn't": a rumour corrected
        if any(h.search(view) for h in self.hedges):
            sig = dataclasses.replace(sig, weight=sig.weight * self.hedge_factor)
        return [sig]

    def is_report(self, doc: Document) -> bool:
        """Does the message raise a concern through the proper channel?"""
        return any(r.search(s.view) for s in doc.sentences for r in self.reports)


def _strongest_per_sentence(signals: list[Signal]) -> list[Signal]:
    """One allegation per sentence: two patterns reading the same words ("stole his medication") count once."""
    best: dict[int, Signal] = {}
    for sig in signals:
        if sig.sentence not in best or sig.weight > best[sig.sentence].weight:
            best[sig.sentence] = sig
    return list(best.values())
