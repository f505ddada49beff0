"""The list's search sees only what the list shows unmasked; the admin's identifier search is audited."""

from __future__ import annotations

import re

import pytest

from gateway.model import Decision, Finding, Verdict
from tests.quarantine_fixtures import decision, envelope, message
from tests.unit.web.conftest import Ui, csrf_of

SUBJECT = "Mr Quennell 943 476 5919 seen 03/04/1961 at EH16 4SA, Philippa asked"


def _with_name_span(subject: str, name: str) -> Decision:
    """A decision whose finding located `name` in the subject (as a detector's span)."""
    start = subject.index(name)
    f = Finding(
        category="patient_identifier",
        type="PERSON",
        where="header:Subject",
        score=0.9,
        evidence="name [PERSON]",
        detector="test",
        details={"spans": [[start, start + len(name)]]},
    )
    base = decision()
    return Decision(Verdict.HOLD, rule=base.rule, rules=base.rules, reason=base.reason, findings=(f,))


def _ids(page: str) -> set[str]:
    return set(re.findall(r'href="/messages/([0-9a-f]{16,40})"', page))


@pytest.mark.parametrize(
    "term",
    [
        "Quennell",
        "quennell",
        "943 476 5919",
        "9434765919",
        "5919",
        "476",
        "03/04/1961",
        "1961",
        "EH16 4SA",
        "4sa",
        "Philippa",
        "Phil",
    ],
)
def test_masked_values_in_the_subject_find_nothing(ui: Ui, term: str) -> None:
    """Searching for any masked name, number, date or postcode of a subject (or a part of one) finds nothing."""
    ui.store.hold(envelope(), message(subject=SUBJECT), _with_name_span(SUBJECT, "Philippa"))
    c = ui.login("rita")
    page = c.get("/messages", params={"q": term}).text
    assert _ids(page) == set() and "No messages match" in page


@pytest.mark.parametrize("term", ["seen", "asked", "student@example", "friend@mail", "patient-identifier"])
def test_what_the_list_shows_unmasked_is_found(ui: Ui, term: str) -> None:
    """Words left in clear in the subject, the addresses and the rule are found as before."""
    qid = ui.store.hold(envelope(), message(subject=SUBJECT), _with_name_span(SUBJECT, "Philippa"))
    c = ui.login("rita")
    assert _ids(c.get("/messages", params={"q": term}).text) == {qid}


def test_search_by_message_and_queue_id(ui: Ui) -> None:
    """The message id (or a part of it) and the Postfix queue id find the message."""
    qid = ui.store.hold(envelope(), message(subject="x"), decision())
    c = ui.login("rita")
    assert _ids(c.get("/messages", params={"q": qid[:10]}).text) == {qid}
    assert _ids(c.get("/messages", params={"q": "4abcdef123"}).text) == {qid}


def _find(ui: Ui, c: object, terms: str, reason: str = "SAR 2025-17") -> str:
    page = c.get("/admin/find").text  # type: ignore[attr-defined]
    r = c.post("/admin/find", data={"csrf": csrf_of(page), "terms": terms, "reason": reason})  # type: ignore[attr-defined]
    assert r.status_code == 200
    return str(r.text)


def test_admin_identifier_search_finds_the_body_and_is_audited(ui: Ui) -> None:
    """The admin's identifier search matches the full text, however the number is spaced, and is audited."""
    hit = ui.store.hold(envelope(), message(subject="Ward round"), decision())  # NHS number in the body
    miss = ui.store.hold(envelope(), message(subject="Other", body="Nothing here.\r\n"), decision())
    c = ui.login("adam")
    page = _find(ui, c, "943-476-5919\nArbuthnot")
    assert _ids(page) == {hit} and miss not in page
    assert "<code>body</code>" in page and "Arbuthnot" not in page.split("</textarea>")[1]
    rows = ui.audit(action="find")
    search_row = [r for r in rows if not r.message_id and r.outcome == "ok"][-1]
    assert "943-476-5919" in search_row.detail and "Arbuthnot" in search_row.detail
    assert "SAR 2025-17" in search_row.detail and "1 message(s)" in search_row.detail
    assert [r.message_id for r in rows if r.message_id] == [hit]


def test_identifier_search_is_admin_only(ui: Ui) -> None:
    """A reviewer cannot run the identifier search (403, audited as a denial) and has no link to it."""
    c = ui.login("rita")
    page = c.get("/messages").text
    assert "/admin/find" not in page
    assert c.get("/admin/find").status_code == 403
    r = c.post("/admin/find", data={"csrf": csrf_of(page), "terms": "943 476 5919"})
    assert r.status_code == 403
    assert [r.outcome for r in ui.audit(action="find")] == ["denied", "denied"]


def test_identifier_search_stays_in_the_admins_scope(ui: Ui) -> None:
    """An admin scoped to other senders does not find a message outside that scope."""
    from gateway.store.users import totp_new_secret
    from tests.unit.web.conftest import PASSWORD

    qid = ui.store.hold(envelope(), message(), decision())
    ui.users.add("ada", PASSWORD, "admin", scope=["other.example.org"])
    ui.secrets["ada"] = totp_new_secret()
    ui.users.set_totp("ada", ui.secrets["ada"])
    assert _ids(_find(ui, ui.login("ada"), "Arbuthnot")) == set()
    assert _ids(_find(ui, ui.login("adam"), "Arbuthnot")) == {qid}


def test_identifier_search_refuses_too_short_terms(ui: Ui) -> None:
    """A term under three characters would match almost anything: refused, and the refusal audited."""
    ui.store.hold(envelope(), message(), decision())
    page = _find(ui, ui.login("adam"), "ab")
    assert "Too short" in page and ui.audit(action="find")[-1].outcome == "refused"


def test_identifier_search_reads_attachments_and_file_names(ui: Ui) -> None:
    """A number inside an attached text file, and a name in an attachment's file name, are found."""
    notes = ui.store.hold(
        envelope(),
        message(body="See attached.\r\n", attachment=("notes.txt", b"Clinic list: 943/476/5919 seen.\r\n")),
        decision(),
    )
    named = ui.store.hold(
        envelope(),
        message(body="Letter attached.\r\n", attachment=("Quennell discharge.txt", b"Nothing else.\r\n")),
        decision(),
    )
    page = _find(ui, ui.login("adam"), "943 476 5919\nquennell")
    assert _ids(page) == {notes, named}
    assert "attachment:notes.txt" in page


def test_identifier_search_lists_the_messages_it_could_not_read_in_full(ui: Ui) -> None:
    """A message with an unreadable attachment is listed as not read in full, never as a silent "no match"."""
    broken = ui.store.hold(
        envelope(),
        message(body="See attached.\r\n", attachment=("scan.pdf", b"%PDF-1.4\nbroken 943 476 5919")),
        decision(),
    )
    readable = ui.store.hold(envelope(), message(subject="Other", body="Nothing here.\r\n"), decision())
    page = _find(ui, ui.login("adam"), "943 476 5919")
    assert _ids(page) == {broken} and readable not in page
    assert "Not read in full: 1 message(s)" in page and "PARSE_ERROR in attachment:scan.pdf" in page
    assert "No held message mentions these terms" not in page
    rows = ui.audit(action="find")
    assert "1 not read in full" in [r for r in rows if not r.message_id][-1].detail
    assert [(r.message_id, r.outcome, r.detail) for r in rows if r.message_id] == [
        (broken, "incomplete", "not read in full by identifier search: PARSE_ERROR")
    ]
