"""HARASSMENT and DISCRIMINATION in everyday words and slang (everyday.yaml).

harassment.yaml and discrimination.yaml read the set forms of unwanted
contact and group hostility. The same things said in the words of a flat
chat or a group text ("I'll message you as often as I like", "got your new
number off your flatmate", "bloke in a dress", "go back to Lagos") are a
table of their own, kept apart so that it can grow without touching the set
forms. Each section is a list of weighted patterns in the same format and
is read by the same `PatternRecogniser`: a harassment entry is aimed at the
person its words resolve to (or at the reader when the entry says so), a
discrimination entry at a group, whoever else the sentence names.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from gateway.detect.language.discrimination import DISCRIMINATION
from gateway.detect.language.harassment import HARASSMENT
from gateway.detect.language.lexicon import DATA_DIR, MacroSet, compile_patterns, load_pattern_file
from gateway.detect.language.signals import PatternRecogniser
from gateway.detect.language.targets import TargetResolver

SOURCE = "everyday.yaml"


def everyday_recognisers(
    macros: MacroSet, resolver: TargetResolver, data_dir: Path = DATA_DIR
) -> list[PatternRecogniser]:
    """The harassment and the discrimination table of everyday.yaml, one recogniser each."""
    raw = load_pattern_file(SOURCE, macros, data_dir)
    harassment = compile_patterns(raw.get("harassment"), macros, f"{SOURCE}:harassment")
    discrimination = compile_patterns(raw.get("discrimination"), macros, f"{SOURCE}:discrimination")
    return [
        PatternRecogniser(HARASSMENT, harassment, resolver),
        PatternRecogniser(
            DISCRIMINATION, [dataclasses.replace(p, target="group") for p in discrimination], resolver
        ),
    ]
