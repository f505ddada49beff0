"""How hints of menace add up: the continuum of threat and harassment, and hostility.

Two rules decide when hints that are innocent alone become a threat:

- threat and harassment are one continuum of intimidation, so their hints
  add up (reported under the heavier type);
- a hostile message turns an ambiguous hint into a threat. "You've been
  warned", "I'd keep an eye on your car" or knowing someone's route home
  are advice or care between friends, and menace from someone with a
  grievance against the person ("you reported me", "after what you did",
  "how dare you") or who is insulting them. Grievances are read by the
  `grievance` patterns of threats.yaml; they are never findings themselves.
"""

from __future__ import annotations

import dataclasses

from gateway.detect.language.lexicon import MacroSet, compile_patterns, load_pattern_file
from gateway.detect.language.signals import THRESHOLD, PatternRecogniser, Signal
from gateway.detect.language.targets import TargetResolver

GRIEVANCE = "GRIEVANCE"  # a signal type that is context, never a finding
HOSTILE_BOOST = 0.6  # what hostility adds to a hint of menace aimed at a person
_AIMED = ("second_person", "named", "role")
_HOSTILE_TYPES = ("INSULT", "DISCRIMINATION", GRIEVANCE)
# rules that each say the writer knows the person's route or routine: in one sentence they read the
# same words ("I know you walk home alone late"), so they count once, at the heaviest
_ROUTINE = frozenset(
    ["knows-route", "routine-known", "knows-alone-routine", "noticed-routine", "knows-routine"]
)


def grievance_recogniser(macros: MacroSet, resolver: TargetResolver) -> PatternRecogniser:
    raw = load_pattern_file("threats.yaml", macros)
    return PatternRecogniser(
        GRIEVANCE, compile_patterns(raw.get("grievance"), macros, "threats.yaml"), resolver
    )


def hostile(signals: list[Signal], *, friendly: bool = False) -> bool:
    """Does the writer hold a grievance against someone, or insult them, in their own words?

    Between friends ("lol", kisses) a grievance is teasing ("you know what you did with the last
    pizza cutter lol"); an insult still counts.
    """
    kinds = [t for t in _HOSTILE_TYPES if not (friendly and t == GRIEVANCE)]
    return any(s.type in kinds and s.target in _AIMED and not s.reported for s in signals)


def escalate(signals: list[Signal], threat: str, *, friendly: bool = False) -> list[Signal]:
    """In a hostile message, each hint of menace aimed at a person weighs more; grievances drop out.

    Knowledge of a person's routine counts once per sentence whichever rules read it.
    """
    angry = hostile(signals, friendly=friendly)
    routine: dict[int, Signal] = {}
    for s in signals:
        if s.rule in _ROUTINE and (s.sentence not in routine or s.weight > routine[s.sentence].weight):
            routine[s.sentence] = s
    out = []
    for s in signals:
        if s.type == GRIEVANCE or (s.rule in _ROUTINE and routine[s.sentence] is not s):
            continue
        if angry and s.type == threat and s.weight < THRESHOLD and s.target in _AIMED:
            s = dataclasses.replace(s, weight=min(THRESHOLD, s.weight + HOSTILE_BOOST))
        out.append(s)
    return out


def continuum(
    groups: dict[tuple[str, bool], list[Signal]], threat: str, harassment: str
) -> dict[tuple[str, bool], list[Signal]]:
    """Threat and harassment are one continuum of intimidation: hints of both add up.

    When neither type reaches a finding on its own but together they do, the
    signals are reported under the heavier of the two.
    """
    for quoted in (False, True):
        th, ha = groups.get((threat, quoted), []), groups.get((harassment, quoted), [])
        wt, wh = weight(th), weight(ha)
        if th and ha and wt < THRESHOLD and wh < THRESHOLD and wt + wh >= THRESHOLD - 1e-9:
            heavier = threat if wt >= wh else harassment
            groups[(heavier, quoted)] = th + ha
            groups.pop((harassment if heavier == threat else threat, quoted))
    return groups


def weight(signals: list[Signal]) -> float:
    """The weights of distinct rules, each counted once at its heaviest."""
    best: dict[str, float] = {}
    for s in signals:
        best[s.rule] = max(best.get(s.rule, 0.0), s.weight)
    return sum(best.values())
