"""Searching held messages without learning what is masked.

The list's free-text box matches only what the list shows in clear: the
message id, the Postfix queue id, the envelope addresses, the rule, and the
subject *as masked on the page* (every identifier replaced by its
placeholder). A masked name or number therefore finds nothing, and the
search cannot be used to recover a hidden value character by character.

Finding every held message that mentions a given identifier (an incident,
a subject access request) is a different, admin-only action: see
gateway/web/finder.py, which matches the full text and writes the terms and
the results to the audit log.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from gateway.model.masking import located_spans, mask_text
from gateway.store.held import Filters, HeldMessage
from gateway.store.quarantine import QuarantineStore

SUBJECT = "header:Subject"
_SCAN_ALL = 1_000_000


def masked_subject(m: HeldMessage) -> str:
    """The subject with every identifier replaced by its placeholder (lists never reveal)."""
    return mask_text(m.subject, located_spans(m.findings, SUBJECT), keep=[m.sender, *m.recipients])


def shown_text(m: HeldMessage, subject: str) -> str:
    """Everything of a message the list shows in clear, lower-cased: what the search box may match."""
    parts = (m.id, m.queue_id, m.sender, " ".join(m.recipients), m.rule, subject)
    return _fold(" ".join(parts))


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def search(store: QuarantineStore, filters: Filters, term: str) -> tuple[list[tuple[HeldMessage, str]], int]:
    """One page of the messages whose shown text contains `term`, with masked subjects, and the total."""
    base = Filters(**{**filters.__dict__, "search": "", "limit": _SCAN_ALL, "offset": 0})
    needle = _fold(term)
    hits: list[tuple[HeldMessage, str]] = []
    for m in store.messages(base):
        subject = masked_subject(m)
        if needle in shown_text(m, subject):
            hits.append((m, subject))
    return hits[filters.offset : filters.offset + filters.limit], len(hits)


# -- the admin's identifier search: the full text, normalised -------------------------------------

_BETWEEN_DIGITS = re.compile(r"(?<=\d)[\s\u00a0\u2007\u202f/.\-–]+(?=\d)")


def normalise(text: str) -> str:
    """Case-folded, spaces collapsed, and digit groups joined (943 476 5919 = 943/476/5919 = 9434765919)."""
    return _BETWEEN_DIGITS.sub("", _fold(text))


def term_pattern(term: str) -> re.Pattern[str] | None:
    """A pattern for one identifier (a number or a name) that does not match inside a longer one."""
    t = normalise(term)
    if len(t) < 3:
        return None
    return re.compile(r"(?<![\w])" + re.escape(t) + r"(?![\w])")


def mentions(texts: Sequence[tuple[str, str]], patterns: Sequence[re.Pattern[str]]) -> list[tuple[int, str]]:
    """(term number, where) for each term found in the (where, text) pairs."""
    found: list[tuple[int, str]] = []
    for i, p in enumerate(patterns):
        for where, text in texts:
            if p.search(normalise(text)):
                found.append((i, where))
                break
    return found
