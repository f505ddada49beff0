"""Log lines carry only allow-listed fields: no message text, matched value or file name gets into a log."""

from __future__ import annotations

import ast
import json
import logging
from pathlib import Path

from gateway.logs import ALLOWED_FIELDS, JsonFormatter

GATEWAY = Path(__file__).resolve().parents[2] / "gateway"


def line(**extra: object) -> dict[str, object]:
    record = logging.makeLogRecord({"name": "gateway.test", "levelname": "INFO", "msg": "event", **extra})
    return dict(json.loads(JsonFormatter().format(record)))


def test_a_field_not_on_the_list_is_left_out_and_named() -> None:
    """A field no one cleared (a subject, a file name) is not written; its name shows it was left out."""
    out = line(subject="Patient John Whitfield", attachment="NHS 943 476 5919.pdf", queue_id="4F3A21C0B9")
    assert "Whitfield" not in json.dumps(out) and "5919" not in json.dumps(out)
    assert out["queue_id"] == "4F3A21C0B9"
    assert out["unlogged"] == ["attachment", "subject"]


def test_a_message_records_fields_pass_through_the_same_list() -> None:
    """The per-message record's fields are allow-listed too."""
    out = line(fields={"event": "message", "verdict": "hold", "evidence": "NHS 943 476 5919"})
    assert out["verdict"] == "hold" and "evidence" not in out and out["unlogged"] == ["evidence"]


def test_an_exception_is_logged_by_type_never_by_its_message() -> None:
    """A parser's error message can quote the mail: only the type and the stack are written."""
    quoted = "Patient " + "John Whitfield"  # built here so the traceback's source line does not hold it
    try:
        raise ValueError(quoted)
    except ValueError:
        import sys

        record = logging.makeLogRecord({"msg": "failed", "exc_info": sys.exc_info()})
    out = json.loads(JsonFormatter().format(record))
    assert out["error"] == "ValueError" and "Whitfield" not in json.dumps(out)


def _extra_keys() -> dict[str, str]:
    """Every key of an `extra={...}` literal in the gateway's logging calls -> where it is."""
    found = {}
    for path in GATEWAY.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            for kw in node.keywords:
                if kw.arg == "extra" and isinstance(kw.value, ast.Dict):
                    for key in kw.value.keys:
                        if isinstance(key, ast.Constant) and isinstance(key.value, str):
                            found[key.value] = f"{path.relative_to(GATEWAY.parent)}:{node.lineno}"
    return found


def test_every_field_the_gateway_logs_was_cleared() -> None:
    """Each field name used in a logging call is on the allow-list (adding one is a decision, made there)."""
    keys = _extra_keys()
    assert keys, "the scan finds the logging calls"
    assert {k: where for k, where in keys.items() if k not in ALLOWED_FIELDS | {"fields"}} == {}
