"""Plain data the gateway passes around: envelope, message pieces, findings, decisions.

Pure: no sockets, no database, no asyncio.
"""

from gateway.model.decision import Decision, Verdict
from gateway.model.envelope import Envelope, RecipientClass
from gateway.model.finding import CATEGORIES, Finding
from gateway.model.message import Artifact, Inspection, Part, Segment
from gateway.model.outcome import Header, NoticeDraft, Outcome, header_block

__all__ = [
    "CATEGORIES",
    "Artifact",
    "Decision",
    "Envelope",
    "Finding",
    "Header",
    "Inspection",
    "NoticeDraft",
    "Outcome",
    "Part",
    "RecipientClass",
    "Segment",
    "Verdict",
    "header_block",
]
