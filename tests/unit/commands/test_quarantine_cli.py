"""`gateway quarantine`, `gateway users` and `gateway audit` from the command line, against a real store.

Release goes through the relay's maildir next hop, so no socket is needed.
"""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

import pytest

from gateway.cli import main
from gateway.config import Settings, load_settings
from gateway.model import Decision, Finding, Verdict
from gateway.store.opening import open_quarantine
from tests.quarantine_fixtures import KEY_A, ManualClock, decision, envelope, message


def _settings(tmp_path: Path, *, key_line: str = f'key = "{KEY_A}"') -> tuple[Path, Settings]:
    cfg = tmp_path / "gateway.toml"
    cfg.write_text(
        f'state_dir = "state"\n[smtp]\nnext_hop = "maildir:mail"\n[quarantine]\n{key_line}\nretention_days = 30\n',
        encoding="utf-8",
    )
    return cfg, load_settings(cfg, env={})


def _hold(settings: Settings, **kw: object) -> str:
    store = open_quarantine(settings)
    qid = store.hold(envelope(), message(**kw), decision())  # type: ignore[arg-type]
    store.close()
    return qid


def _run(cfg: Path, *argv: str) -> int:
    return main(["--config", str(cfg), *argv])


def test_list_json_one_object_per_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`quarantine list --json` prints one object per message with the documented keys."""
    cfg, s = _settings(tmp_path)
    ids = {_hold(s), _hold(s)}
    capsys.readouterr()
    assert _run(cfg, "quarantine", "list", "--json") == 0
    lines = capsys.readouterr().out.splitlines()
    objs = [json.loads(x) for x in lines]
    assert {o["id"] for o in objs} == ids
    assert set(objs[0]) >= {"id", "received", "sender", "recipients", "categories", "rule", "status"}
    assert objs[0]["status"] == "held" and objs[0]["categories"] == ["patient_identifier"]
    assert objs[0]["recipients"] == ["friend@mail.example.com"]


def test_show_prints_findings_and_raw_is_exact(
    tmp_path: Path, capfdbinary: pytest.CaptureFixture[bytes]
) -> None:
    """`show` prints envelope, rule and masked findings; `show --raw` writes the original bytes."""
    cfg, s = _settings(tmp_path)
    qid = _hold(s)
    assert _run(cfg, "quarantine", "show", qid) == 0
    out = capfdbinary.readouterr().out.decode()
    assert "patient-identifier" in out and "NHS_NUMBER" in out and "943 476" not in out
    assert _run(cfg, "quarantine", "show", qid, "--raw") == 0
    assert capfdbinary.readouterr().out == message()
    assert _run(cfg, "quarantine", "show", "ffffffffffffffff") == 1


def test_show_masks_the_subject_and_file_names_from_spans(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`show` prints the subject and the places with what the detectors located masked, by type."""
    cfg, s = _settings(tmp_path)
    subject, name = "Re: Philippa Quennell, seen 12/03/2024", "Quennell notes.txt"

    def located(where: str, text: str, value: str) -> Finding:
        at = text.index(value)
        spans = [[at, at + len(value)]]
        return Finding(
            "patient_identifier", "PATIENT_NAME", where, 0.9, "[PATIENT_NAME]", details={"spans": spans}
        )

    findings = (
        located("header:Subject", subject, "Philippa Quennell"),
        located(f"attachment:{name}#filename", name, "Quennell"),
        Finding("patient_identifier", "NHS_NUMBER", f"attachment:{name}", 0.95, "[NHS_NUMBER]"),
    )
    held = Decision(Verdict.HOLD, "patient-identifier", ("patient-identifier",), "held", findings)
    store = open_quarantine(s)
    qid = store.hold(envelope(), message(subject=subject, attachment=(name, b"x")), held)
    store.close()
    capsys.readouterr()
    assert _run(cfg, "quarantine", "show", qid) == 0
    out = capsys.readouterr().out
    assert "Quennell" not in out and "Philippa" not in out and "12/03/2024" not in out
    assert "subject:     Re: [patient name ·" in out and "[date ·" in out
    assert "attachment:[patient name ·••] notes.txt#filename" in out
    assert "attachment:[patient name ·••] notes.txt " in out


def test_release_delivers_through_the_next_hop(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`release` hands the message to the configured next hop and marks it released, audited as the OS user."""
    cfg, s = _settings(tmp_path)
    qid = _hold(s)
    assert _run(cfg, "quarantine", "release", qid, "--comment", "fine") == 0
    delivered = list((tmp_path / "mail" / "new").iterdir())
    assert len(delivered) == 1 and delivered[0].read_bytes().endswith(message())
    store = open_quarantine(s)
    m = store.get(qid)
    assert m is not None and m.status == "released" and m.decided_by.startswith("cli:")
    assert [r.outcome for r in store.audit.records(action="release")] == ["started", "ok"]
    assert _run(cfg, "quarantine", "release", qid) == 1  # not twice
    assert len(list((tmp_path / "mail" / "new").iterdir())) == 1


def test_reject_and_delete(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`reject --reason` and `delete` change the status; a reject without --reason is a usage error."""
    cfg, s = _settings(tmp_path)
    a, b = _hold(s), _hold(s)
    with pytest.raises(SystemExit):
        _run(cfg, "quarantine", "reject", a)
    assert _run(cfg, "quarantine", "reject", a, "--reason", "Contains an NHS number") == 0
    assert _run(cfg, "quarantine", "delete", b) == 0
    store = open_quarantine(s)
    assert store.get(a).decision_reason == "Contains an NHS number"  # type: ignore[union-attr]
    assert store.get(b).status == "deleted" and store.get(b).purged  # type: ignore[union-attr]


def test_purge_uses_retention(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`purge` erases messages older than retention_days and leaves younger ones."""
    cfg, s = _settings(tmp_path)
    clock = ManualClock()
    old_store = open_quarantine(s, clock=clock)
    clock.now = clock.now.replace(year=2020)
    old = old_store.hold(envelope(), message(), decision())
    old_store.close()
    young = _hold(s)
    assert _run(cfg, "quarantine", "purge") == 0
    assert "erased 1" in capsys.readouterr().out
    store = open_quarantine(s)
    assert store.get(old).status == "expired" and store.get(young).status == "held"  # type: ignore[union-attr]
    assert store.audit.records(action="purge")[0].actor.startswith("cli:")


def test_users_add_reads_password_from_stdin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`users add NAME --role R` takes the password from standard input; list and disable work."""
    cfg, s = _settings(tmp_path)
    monkeypatch.setattr("sys.stdin", io.StringIO("a very good password\n"))
    assert _run(cfg, "users", "add", "rita", "--role", "reviewer", "--scope", "example.ac.uk") == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert _run(cfg, "users", "add", "tim", "--role", "admin") == 1
    capsys.readouterr()
    assert _run(cfg, "users", "list", "--json") == 0
    users = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [(u["name"], u["role"], u["scope"], u["disabled"]) for u in users] == [
        ("rita", "reviewer", ["example.ac.uk"], False)
    ]
    assert _run(cfg, "users", "disable", "rita") == 0
    assert _run(cfg, "users", "disable", "nobody") == 1
    from gateway.store.users import UserStore

    store = open_quarantine(s)
    assert UserStore(store.db).get("rita").disabled  # type: ignore[union-attr]
    assert UserStore(store.db).authenticate("rita", "a very good password") is None
    assert [r.action for r in store.audit.records() if r.actor.startswith("cli:")][:1] == ["user-add"]


def test_audit_verify_detects_tampering(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`audit verify` exits 0 on an intact log and 1 after a row was altered."""
    cfg, s = _settings(tmp_path)
    _hold(s)
    _hold(s)
    assert _run(cfg, "audit", "verify") == 0
    head = capsys.readouterr().out.split("head ")[1].strip()
    assert _run(cfg, "audit", "verify", "--expect-head", head) == 0
    db = sqlite3.connect(tmp_path / "state" / "gateway.sqlite3")
    db.execute("DROP TRIGGER audit_log_no_update")
    db.execute("UPDATE audit_log SET outcome = 'denied' WHERE n = 1")
    db.commit()
    db.close()
    assert _run(cfg, "audit", "verify") == 1
    assert "TAMPERED" in capsys.readouterr().out


def test_audit_export_is_json_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`audit export` prints every row with its hashes, one JSON object per line."""
    cfg, s = _settings(tmp_path)
    _hold(s)
    assert _run(cfg, "audit", "export") == 0
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert rows[0]["action"] == "hold" and len(rows[0]["hash"]) == 64


def test_rotate_key_with_a_key_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`rotate-key` puts a new key first, re-encrypts every message, and old messages still read."""
    cfg, s = _settings(tmp_path, key_line="")
    qid = _hold(s)
    key_file = tmp_path / "state" / "quarantine.key"
    before = key_file.read_text()
    assert _run(cfg, "quarantine", "rotate-key") == 0
    keys = [x for x in key_file.read_text().splitlines() if x and not x.startswith("#")]
    assert len(keys) == 2 and keys[1] in before
    store = open_quarantine(s)
    assert store.keys_in_use() == {store.keyring.current_id: 1}
    assert store.raw(qid) == message()


def test_rotate_key_from_environment_explains_the_procedure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With the key in the configuration, rotate-key explains how to rotate it and changes nothing."""
    cfg, _ = _settings(tmp_path)
    assert _run(cfg, "quarantine", "rotate-key") == 2
    assert "GATEWAY_QUARANTINE_KEY=" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv", [("quarantine", "list"), ("quarantine", "release", "n0"), ("quarantine", "purge")]
)
def test_cli_without_the_fleet_key_exits_2_and_writes_no_key(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: tuple[str, ...],
) -> None:
    """A CLI run against a shared PostgreSQL store with no key says so, exits 2 and generates no key."""
    monkeypatch.delenv("GATEWAY_QUARANTINE_KEY", raising=False)
    monkeypatch.delenv("GATEWAY_QUARANTINE_KEY_FILE", raising=False)
    cfg, _ = _settings(tmp_path, key_line="")
    cfg.write_text(cfg.read_text() + '[database]\nurl = "postgresql://gw@127.0.0.1:1/fleet"\n')
    assert _run(cfg, *argv) == 2
    err = capsys.readouterr().err
    assert "shared PostgreSQL store" in err and "GATEWAY_QUARANTINE_KEY" in err
    assert not list(tmp_path.rglob("*.key"))


def test_reject_from_the_command_line_tells_the_sender(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A CLI reject commits the sender's notice (with the reason) to the outbox, as the review UI does."""
    from gateway.notify.service import open_notifications

    cfg, s = _settings(tmp_path)
    qid = _hold(s)
    assert _run(cfg, "quarantine", "reject", qid, "--reason", "Contains an NHS number") == 0
    notices = open_notifications(s, lambda env, raw: None)  # type: ignore[arg-type, return-value]
    assert notices is not None
    try:
        (entry,) = notices.outbox.entries(kind="review")
        assert entry.ref == qid and entry.rcpt == envelope().mail_from
        content = notices.outbox.content(entry.id)
    finally:
        notices.outbox.close()
    assert b"Contains an NHS number" in content.replace(b"=\r\n", b"")
