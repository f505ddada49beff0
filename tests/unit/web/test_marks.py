"""Reviews that teach, in the review UI: marks on findings, proposals an admin decides, precision."""

from __future__ import annotations

import re

import pytest

from gateway.model import Decision, Finding, Verdict
from gateway.store.learned import LearnedStore
from tests.quarantine_fixtures import envelope, message
from tests.unit.web.conftest import Ui, csrf_of

#: the fixtures' default body: "Patient Mr Quentin Arbuthnot, NHS number 943 476 5919, seen today."
NAME_SPAN, NHS_SPAN = [8, 28], [41, 53]


def _held(ui: Ui, sender: str = "student@example.ac.uk") -> str:
    findings = (
        Finding(
            "patient_identifier",
            "PATIENT_NAME",
            "body",
            0.9,
            "[PATIENT_NAME]",
            details={"spans": [NAME_SPAN]},
        ),
        Finding(
            "patient_identifier", "NHS_NUMBER", "body", 0.95, "[NHS_NUMBER]", details={"spans": [NHS_SPAN]}
        ),
    )
    held = Decision(Verdict.HOLD, "patient-identifier", ("patient-identifier",), "held", findings)
    return ui.store.hold(envelope(sender), message(), held)


def _learned(ui: Ui) -> LearnedStore:
    store = ui.app.state.ctx.extra["learned"]
    assert isinstance(store, LearnedStore)
    return store


def _mark(ui: Ui, who: str, qid: str, **fields: str) -> tuple[int, str]:
    c = ui.login(who)
    token = csrf_of(c.get(f"/messages/{qid}").text)
    r = c.post(f"/messages/{qid}/marks", data={"csrf": token, **fields})
    return r.status_code, c.get(f"/messages/{qid}").text


def test_a_wrong_staff_mark_proposes_the_name(ui: Ui) -> None:
    """Marked wrong as a member of staff with the span's name, the finding proposes a staff name; both marks show."""
    qid = _held(ui)
    status, page = _mark(
        ui, "rita", qid, verdict_0="wrong", reason_0="staff", value_0="Quentin Arbuthnot", verdict_1="right"
    )
    assert status == 303 and "2 mark(s) saved; 1 entry proposed" in page
    assert re.search(r'name="verdict_0" value="wrong" checked', page)
    assert re.search(r'name="verdict_1" value="right" checked', page)
    [entry] = _learned(ui).entries()
    assert (entry.kind, entry.value, entry.status, entry.proposed_by) == (
        "staff_name",
        "Quentin Arbuthnot",
        "proposed",
        "web:rita",
    )
    details = [a.detail for a in ui.audit(message_id=qid) if a.action in ("mark", "learn-propose")]
    assert all("Arbuthnot" not in d for d in details) and len(details) == 3


@pytest.mark.parametrize(
    ("fields", "refused"),
    [
        ({"verdict_0": "wrong", "reason_0": "staff", "value_0": "Rosalind Pemberton"}, "is not what"),
        (
            {"verdict_0": "wrong", "reason_0": "code", "value_0": "Quentin Arbuthnot"},
            "is not what",
        ),  # codes: exact
        ({"verdict_0": "wrong", "reason_0": "staff"}, "needs the value"),
        ({"verdict_0": "wrong"}, "needs one of the listed reasons"),
        ({}, "no finding was marked"),
        # a reason that is not one of the list, with a value: refused, not a server error
        ({"verdict_0": "wrong", "reason_0": "bogus", "value_0": "Quentin Arbuthnot"}, "listed reasons"),
        # a code is the whole span, not the start of it
        ({"verdict_1": "wrong", "reason_1": "code", "value_1": "943 476"}, "finding 2 is not what"),
        # the second finding's value is checked after a first mark without one, and named by its number
        (
            {"verdict_0": "right", "verdict_1": "wrong", "reason_1": "code", "value_1": "943 476 5918"},
            "the value for finding 2 is not what that finding&#39;s span says",
        ),
        (
            {"verdict_0": "wrong", "reason_0": "staff", "value_0": "Arbuthnot Quentin"},
            "finding 1 is not what",
        ),
    ],
)
def test_marks_that_do_not_hold_are_refused(ui: Ui, fields: dict[str, str], refused: str) -> None:
    """A value the span does not say, a missing reason or value, or no mark at all: nothing is stored."""
    qid = _held(ui)
    status, page = _mark(ui, "rita", qid, **fields)
    assert status == 303 and "Marks not saved" in page and refused in page
    assert _learned(ui).entries() == [] and _learned(ui).marks(qid) == {}
    assert ui.audit(action="mark")[-1].outcome == "refused"


def test_a_code_mark_needs_the_exact_value(ui: Ui) -> None:
    """An ordinary code is proposed only as exactly the span's text (case and spacing aside)."""
    qid = _held(ui)
    _mark(ui, "rita", qid, verdict_1="wrong", reason_1="code", value_1="943  476 5919")
    [entry] = _learned(ui).entries()
    assert (entry.kind, entry.finding_type) == ("allowed_value", "NHS_NUMBER")


def test_marks_are_scoped_like_the_message(ui: Ui) -> None:
    """A reviewer cannot mark a message outside their scope (404, audited as denied)."""
    qid = _held(ui)
    c = ui.login("sam")
    token = csrf_of(c.get("/messages").text)
    assert c.post(f"/messages/{qid}/marks", data={"csrf": token, "verdict_0": "right"}).status_code == 404
    assert _learned(ui).marks(qid) == {}
    assert ui.audit(action="mark")[-1].outcome == "denied"


def test_admin_accepts_declines_and_withdraws_with_csrf(ui: Ui) -> None:
    """The admin page lists proposals; accept, decline and withdraw need the CSRF token and are audited."""
    first, second = _held(ui), _held(ui)
    _mark(ui, "rita", first, verdict_0="wrong", reason_0="staff", value_0="Mr Quentin Arbuthnot")
    _mark(ui, "rita", second, verdict_1="wrong", reason_1="code", value_1="943 476 5919")
    by_kind = {e.kind: e.id for e in _learned(ui).entries()}
    accept, decline = by_kind["staff_name"], by_kind["allowed_value"]
    c = ui.login("adam")
    page = c.get("/admin/learned").text
    assert "Mr Quentin Arbuthnot" in page and f"/admin/learned/{accept}/accept" in page
    assert c.post(f"/admin/learned/{accept}/accept", data={"csrf": "forged"}).status_code == 403
    assert _learned(ui).get(accept).status == "proposed"  # type: ignore[union-attr]
    token = csrf_of(page)
    for entry, action in ((accept, "accept"), (decline, "decline")):
        assert c.post(f"/admin/learned/{entry}/{action}", data={"csrf": token}).status_code == 303
    assert _learned(ui).load().staff_names == ("Mr Quentin Arbuthnot",)
    assert _learned(ui).load().allowed == frozenset()
    page = c.get("/admin/learned").text
    assert f"/admin/learned/{accept}/withdraw" in page and f"/admin/learned/{decline}/accept" not in page
    c.post(f"/admin/learned/{accept}/withdraw", data={"csrf": token})
    assert _learned(ui).load().staff_names == ()
    assert (
        c.post(f"/admin/learned/{accept}/withdraw", data={"csrf": token}).status_code == 303
    )  # refused: flash
    assert "Not done: the entry is withdrawn, not accepted" in c.get("/admin/learned").text
    assert c.post("/admin/learned/0011223344556677/accept", data={"csrf": token}).status_code == 404
    actions = [(a.action, a.outcome) for a in ui.audit(actor="web:adam") if a.action.startswith("learn-")]
    assert actions == [
        ("learn-decide", "csrf_failed"),
        ("learn-accept", "ok"),
        ("learn-decline", "ok"),
        ("learn-withdraw", "ok"),
        ("learn-withdraw", "refused"),
        ("learn-accept", "not_found"),
    ]
    assert all("Arbuthnot" not in a.detail for a in ui.audit())


def test_reviewers_cannot_decide_proposals(ui: Ui) -> None:
    """A reviewer is refused the proposals page and the decisions (audited as denied)."""
    qid = _held(ui)
    _mark(ui, "rita", qid, verdict_0="wrong", reason_0="public", value_0="Quentin Arbuthnot")
    [entry] = _learned(ui).entries()
    c = ui.login("rita")
    token = csrf_of(c.get(f"/messages/{qid}").text)
    assert c.get("/admin/learned").status_code == 403
    assert c.post(f"/admin/learned/{entry.id}/accept", data={"csrf": token}).status_code == 403
    assert _learned(ui).get(entry.id).status == "proposed"  # type: ignore[union-attr]
    assert "Proposals" not in c.get("/messages").text


def test_stats_show_precision_within_the_reviewers_scope(ui: Ui) -> None:
    """The statistics page shows right / (right + wrong) per rule and type; a scoped reviewer sees only theirs."""
    ours, theirs = _held(ui), _held(ui, sender="x@other.example.org")
    _mark(ui, "rita", ours, verdict_0="right", verdict_1="wrong", reason_1="other")
    _mark(ui, "rita", theirs, verdict_0="wrong", reason_0="other")
    page = ui.login("rita").get("/stats").text
    assert re.search(r"<code>patient-identifier</code></td><td>1</td><td>2</td><td>33%", page)
    assert re.search(r"<code>NHS_NUMBER</code></td><td>0</td><td>1</td><td>0%", page)
    assert "2025-W10" in page
    scoped = ui.login("sam").get("/stats").text
    assert re.search(r"<code>patient-identifier</code></td><td>0</td><td>1</td><td>0%", scoped)
    assert "NHS_NUMBER" not in scoped


def _dispose(ui: Ui, qid: str, status: str) -> None:
    """As adam: release, reject or delete the held message (or leave it held)."""
    if status == "held":
        return
    c = ui.login("adam")
    token = csrf_of(c.get(f"/messages/{qid}").text)
    fields = {"reason": "Contains an NHS number"} if status == "rejected" else {}
    action = {"released": "release", "rejected": "reject", "deleted": "delete"}[status]
    assert c.post(f"/messages/{qid}/{action}", data={"csrf": token, **fields}).status_code == 303
    msg = ui.store.get(qid)
    assert msg is not None and msg.status == status


@pytest.mark.parametrize(
    ("status", "saved"), [("held", True), ("released", True), ("rejected", True), ("deleted", False)]
)
def test_marks_are_taken_on_held_released_and_rejected_messages_only(
    ui: Ui, status: str, saved: bool
) -> None:
    """A reviewer may still mark a released or rejected message; a deleted one's findings are gone and refused."""
    qid = _held(ui)
    _dispose(ui, qid, status)
    _, page = _mark(ui, "rita", qid, verdict_0="right", verdict_1="wrong", reason_1="other")
    if saved:
        assert "2 mark(s) saved." in page
        assert _learned(ui).marks(qid) == {0: ("right", ""), 1: ("wrong", "other")}
    else:
        assert "Marks not saved: a deleted message&#39;s findings cannot be marked." in page
        assert _learned(ui).marks(qid) == {}


def test_a_right_mark_carries_no_reason_or_value(ui: Ui) -> None:
    """A finding marked right keeps no reason, even when the form sent one with a value: nothing is proposed."""
    qid = _held(ui)
    _, page = _mark(ui, "rita", qid, verdict_0="right", reason_0="staff", value_0="Quentin Arbuthnot")
    assert "1 mark(s) saved." in page
    assert _learned(ui).marks(qid) == {0: ("right", "")} and _learned(ui).entries() == []
    assert ui.audit(action="mark")[-1].detail == "finding=0 type=PATIENT_NAME right"


def test_two_proposals_at_once_are_counted_in_the_plural(ui: Ui) -> None:
    """Two wrong marks proposing two entries on one save say "2 entries proposed"."""
    qid = _held(ui)
    _, page = _mark(
        ui,
        "rita",
        qid,
        verdict_0="wrong",
        reason_0="public",
        value_0="Quentin Arbuthnot",
        verdict_1="wrong",
        reason_1="code",
        value_1="943 476 5919",
    )
    assert "2 mark(s) saved; 2 entries proposed to the administrators." in page


def test_a_value_may_come_from_the_findings_span_in_another_place(ui: Ui) -> None:
    """A finding whose evidence is also in the subject may be marked with the subject's text of it."""
    finding = Finding(
        "patient_identifier",
        "PATIENT_NAME",
        "body",
        0.9,
        "[PATIENT_NAME]",
        details={"spans": [NAME_SPAN], "spans_elsewhere": {"header:Subject": [[0, 10]]}},  # "Ward round"
    )
    held = Decision(Verdict.HOLD, "patient-identifier", ("patient-identifier",), "held", (finding,))
    qid = ui.store.hold(envelope("student@example.ac.uk"), message(), held)
    _, page = _mark(ui, "rita", qid, verdict_0="wrong", reason_0="staff", value_0="ward round")
    assert "1 entry proposed" in page
    assert [e.value for e in _learned(ui).entries()] == ["ward round"]
