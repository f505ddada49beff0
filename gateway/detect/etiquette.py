"""Etiquette: simple, conservative checks on how a message is written and addressed.

- ALL_CAPS: what the sender wrote (not quoted text, not attachments) is a
  long stretch of capitals: shouting. Acronyms, a capitalised subject line
  or one emphatic phrase ("THREE WEEKS AGO") do not count: the check needs
  a minimum number of letters and a high share of capitals over the whole
  of the sender's own text.
- LARGE_EXTERNAL_RECIPIENT_LIST: many recipients outside the university
  can see each other's addresses in To and Cc (Bcc would have hidden them).

The default policy annotates both: the message is delivered with a
reminder, never held. Findings carry counts only, never text or addresses.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import getaddresses

from gateway.config import Settings
from gateway.detect.base import Resources
from gateway.detect.spans import span_details, whole
from gateway.model import Finding, Inspection
from gateway.model.envelope import RecipientClass, classify
from gateway.model.finding import ETIQUETTE

ALL_CAPS = "ALL_CAPS"
LARGE_EXTERNAL_RECIPIENT_LIST = "LARGE_EXTERNAL_RECIPIENT_LIST"

_VISIBLE_HEADERS = ("To", "Cc")


@dataclass(frozen=True)
class EtiquetteLimits:
    all_caps_min_letters: int = 80  # fewer letters than this are never "a long message in capitals"
    all_caps_share: float = 0.8  # share of the sender's letters that are capitals
    max_external_recipients: int = 10  # more visible external addresses than this is a finding


class EtiquetteDetector:
    """ALL_CAPS and LARGE_EXTERNAL_RECIPIENT_LIST findings (category "etiquette")."""

    name = "etiquette"
    categories: tuple[str, ...] = (ETIQUETTE,)

    def __init__(
        self,
        *,
        internal: tuple[str, ...] = (),
        secure: tuple[str, ...] = (),
        limits: EtiquetteLimits | None = None,
    ) -> None:
        self.internal = internal
        self.secure = secure
        self.limits = limits or EtiquetteLimits()

    def load(self) -> None:
        """Nothing to load: the checks are arithmetic."""

    def detect(self, inspection: Inspection) -> list[Finding]:
        findings = []
        caps = self._all_caps(inspection)
        if caps is not None:
            findings.append(caps)
        recipients = self._recipients(inspection)
        if recipients is not None:
            findings.append(recipients)
        return findings

    def _all_caps(self, inspection: Inspection) -> Finding | None:
        own = [s for s in inspection.segments if s.kind == "body" and not s.quoted]
        if not own:
            return None
        # an HTML alternative repeats the plain text: judge the plain text when there is one
        plain = [s for s in own if not s.where.endswith("html")] or own
        letters = [c for s in plain for c in s.text if c.isalpha()]
        upper = sum(1 for c in letters if c.isupper())
        if len(letters) < self.limits.all_caps_min_letters:
            return None
        share = upper / len(letters)
        if share < self.limits.all_caps_share:
            return None
        return Finding(
            category=ETIQUETTE,
            type=ALL_CAPS,
            where=plain[0].where,
            score=round(min(0.99, share), 3),
            evidence=f"{share:.0%} of {len(letters)} letters in capitals",
            detector=self.name,
            details=span_details(whole(plain), plain[0].where),  # the texts it measured, as a whole
        )

    def _recipients(self, inspection: Inspection) -> Finding | None:
        values = [v for k, v in inspection.headers if k.lower() in ("to", "cc")]
        try:
            addresses = {a.lower() for _, a in getaddresses(values) if "@" in a}
        except Exception:  # a malformed header is the MIME walker's business, not etiquette's
            return None
        external = [
            a for a in addresses if classify(a, self.internal, self.secure) is RecipientClass.EXTERNAL
        ]
        if len(external) <= self.limits.max_external_recipients:
            return None
        return Finding(
            category=ETIQUETTE,
            type=LARGE_EXTERNAL_RECIPIENT_LIST,
            where="header:" + "/".join(_VISIBLE_HEADERS),
            score=0.9,
            evidence=f"{len(external)} external addresses visible in To/Cc (use Bcc)",
            detector=self.name,
            details={"external": len(external), "visible": len(addresses)},
        )


def build(settings: Settings | None, resources: Resources | None = None) -> EtiquetteDetector:
    """Registry factory: (settings, resources) -> the etiquette detector."""
    s = settings or Settings()
    limits = EtiquetteLimits(
        all_caps_min_letters=s.etiquette.all_caps_min_letters,
        all_caps_share=s.etiquette.all_caps_share,
        max_external_recipients=s.etiquette.max_external_recipients,
    )
    return EtiquetteDetector(
        internal=tuple(s.domains.internal), secure=tuple(s.domains.secure), limits=limits
    )
