"""The gateway's log lines: one JSON object each, and only fields known to carry no content.

Logs must never hold message text, matched values, file names or anything
else that could identify a patient. Rather than trust every call site, the
formatter keeps an allow-list: a field passed with `extra=` (or in a
message record's `fields`) is written only if its name is in
`ALLOWED_FIELDS`, whose values are ids, counts, codes, categories, timings
and addresses of servers and clients. Any other field is left out and its
name listed under "unlogged", so a developer sees at once that a new field
needs a decision. Exceptions show their type and stack, never their
message, because a parser's error message can quote the mail it parsed.
"""

from __future__ import annotations

import json
import logging
import sys
import time
import traceback
from typing import Any

#: fields whose values are safe to log: identifiers, counts, codes, kinds, timings, server/client addresses
ALLOWED_FIELDS = frozenset(
    {
        # the per-message record (gateway.relay.logline.MessageRecord)
        "event", "id", "client", "queue_id", "rcpts", "size", "size_out", "verdict", "rule",
        "categories", "types", "failed_detectors", "next_hop", "reply", "error", "timings_ms",
        # operational events
        "action", "address", "attempt", "busy", "cap", "check_address", "code", "count", "deadline_s",
        "detector", "documents", "elapsed_ms", "erased", "expired", "format", "kind", "listen", "message_id", "mx",
        "monitor", "outbox_id", "part", "pass_mark", "path", "pid", "quarantine", "reason", "ref", "retry_at",
        "seconds", "smtp", "tls", "trace", "url", "violation", "windows", "workers",
    }
)  # fmt: skip

_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with only the allowed fields."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        extra: dict[str, Any] = {}
        for key, value in record.__dict__.items():
            if key == "fields" and isinstance(value, dict):
                extra.update(value)
            elif key not in _STANDARD:
                extra[key] = value
        unlogged = sorted(k for k in extra if k not in ALLOWED_FIELDS)
        out.update((k, v) for k, v in extra.items() if k in ALLOWED_FIELDS)
        if unlogged:
            out["unlogged"] = unlogged
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            out["error"] = type(exc).__name__
            out["trace"] = "".join(traceback.format_tb(exc.__traceback__)[-6:]).rstrip()
        return json.dumps(out, default=str, ensure_ascii=False)


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # aiosmtpd logs every command line (addresses included) at INFO: keep only its warnings
    logging.getLogger("mail.log").setLevel(logging.WARNING)
