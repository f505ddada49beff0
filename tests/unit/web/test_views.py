"""Review UI pages: list and filters, masked view and reveal, downloads, decisions, roles, scope, audit."""

from __future__ import annotations

import re

from gateway.errors import PermanentDeliveryError
from tests.quarantine_fixtures import decision, envelope, message
from tests.unit.web.conftest import Ui, csrf_of


def _held(ui: Ui, **kw: object) -> str:
    sender = str(kw.pop("sender", "student@example.ac.uk"))
    rule = str(kw.pop("rule", "patient-identifier"))
    cat = str(kw.pop("category", "patient_identifier"))
    return ui.store.hold(envelope(sender), message(**kw), decision(rule, cat))  # type: ignore[arg-type]


def test_list_shows_held_messages_with_masked_subjects(ui: Ui) -> None:
    """The list shows sender, recipients, rule and categories, with identifiers in subjects masked."""
    qid = _held(ui, subject="Results for 943 476 5919")
    c = ui.login("rita")
    page = c.get("/messages").text
    assert qid in page and "student@example.ac.uk" in page and "patient-identifier" in page
    assert "943 476 5919" not in page and "[number" in page
    rows = ui.audit(action="list")
    assert rows[-1].actor == "web:rita" and rows[-1].outcome == "ok"


def test_list_filters_by_rule_category_sender_date_and_search(ui: Ui) -> None:
    """Each filter narrows the list."""
    a = _held(ui, subject="Clinic letter")
    ui.clock.advance(days=3)
    b = _held(
        ui,
        subject="Rude note",
        rule="abusive-language",
        category="abusive_language",
        sender="bo@example.ac.uk",
    )
    c = ui.login("rita")

    def shown(query: str) -> set[str]:
        page = c.get("/messages?" + query).text
        return {x for x in (a, b) if f"/messages/{x}" in page}

    assert shown("") == {a, b}
    assert shown("rule=abusive-language") == {b}
    assert shown("category=patient_identifier") == {a}
    assert shown("sender=bo%40") == {b}
    assert shown("until=2025-03-04") == {a}
    assert shown("since=2025-03-05") == {b}
    assert shown("q=clinic") == {a}
    assert shown("status=rejected") == set()


def test_message_view_masks_identifiers_and_highlights_findings(ui: Ui) -> None:
    """The message view shows findings and text, with the NHS number and the name masked."""
    qid = _held(ui)
    c = ui.login("rita")
    page = c.get(f"/messages/{qid}").text
    assert "NHS_NUMBER" in page and "NHS number [NHS_NUMBER]" in page
    assert "seen today" in page  # the text itself is there
    assert "943 476 5919" not in page and "Arbuthnot" not in page
    assert 'class="block flagged"' in page
    assert ui.audit(message_id=qid)[-1].action == "view"


def test_reveal_one_identifier_is_audited_then_shown(ui: Ui) -> None:
    """Revealing one identifier writes an audit row, then the page shows that value and no other."""
    qid = _held(ui)
    c = ui.login("rita")
    page = c.get(f"/messages/{qid}").text
    spans = re.findall(r'name="span" value="(\d+)"[^>]*>\[(\w+)', page)
    number = next(n for n, kind in spans if kind == "number")
    r = c.post(f"/messages/{qid}/reveal", data={"csrf": csrf_of(page), "span": number})
    assert r.status_code == 303 and r.headers["location"].endswith(f"#s{number}")
    reveal = ui.audit(action="reveal")[-1]
    assert (reveal.actor, reveal.message_id, reveal.outcome) == ("web:rita", qid, "ok")
    assert "number" in reveal.detail and "943" not in reveal.detail
    page = c.get(f"/messages/{qid}").text
    assert "943 476 5919" in page and "Arbuthnot" not in page


def test_reveal_all(ui: Ui) -> None:
    """Reveal all shows every identifier, audited once."""
    qid = _held(ui)
    c = ui.login("rita")
    page = c.get(f"/messages/{qid}").text
    c.post(f"/messages/{qid}/reveal", data={"csrf": csrf_of(page), "span": "all"})
    page = c.get(f"/messages/{qid}").text
    assert "943 476 5919" in page and "Quentin Arbuthnot" in page
    assert ui.audit(action="reveal")[-1].detail.startswith("all")


def test_quarantined_html_is_never_rendered(ui: Ui) -> None:
    """HTML and markup in a held message reach the page only as escaped text; scripts are dropped."""
    qid = _held(
        ui,
        body="<img src=x onerror=alert(1)> plain text part\r\n",
        html="<p>Hello</p><script>alert('owned')</script><iframe src='https://evil.example'></iframe>",
    )
    c = ui.login("rita")
    page = c.get(f"/messages/{qid}").text
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "alert('owned')" not in page and "<iframe" not in page and "evil.example" not in page


def test_attachments_are_downloads_only(ui: Ui) -> None:
    """An attachment comes as application/octet-stream with Content-Disposition attachment, nosniff and a sandbox CSP."""
    qid = _held(ui, attachment=("ward list.html", b"<script>alert(1)</script>"))
    c = ui.login("rita")
    page = c.get(f"/messages/{qid}").text
    assert f"/messages/{qid}/attachments/0" in page
    r = c.get(f"/messages/{qid}/attachments/0")
    assert r.status_code == 200 and r.content == b"<script>alert(1)</script>"
    assert r.headers["content-type"] == "application/octet-stream"
    assert r.headers["content-disposition"].startswith('attachment; filename="ward list.html"')
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["content-security-policy"].startswith("sandbox")
    d = ui.audit(action="download")[-1]
    assert (d.message_id, d.outcome) == (qid, "ok") and "attachment 0" in d.detail
    assert c.get(f"/messages/{qid}/attachments/7").status_code == 404


def test_original_download(ui: Ui) -> None:
    """The original message downloads as an .eml attachment, byte for byte, audited."""
    qid = _held(ui)
    r = ui.login("rita").get(f"/messages/{qid}/original")
    assert r.content == message() and f"message-{qid}.eml" in r.headers["content-disposition"]
    assert "original" in ui.audit(action="download")[-1].detail


def test_release_delivers_and_records_comment(ui: Ui) -> None:
    """Release delivers the original bytes to the original recipients and records the comment."""
    qid = _held(ui)
    c = ui.login("rita")
    token = csrf_of(c.get(f"/messages/{qid}").text)
    r = c.post(f"/messages/{qid}/release", data={"csrf": token, "comment": "consented case study"})
    assert r.status_code == 303
    assert [(e.rcpt_tos, raw) for e, raw in ui.hop.delivered] == [(("friend@mail.example.com",), message())]
    m = ui.store.get(qid)
    assert m is not None and (m.status, m.comment, m.decided_by) == (
        "released",
        "consented case study",
        "web:rita",
    )
    assert "Released" in c.get(f"/messages/{qid}").text
    assert [d.action for d in ui.decisions] == ["released"]


def test_refused_release_shows_the_error_and_stays_held(ui: Ui) -> None:
    """When the next hop refuses, the page says why and the message is still held."""
    qid = _held(ui)
    ui.hop.error = PermanentDeliveryError(554, "5.7.1 recipient rejected")
    c = ui.login("rita")
    c.post(f"/messages/{qid}/release", data={"csrf": csrf_of(c.get(f"/messages/{qid}").text)})
    page = c.get(f"/messages/{qid}").text
    assert "554 5.7.1 recipient rejected" in page and "still held" in page
    assert ui.store.get(qid).status == "held"  # type: ignore[union-attr]


def test_reject_needs_reason_and_tells_the_hook(ui: Ui) -> None:
    """Reject with a reason marks the message rejected and passes the reason to the sender hook."""
    qid = _held(ui)
    c = ui.login("rita")
    token = csrf_of(c.get(f"/messages/{qid}").text)
    c.post(f"/messages/{qid}/reject", data={"csrf": token, "reason": ""})
    assert ui.store.get(qid).status == "held"  # type: ignore[union-attr]
    c.post(
        f"/messages/{qid}/reject",
        data={"csrf": token, "reason": "Please remove the NHS number", "comment": "ok"},
    )
    m = ui.store.get(qid)
    assert m is not None and (m.status, m.decision_reason, m.comment) == (
        "rejected",
        "Please remove the NHS number",
        "ok",
    )
    assert [(d.action, d.reason) for d in ui.decisions] == [("rejected", "Please remove the NHS number")]


def test_reviewer_cannot_act_as_admin(ui: Ui) -> None:
    """A reviewer is refused delete, purge, users and the audit log, and each refusal is audited."""
    qid = _held(ui)
    c = ui.login("rita")
    token = csrf_of(c.get(f"/messages/{qid}").text)
    assert c.post(f"/messages/{qid}/delete", data={"csrf": token}).status_code == 403
    assert c.post("/admin/purge", data={"csrf": token}).status_code == 403
    assert c.get("/admin/users").status_code == 403
    assert c.get("/admin/audit").status_code == 403
    assert (
        c.post(
            "/admin/users", data={"csrf": token, "name": "x", "role": "admin", "password": "p" * 12}
        ).status_code
        == 403
    )
    assert ui.users.get("x") is None and ui.store.get(qid).status == "held"  # type: ignore[union-attr]
    denied = [(a.action, a.outcome) for a in ui.audit(actor="web:rita") if a.outcome == "denied"]
    assert denied == [
        ("delete", "denied"),
        ("purge", "denied"),
        ("users", "denied"),
        ("audit", "denied"),
        ("user-add", "denied"),
    ]
    assert "Delete" not in c.get(f"/messages/{qid}").text


def test_admin_can_delete(ui: Ui) -> None:
    """An admin deletes a message: its content is erased and the page says so."""
    qid = _held(ui)
    c = ui.login("adam")
    c.post(
        f"/messages/{qid}/delete", data={"csrf": csrf_of(c.get(f"/messages/{qid}").text), "comment": "spam"}
    )
    page = c.get(f"/messages/{qid}").text
    assert "erased" in page and "seen today" not in page


def test_reviewer_sees_only_their_scope(ui: Ui) -> None:
    """A scoped reviewer gets 404 for another sender domain's message (audited as denied) and does not see it listed."""
    mine = _held(ui, sender="x@other.example.org")
    theirs = _held(ui)
    c = ui.login("sam")
    page = c.get("/messages").text
    assert mine in page and theirs not in page
    assert c.get(f"/messages/{theirs}").status_code == 404
    assert c.get(f"/messages/{theirs}/original").status_code == 404
    token = csrf_of(c.get(f"/messages/{mine}").text)
    assert c.post(f"/messages/{theirs}/release", data={"csrf": token}).status_code == 404
    assert ui.hop.delivered == []
    denied = [a for a in ui.audit(message_id=theirs) if a.actor == "web:sam"]
    assert [a.outcome for a in denied] == ["denied", "denied", "denied"]


def test_unknown_message_is_404_and_audited(ui: Ui) -> None:
    """Fetching an id that does not exist is a 404 with an audit row."""
    c = ui.login("rita")
    assert c.get("/messages/0123456789abcdef").status_code == 404
    assert ui.audit(message_id="0123456789abcdef")[-1].outcome == "not_found"


def test_bulk_reject(ui: Ui) -> None:
    """Bulk reject applies the reason to each selected message, each audited on its own."""
    ids = [_held(ui) for _ in range(3)]
    c = ui.login("rita")
    token = csrf_of(c.get("/messages").text)
    r = c.post(
        "/messages/bulk",
        data={
            "csrf": token,
            "action": "reject",
            "reason": "patient data",
            "comment": "batch",
            "ids": ids[:2],
        },
    )
    assert r.status_code == 303
    assert [ui.store.get(i).status for i in ids] == ["rejected", "rejected", "held"]  # type: ignore[union-attr]
    assert len(ui.audit(action="reject")) == 2
    assert "2 of 2 done" in c.get("/messages").text


def test_bulk_delete_needs_admin(ui: Ui) -> None:
    """A reviewer's bulk delete is refused."""
    qid = _held(ui)
    c = ui.login("rita")
    token = csrf_of(c.get("/messages").text)
    assert c.post("/messages/bulk", data={"csrf": token, "action": "delete", "ids": [qid]}).status_code == 403
    assert ui.store.get(qid).status == "held"  # type: ignore[union-attr]


def test_stats_page_counts_released_and_confirmed(ui: Ui) -> None:
    """The statistics page shows per rule how many holds were released and how many confirmed."""
    ids = [_held(ui) for _ in range(3)]
    c = ui.login("rita")
    token = csrf_of(c.get("/messages").text)
    c.post(f"/messages/{ids[0]}/release", data={"csrf": token})
    c.post(f"/messages/{ids[1]}/reject", data={"csrf": token, "reason": "r"})
    page = c.get("/stats").text
    row = re.search(r"<tr><td><a[^>]*><code>patient-identifier</code></a></td>(.*?)</tr>", page, re.S)
    assert row is not None
    cells = re.findall(r"<td>([^<]*)", row.group(1))
    assert cells[:5] == ["1", "1", "1", "0", "0"] and "50%" in row.group(1)


def test_admin_audit_page_detects_tampering(ui: Ui) -> None:
    """The audit page's verification reports an altered row."""
    _held(ui)
    c = ui.login("adam")
    assert "The chain is intact" in c.get("/admin/audit?verify=1").text
    ui.store.db.execute("DROP TRIGGER audit_log_no_update")
    ui.store.db.execute("UPDATE audit_log SET actor = 'web:nobody' WHERE n = 1")
    page = c.get("/admin/audit?verify=1").text
    assert "tampered" in page and "row 1 was altered" in page


def test_admin_adds_user_from_the_page(ui: Ui) -> None:
    """An admin adds an account; the new user can log in with the role given."""
    c = ui.login("adam")
    token = csrf_of(c.get("/admin/users").text)
    c.post(
        "/admin/users",
        data={"csrf": token, "name": "nina", "role": "reviewer", "password": "another long password"},
    )
    assert ui.users.get("nina") is not None and ui.users.get("nina").role == "reviewer"  # type: ignore[union-attr]
    assert ui.audit(action="user-add")[-1].detail == "user=nina role=reviewer"
    ui.login("nina", "another long password")


def test_every_endpoint_writes_one_audit_row(ui: Ui) -> None:
    """List, view, download, reveal, release and stats each write exactly one row, attributed to the user."""
    qid = _held(ui)
    c = ui.login("rita")
    start = ui.store.audit.head()[0]
    steps = [
        ("list", lambda: c.get("/messages")),
        ("view", lambda: c.get(f"/messages/{qid}")),
        ("download", lambda: c.get(f"/messages/{qid}/original")),
        ("stats", lambda: c.get("/stats")),
    ]
    for action, call in steps:
        before = ui.store.audit.head()[0]
        call()
        rows = ui.audit(since=before)
        assert [(r.action, r.actor, r.source) for r in rows] == [(action, "web:rita", "testclient")], action
    token = csrf_of(c.get("/messages").text)
    before = ui.store.audit.head()[0]
    c.post(f"/messages/{qid}/reveal", data={"csrf": token, "span": "0"})
    assert [r.action for r in ui.audit(since=before)] == ["reveal"]
    before = ui.store.audit.head()[0]
    c.post(f"/messages/{qid}/release", data={"csrf": token})
    assert [(r.action, r.outcome) for r in ui.audit(since=before)] == [
        ("release", "started"),
        ("release", "ok"),
    ]
    assert ui.store.audit.verify().ok and start > 0
