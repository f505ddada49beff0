"""THREAT: intimidation, menace and promises of harm (threats.yaml).

"I know where you park", "you'll regret this", "I'll make your life hell".
The patterns name the reader or a person as the one threatened, so "this
kills gram-negative bacteria" and "the tumour killed him" cannot match:
there is no first person promising harm to someone. Joking threats between
friends ("I'll kill you if you eat my cake lol") count half.
"""

from __future__ import annotations

from gateway.detect.language.lexicon import MacroSet, compile_patterns, load_pattern_file
from gateway.detect.language.signals import PatternRecogniser
from gateway.detect.language.targets import TargetResolver

THREAT = "THREAT"


def threat_recogniser(macros: MacroSet, resolver: TargetResolver) -> PatternRecogniser:
    raw = load_pattern_file("threats.yaml", macros)
    return PatternRecogniser(THREAT, compile_patterns(raw.get("patterns"), macros, "threats.yaml"), resolver)
