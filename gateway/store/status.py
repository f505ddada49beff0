"""The status rules of a held message: each change committed with its audit row.

    held -> releasing -> released      (delivered by the next hop)
                      -> held          (the next hop refused: the error is kept and shown)
    held -> rejected                   (the sender is told, through the `on_decision` hook)
    any  -> deleted                    (content erased at once; admins only)
    held -> expired                    (retention ran out before anyone decided)

Retention (UK GDPR storage limitation): `purge()` erases the content
(message, subject, envelope, findings) of every message received more than
`retention_days` ago, whatever its status; what stays is a tombstone with
the id, times, rule, categories and decision, which the per-rule statistics
need and which identifies no one. Each purged message gets an audit row.
`StatusRules` is part of `QuarantineStore`, which provides its database,
clock, audit log and `get`.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from gateway.store.audit import AuditEvent, AuditLog
from gateway.store.db import Database, Tx
from gateway.store.held import STALE_RELEASE, ActionRefused, Clock, HeldMessage, PurgeResult, iso_time

log = logging.getLogger(__name__)


class StatusRules:
    db: Database
    clock: Clock
    audit: AuditLog
    retention_days: int

    def get(self, qid: str) -> HeldMessage | None:
        raise NotImplementedError

    # -- decisions (each committed with its audit row) ------------------------------------------

    def claim_release(self, qid: str, event: AuditEvent) -> HeldMessage:
        """held -> releasing, so two reviewers never deliver the same message twice."""
        now = self.clock()
        stale = iso_time(now - STALE_RELEASE)
        with self.db.transaction() as tx:
            got = tx.execute(
                "UPDATE quarantine SET status = 'releasing', status_at = ?,"
                " release_attempts = release_attempts + 1"
                " WHERE id = ? AND (status = 'held' OR (status = 'releasing' AND status_at < ?))"
                " RETURNING id",
                (iso_time(now), qid, stale),
            )
            if not got:
                self._refuse(tx, qid, "release")
            self.audit.append_in(tx, event)
        m = self.get(qid)
        assert m is not None
        return m

    def finish_release(
        self, qid: str, *, delivered: bool, error: str, actor: str, comment: str, event: AuditEvent
    ) -> HeldMessage:
        now = iso_time(self.clock())
        with self.db.transaction() as tx:
            if delivered:
                tx.execute(
                    "UPDATE quarantine SET status = 'released', status_at = ?, decided_by = ?, comment = ?,"
                    " last_error = '' WHERE id = ?",
                    (now, actor, comment, qid),
                )
            else:
                tx.execute(
                    "UPDATE quarantine SET status = 'held', status_at = ?, last_error = ? WHERE id = ?",
                    (now, error[:500], qid),
                )
            self.audit.append_in(tx, event)
        m = self.get(qid)
        assert m is not None
        return m

    def reject(self, qid: str, *, actor: str, reason: str, comment: str, event: AuditEvent) -> HeldMessage:
        with self.db.transaction() as tx:
            got = tx.execute(
                "UPDATE quarantine SET status = 'rejected', status_at = ?, decided_by = ?,"
                " decision_reason = ?, comment = ? WHERE id = ? AND status = 'held' RETURNING id",
                (iso_time(self.clock()), actor, reason[:2000], comment[:2000], qid),
            )
            if not got:
                self._refuse(tx, qid, "reject")
            self.audit.append_in(tx, event)
        m = self.get(qid)
        assert m is not None
        return m

    def delete(self, qid: str, *, actor: str, comment: str, event: AuditEvent) -> HeldMessage:
        """Erase the content now; the tombstone keeps the decision for the statistics."""
        with self.db.transaction() as tx:
            got = tx.execute(
                "UPDATE quarantine SET status = 'deleted', status_at = ?, decided_by = ?, comment = ?"
                " WHERE id = ? AND status <> 'releasing' AND status <> 'deleted' RETURNING id",
                (iso_time(self.clock()), actor, comment[:2000], qid),
            )
            if not got:
                self._refuse(tx, qid, "delete")
            erase(tx, qid, self.clock())
            self.audit.append_in(tx, event)
        m = self.get(qid)
        assert m is not None
        return m

    def _refuse(self, tx: Tx, qid: str, verb: str) -> None:
        rows = tx.execute("SELECT status FROM quarantine WHERE id = ?", (qid,))
        if not rows:
            raise ActionRefused(f"no held message {qid}", not_found=True)
        raise ActionRefused(f"cannot {verb} message {qid}: it is {rows[0]['status']}")

    # -- retention -------------------------------------------------------------------------------

    def purge(self, *, actor: str = "system:retention", source: str = "system") -> PurgeResult:
        """Erase every message older than the retention period (audited, one row per message)."""
        now = self.clock()
        cutoff = iso_time(now - timedelta(days=self.retention_days))
        ids: list[str] = []
        expired = 0
        with self.db.transaction() as tx:
            rows = tx.execute(
                "SELECT id, status FROM quarantine WHERE received < ? AND purged_at = '' ORDER BY received",
                (cutoff,),
            )
            for r in rows:
                qid, status = str(r["id"]), str(r["status"])
                new_status = "expired" if status in ("held", "releasing") else status
                expired += new_status != status
                tx.execute(
                    "UPDATE quarantine SET status = ?, status_at = CASE WHEN status = ? THEN status_at ELSE ? END"
                    " WHERE id = ?",
                    (new_status, new_status, iso_time(now), qid),
                )
                erase(tx, qid, now)
                self.audit.append_in(
                    tx,
                    AuditEvent(
                        actor=actor,
                        action="purge",
                        message_id=qid,
                        source=source,
                        detail=f"retention {self.retention_days} days; was {status}",
                    ),
                )
                ids.append(qid)
            self.audit.append_in(
                tx,
                AuditEvent(
                    actor=actor,
                    action="purge-run",
                    source=source,
                    detail=f"erased={len(ids)} expired={expired} cutoff={cutoff}",
                ),
            )
        if ids:
            log.info("quarantine purge", extra={"erased": len(ids), "expired": expired})
        return PurgeResult(erased=len(ids), expired=expired, ids=tuple(ids))


def erase(tx: Tx, qid: str, now: datetime) -> None:
    """Remove everything that could identify a person; keep what the statistics need."""
    tx.execute(
        "UPDATE quarantine SET raw = NULL, meta = NULL, sender = '', sender_domain = '', recipients = '[]',"
        " client_address = '', findings = '[]', policy_reason = '', decision_reason = '', comment = '',"
        " last_error = '', purged_at = ? WHERE id = ?",
        (iso_time(now), qid),
    )
