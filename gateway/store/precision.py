"""Precision from reviewers' marks: right / (right + wrong) per rule and finding type, by ISO week.

Counted from `finding_marks` (gateway.store.learned), within a reviewer's
scope (the sender domains they may see) when they have one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from gateway.model.learned import RIGHT
from gateway.store.db import Database, Row


@dataclass(frozen=True)
class Tally:
    """Right and wrong marks for one rule or finding type (in one week, or overall)."""

    key: str
    right: int = 0
    wrong: int = 0

    @property
    def marked(self) -> int:
        return self.right + self.wrong

    @property
    def precision(self) -> float | None:
        return self.right / self.marked if self.marked else None


@dataclass
class Precision:
    """Per rule and per finding type, overall and per ISO week (newest first)."""

    rules: list[Tally] = field(default_factory=list)
    types: list[Tally] = field(default_factory=list)
    weeks: list[tuple[str, list[Tally], list[Tally]]] = field(default_factory=list)


def precision(db: Database, scope: Sequence[str] = ()) -> Precision:
    """Right / (right + wrong) per rule and per finding type, overall and per ISO week.

    `scope`: only marks on messages from these sender domains (a scoped reviewer's view).
    """
    sql = "SELECT rule, finding_type, verdict, at FROM finding_marks"
    params: list[str] = []
    if scope:
        alts = []
        for d in scope:
            alts.append("sender_domain = ? OR sender_domain LIKE ?")
            params.extend([d.lower(), f"%.{d.lower()}"])
        sql += " WHERE " + " OR ".join(alts)
    rows = db.execute(sql, params)
    weeks: dict[str, list[Row]] = {}
    for r in rows:
        weeks.setdefault(_week(str(r["at"])), []).append(r)
    return Precision(
        rules=_tally(rows, "rule"),
        types=_tally(rows, "finding_type"),
        weeks=[
            (w, _tally(rs, "rule"), _tally(rs, "finding_type"))
            for w, rs in sorted(weeks.items(), reverse=True)
        ],
    )


def _week(at: str) -> str:
    """The ISO week of a stored time, as 2025-W10."""
    try:
        d: date = datetime.fromisoformat(at).date()
    except ValueError:
        return "unknown"
    year, week, _ = d.isocalendar()
    return f"{year}-W{week:02d}"


def _tally(rows: Sequence[Row], column: str) -> list[Tally]:
    counts: dict[str, list[int]] = {}
    for r in rows:
        c = counts.setdefault(str(r[column]), [0, 0])
        c[0 if r["verdict"] == RIGHT else 1] += 1
    return [Tally(k, right, wrong) for k, (right, wrong) in sorted(counts.items())]
