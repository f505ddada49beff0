"""Clearing a joking threat between friends: laughter, a game or food, and nothing else hostile.

"I'll kill you 😂 you stole my last life in mario kart" and "touch my chips
again and you're dead lol" are held by the threat rules, which halve their
weight between friends but still count a stock "I will kill you" in full.
They are teasing when three signs meet:

- the message carries banter markers (laughter, a laughing emoji, kisses:
  the detector's friendly context);
- it is about a game, a sport, a quiz or food (word classes below);
- and nothing in it is hostile beyond the joke: no grievance, demand,
  exposure or knowledge of the person's life (the intent reader's parts),
  no weak spot, presence or life told (veiled_facts.py), no weapon, and no
  threat to a person named or described (staff, a role), only to the reader.

Then the message's THREAT signals are dropped. Insults, slurs, harassment
and allegations are never cleared here: only a threat is read as a joke.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from gateway.detect.language.intent import IntentReader
from gateway.detect.language.signals import Document, Signal
from gateway.detect.language.targets import SECOND_PERSON
from gateway.detect.language.veiled_facts import VeiledFactsReader

THREAT = "THREAT"

# a game, a sport, a quiz or food: what friends threaten each other over
_PLAY = re.compile(
    r"\b(?:mario ?kart|fifa|fortnite|minecraft|cod|call of duty|xbox|ps[45]|playstation|switch|console|controller|"
    r"game|games|gaming|level|rematch|match|quiz|pub quiz|monopoly|uno|scrabble|chess|cards|poker|darts|pool|snooker|"
    r"five-a-side|football|footie|netball|rugby|hockey|squash|tennis|badminton|ping pong|table tennis|mario|"
    r"pizza|chips|crisps|biscuits?|chocolate|cake|snacks?|sweets|leftovers|nuggets|fries|hummus|cheese|"
    r"last slice|last one|spoil(?:er|ers|s)?|episode|finale|season)\b"
)
# a weapon or a real place of the person's: not a joke about a game any more
_REAL = re.compile(
    r"\b(?:knife|knives|blade|gun|shotgun|bat|crowbar|hammer|acid|petrol|bleach|address|your (?:house|flat|home|car|"
    r"door|mum|dad|family|kids|sister|brother)|walk home|car park|outside your)\b|🔪|🔫"
)
_HOSTILE = frozenset(["grievance", "exposure", "knowledge", "shaming"])


class BanterClearing:
    """Drops the THREAT signals of a message that is a friend's joke about a game or food."""

    def __init__(self, intent: IntentReader, facts: VeiledFactsReader) -> None:
        self.intent = intent
        self.facts = facts

    def clear(self, doc: Document, signals: Sequence[Signal]) -> list[Signal]:
        if not doc.context.friendly or not any(s.type == THREAT for s in signals):
            return list(signals)
        if not self.joking(doc, signals):
            return list(signals)
        return [s for s in signals if s.type != THREAT]

    def joking(self, doc: Document, signals: Sequence[Signal]) -> bool:
        """Is this a friend's joke: a game or food, nothing hostile, and the threat aimed only at the reader?"""
        sentences = doc.sentences
        if not any(_PLAY.search(s.view) for s in sentences):
            return False
        if any(s.type == THREAT and s.target != SECOND_PERSON for s in signals):
            return False  # "I'll kill Dr Marsh lol, the quiz was impossible": a person who is not in the joke
        for s in sentences:
            if _REAL.search(s.view) or self.intent.parts_of(s).keys() & _HOSTILE or self.facts.parts_of(s):
                return False
        return True
