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


def _proposed(ui: Ui) -> tuple[str, str]:
    """A staff-name proposal and an allowed-code proposal, from rita's wrong marks on two messages."""
    first, second = _held(ui), _held(ui)
    _mark(ui, "rita", first, verdict_0="wrong", reason_0="staff", value_0="Mr Quentin Arbuthnot")
    _mark(ui, "rita", second, verdict_1="wrong", reason_1="code", value_1="943 476 5919")
    by_kind = {e.kind: e.id for e in _learned(ui).entries()}
    return by_kind["staff_name"], by_kind["allowed_value"]


def test_every_decision_form_has_an_optional_reason_field(ui: Ui) -> None:
    """Accept, decline and withdraw each offer a reason input capped at 500 characters, not required."""
    accept, _ = _proposed(ui)
    c = ui.login("adam")
    token = csrf_of(c.get("/admin/learned").text)
    c.post(f"/admin/learned/{accept}/accept", data={"csrf": token})
    page = c.get("/admin/learned").text
    forms = re.findall(r'<form method="post" action="/admin/learned/(\w+)/(\w+)".*?</form>', page, re.S)
    assert sorted(action for _, action in forms) == ["accept", "decline", "withdraw"]
    for form in re.findall(r'<form method="post" action="/admin/learned/.*?</form>', page, re.S):
        [field] = re.findall(r"<input name=\"reason\"[^>]*>", form)
        assert 'maxlength="500"' in field and "required" not in field


@pytest.mark.parametrize(
    ("action", "status", "given", "kept"),
    [
        ("accept", "accepted", "Dr Arbuthnot teaches anatomy here", "Dr Arbuthnot teaches anatomy here"),
        (
            "decline",
            "declined",
            "  a patient after all\r\n(see the ward list)  ",
            "a patient after all (see the ward list)",
        ),
        ("accept", "accepted", "   ", ""),
        ("decline", "declined", "", ""),
        ("accept", "accepted", "x" * 500, "x" * 500),
    ],
)
def test_the_reason_is_kept_with_the_entry_and_only_its_length_audited(
    ui: Ui, action: str, status: str, given: str, kept: str
) -> None:
    """A decision's reason is stored with the entry (trimmed, on one line) and shown; the audit row gives its length."""
    entry, _ = _proposed(ui)
    c = ui.login("adam")
    token = csrf_of(c.get("/admin/learned").text)
    assert (
        c.post(f"/admin/learned/{entry}/{action}", data={"csrf": token, "reason": given}).status_code == 303
    )
    decided = _learned(ui).get(entry)
    assert decided is not None and (decided.status, decided.reason) == (status, kept)
    page = c.get("/admin/learned").text
    row = re.search(rf'<tr id="entry-{entry}">.*?</tr>', page, re.S)
    assert row is not None
    if kept:
        assert f"Reason: <q>{kept}</q>" in row.group(0)
    else:
        assert "Reason:" not in row.group(0)
    [audit] = ui.audit(action=f"learn-{action}")
    suffix = f" reason={len(kept)} chars" if kept else ""
    assert (audit.actor, audit.outcome, audit.detail) == (
        "web:adam",
        "ok",
        f"entry={entry} kind=staff_name{suffix}",
    )
    assert all("anatomy" not in a.detail and "ward list" not in a.detail for a in ui.audit())


def test_a_reason_longer_than_500_characters_is_refused_and_nothing_changes(ui: Ui) -> None:
    """A reason past the cap is refused with a message, the entry stays as it was, and the refusal is audited."""
    entry, _ = _proposed(ui)
    c = ui.login("adam")
    token = csrf_of(c.get("/admin/learned").text)
    r = c.post(f"/admin/learned/{entry}/accept", data={"csrf": token, "reason": "y" * 501})
    assert r.status_code == 303
    assert "Not done: the reason is too long (at most 500 characters)." in c.get("/admin/learned").text
    after = _learned(ui).get(entry)
    assert after is not None and (after.status, after.reason, after.decided_by) == ("proposed", "", "")
    assert _learned(ui).load().staff_names == ()
    [audit] = ui.audit(action="learn-accept")
    assert (audit.outcome, audit.detail) == ("refused", f"entry={entry}")


def test_the_reason_is_escaped_on_the_page(ui: Ui) -> None:
    """Markup in a reason is shown as text on the Proposals page, never run as markup."""
    entry, _ = _proposed(ui)
    c = ui.login("adam")
    token = csrf_of(c.get("/admin/learned").text)
    reason = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    c.post(f"/admin/learned/{entry}/decline", data={"csrf": token, "reason": reason})
    page = c.get("/admin/learned").text
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in page


def test_a_withdrawal_keeps_its_own_reason(ui: Ui) -> None:
    """Withdrawing an accepted entry records the withdrawal's reason in place of the acceptance's, as the CLI does."""
    entry, _ = _proposed(ui)
    c = ui.login("adam")
    token = csrf_of(c.get("/admin/learned").text)
    c.post(f"/admin/learned/{entry}/accept", data={"csrf": token, "reason": "teaches anatomy"})
    c.post(f"/admin/learned/{entry}/withdraw", data={"csrf": token, "reason": "left the school in May"})
    withdrawn = _learned(ui).get(entry)
    assert withdrawn is not None and (withdrawn.status, withdrawn.reason) == (
        "withdrawn",
        "left the school in May",
    )
    page = c.get("/admin/learned").text
    decided = page.split("<h2>Declined and withdrawn</h2>", 1)[1]
    assert "Reason: <q>left the school in May</q>" in decided and "teaches anatomy" not in page
    details = [a.detail for a in ui.audit() if a.action in ("learn-accept", "learn-withdraw")]
    assert details == [
        f"entry={entry} kind=staff_name reason=15 chars",
        f"entry={entry} kind=staff_name reason=22 chars",
    ]
