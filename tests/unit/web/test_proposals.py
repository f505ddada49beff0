"""The administrators' Proposals page: the decisions, their reasons, what the page lists and audits."""

from __future__ import annotations

import re

import pytest

from gateway.model import Finding
from gateway.store.learned import Mark
from tests.unit.web.conftest import Ui, csrf_of
from tests.unit.web.test_marks import _held, _learned, _mark


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


def _codes(ui: Ui, count: int) -> list[str]:
    """`count` allowed-code proposals, one a message, as the store records reviewers' marks."""
    findings = (Finding("patient_identifier", "NHS_NUMBER", "body", 0.95, "[NHS_NUMBER]"),)
    ids: list[str] = []
    for n in range(count):
        ids += _learned(ui).record_marks(
            message_id=f"m{n}",
            rule="patient-identifier",
            sender_domain="example.ac.uk",
            findings=findings,
            marks=[Mark(0, "wrong", "code", f"WARD-{n:04}")],
            actor="web:rita",
            source="10.0.0.9",
        )
    return ids


def _section(page: str, heading: str) -> str:
    """The part of the page under an <h2>, up to the next one."""
    return page.split(f"<h2>{heading}</h2>", 1)[1].split("<h2>", 1)[0]


def test_the_page_view_is_audited_with_the_counts_it_showed(ui: Ui) -> None:
    """Opening the Proposals page writes a `learn` row with how many entries of each state it showed, no value."""
    accept, _ = _proposed(ui)
    _learned(ui).decide(accept, "accept", actor="web:adam", source="")
    c = ui.login("adam")
    assert "Mr Quentin Arbuthnot" in c.get("/admin/learned").text
    [row] = ui.audit(action="learn")
    assert (row.actor, row.outcome, row.detail) == ("web:adam", "ok", "proposed=1 accepted=1")


def test_a_decisions_message_is_shown_once(ui: Ui) -> None:
    """After a decision the page says what was done; the next visit no longer does."""
    accept, _ = _proposed(ui)
    c = ui.login("adam")
    c.post(f"/admin/learned/{accept}/accept", data={"csrf": csrf_of(c.get("/admin/learned").text)})
    done = "The staff name entry is accepted: it applies on every node within seconds."
    assert done in c.get("/admin/learned").text
    assert done not in c.get("/admin/learned").text


def test_decided_entries_are_listed_newest_first_fifty_at_most(ui: Ui) -> None:
    """Declined and withdrawn entries are listed most recent decision first, and only the latest 50."""
    ids = _codes(ui, 51)
    for entry_id in ids:
        ui.clock.advance(seconds=1)
        _learned(ui).decide(entry_id, "decline", actor="web:adam", source="")
    page = ui.login("adam").get("/admin/learned").text
    shown = re.findall(r'<tr id="entry-(\w+)">', _section(page, "Declined and withdrawn"))
    assert shown == ids[::-1][:50]


@pytest.mark.parametrize(
    ("path", "audited"),
    [
        ("{entry}/erase", None),  # no such action: nothing happens, nothing to audit
        ("{entry}/ACCEPT", None),
        ("{long}/accept", "entry={cut}"),  # an id is at most 40 characters, in the audit row too
        ("0011223344556677/withdraw", "entry=0011223344556677"),
    ],
)
def test_unknown_actions_and_entries_are_404_and_change_nothing(
    ui: Ui, path: str, audited: str | None
) -> None:
    """A decision on an action or entry that does not exist is 404; the entry is untouched."""
    entry, _ = _proposed(ui)
    long = "a" * 60
    c = ui.login("adam")
    token = csrf_of(c.get("/admin/learned").text)
    url = "/admin/learned/" + path.format(entry=entry, long=long)
    assert c.post(url, data={"csrf": token}).status_code == 404
    assert {e.status for e in _learned(ui).entries()} == {"proposed"}
    rows = [r for r in ui.audit() if r.action.startswith("learn-") and r.action != "learn-propose"]
    if audited is None:
        assert [r.outcome for r in rows] == []
    else:
        assert [(r.outcome, r.detail) for r in rows] == [("not_found", audited.format(cut=long[:40]))]


def test_the_page_is_503_where_the_store_has_no_learned_entries(ui: Ui) -> None:
    """A node without the learned-entries store answers 503 on the Proposals page rather than failing."""
    del ui.app.state.ctx.extra["learned"]
    r = ui.login("adam").get("/admin/learned")
    assert r.status_code == 503 and "Marks and proposals are not available on this node." in r.text
