"""OBSCENE: sexual remarks about a person (obscenity.yaml, sexual_slang.txt).

Only slang counts, and only about a person: "her [slang]", "I'd [slang]
her", "she's [sexualising word]". Clinical words (rectal examination,
penile discharge, breast lump, erectile dysfunction, sexual-health clinic)
are on none of the lists, so teaching and clinic talk cannot match.
"""

from __future__ import annotations

from gateway.detect.language.lexicon import MacroSet, compile_patterns, load_pattern_file
from gateway.detect.language.signals import PatternRecogniser
from gateway.detect.language.targets import TargetResolver

OBSCENE = "OBSCENE"


def obscenity_recogniser(macros: MacroSet, resolver: TargetResolver) -> PatternRecogniser:
    raw = load_pattern_file("obscenity.yaml", macros)
    return PatternRecogniser(
        OBSCENE, compile_patterns(raw.get("patterns"), macros, "obscenity.yaml"), resolver
    )
