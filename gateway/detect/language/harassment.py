"""HARASSMENT: unwanted contact, watching, and urging someone to harm themselves (harassment.yaml).

Harassment is a pattern of behaviour, so it is judged on the whole
message: contacting someone after being blocked, telling them their
timetable, waiting outside until they talk. Persistence on its own ("this
is my third email") is what civil complaints look like and weighs little.
"""

from __future__ import annotations

from gateway.detect.language.lexicon import MacroSet, compile_patterns, load_pattern_file
from gateway.detect.language.signals import PatternRecogniser
from gateway.detect.language.targets import TargetResolver

HARASSMENT = "HARASSMENT"


def harassment_recogniser(macros: MacroSet, resolver: TargetResolver) -> PatternRecogniser:
    raw = load_pattern_file("harassment.yaml", macros)
    return PatternRecogniser(
        HARASSMENT, compile_patterns(raw.get("patterns"), macros, "harassment.yaml"), resolver
    )
