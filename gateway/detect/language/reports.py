"""Reports of abuse: a victim or a witness citing what was said to them, to get help.

"He messaged me 'you're dead'; what should I do?", a forwarded threat with
"I don't feel safe, could we meet?", "someone called me a p*** outside the
SU, I've reported it to the police". The abuse in these is someone else's,
cited in quotation marks, in reported speech ("he called me ...") or in the
forwarded message below; the writer's own words ask for help or say it was
reported. Such a message gives no finding for the cited words, to staff or
to a friend: holding a victim's request for help would punish the victim.

The frame must be real. It is read from the writer's own words only (not
from the quotation), and a message whose own words abuse anyone (an insult,
a threat, a slur, an allegation of the writer's own) is not a report,
however it opens: "I want to report you, you useless cow" is an attack.
The cues are the `help`, `reported` and `complaint` lists of reports.yaml: a
request for help, a report made, or the abuse called out as unacceptable
("calling him 'our resident r*****' was indefensible").
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from gateway.detect.language.lexicon import DATA_DIR, MacroSet, compile_regexes, load_pattern_file
from gateway.detect.language.signals import Document, Signal
from gateway.detect.language.triggers import Keyed

SOURCE = "reports.yaml"


class ReportFrame:
    """Decides whether a message reports abuse done to the writer or to someone they speak for."""

    def __init__(self, macros: MacroSet, data_dir: Path = DATA_DIR) -> None:
        raw = load_pattern_file(SOURCE, macros, data_dir)
        self.cues = [
            Keyed(r)
            for key in ("help", "reported", "complaint")
            for r in compile_regexes(raw.get(key, []), macros, f"{SOURCE}:{key}")
        ]
        self.cited = [Keyed(r) for r in compile_regexes(raw.get("cited", []), macros, f"{SOURCE}:cited")]

    def frames(self, doc: Document) -> bool:
        """Do the writer's own words (outside quotation marks) ask for help or say the abuse was reported?"""
        for s in doc.sentences:
            for cue in self.cues:
                m = cue.search(s.view, s.keys)
                if m is not None and not s.is_reported(m.start(), m.end()):
                    return True
        return False

    def cites(self, doc: Document) -> bool:
        """Does the writer say they were sent, told or called something ("he messaged me", "it says")?"""
        return any(c.search(s.view, s.keys) for s in doc.sentences for c in self.cited)

    def victim_report(self, own: Document | None, own_signals: Sequence[Signal], quoted: bool) -> bool:
        """Is the abuse found in this message only what the writer cites in a real report?

        `own` is what the sender wrote, `own_signals` its signals (before routing);
        `quoted` tells whether the message has quoted or forwarded text. The writer's
        own words must hold no abuse of theirs, frame a report, and cite something:
        reported speech or quotation marks, or a forwarded message below.
        """
        if own is None or not self.frames(own):
            return False
        if any(not s.reported and s.type != "PROFANITY" for s in own_signals):
            return False  # the writer's own words abuse someone: an attack, whatever the opening
        return quoted or any(s.reported for s in own_signals) or self.cites(own)

    def without_cited(self, docs: Sequence[Document], signals: list[list[Signal]]) -> list[list[Signal]]:
        """Each document's signals, less the abuse a real report cites.

        `docs` are the parts of one message; the first unquoted one that is not an
        attachment (attachments are documents of their own) is what the sender wrote.
        """
        if not any(signals):
            return signals  # nothing found: nothing to cite (the common case, read no further)
        own = next((i for i, d in enumerate(docs) if not d.quoted and not d.attachment), None)
        quoted = [i for i, d in enumerate(docs) if d.quoted]
        if own is None or not self.victim_report(docs[own], signals[own], bool(quoted)):
            return signals
        out = list(signals)
        out[own] = [s for s in signals[own] if not s.reported]
        for i in quoted:
            out[i] = []
        return out
