"""Smaller promises of the pages: bad dates, redirects that ignore the Host header, scoped statistics,
no empty "reveal all", no disabling oneself, and error pages that keep the navigation."""

from __future__ import annotations

import re

import pytest

from tests.quarantine_fixtures import decision, envelope, message
from tests.unit.web.conftest import Ui, csrf_of


@pytest.mark.parametrize(
    "query", ["since=2024-13-45", "until=2025-02-30", "since=yesterday", "until=2025-3-1"]
)
def test_invalid_date_filter_is_a_400_page_with_an_audit_row(ui: Ui, query: str) -> None:
    """A date that does not exist gives a 400 page saying so, audited, and never a 500."""
    c = ui.login("rita")
    r = c.get(f"/messages?{query}")
    assert r.status_code == 400 and "not a date" in r.text and "Held messages" in r.text
    row = ui.audit(action="list")[-1]
    assert (row.actor, row.outcome) == ("web:rita", "bad_request")


@pytest.mark.parametrize(
    ("path", "location"),
    [("/messages/", "/messages"), ("/stats/", "/stats"), ("/admin/users/", "/admin/users")],
)
def test_trailing_slash_redirect_never_uses_the_host_header(ui: Ui, path: str, location: str) -> None:
    """GET /messages/ with a forged Host header redirects to a path on this site, not to that host."""
    c = ui.login("rita")
    r = c.get(path, headers={"Host": "evil.example"})
    assert r.status_code in (307, 308) and r.headers["location"] == location


@pytest.mark.parametrize(
    "url", ["http://testserver//evil.example/", "/%09/evil.example/", "/%5Cevil.example/", "/a%5C/"]
)
def test_odd_paths_with_a_slash_never_lead_off_site(ui: Ui, url: str) -> None:
    """A path that could read as another host is a 404, or a redirect to a plain path on this site."""
    c = ui.login("rita")
    r = c.get(url, headers={"Host": "evil.example"})
    location = r.headers.get("location")
    assert r.status_code == 404 or re.fullmatch(r"/[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*", location or "")


def test_scoped_reviewer_sees_only_their_scopes_counts(ui: Ui) -> None:
    """A reviewer scoped to one sender domain counts, and is offered as filters, only that domain's rules."""
    for _ in range(3):
        ui.store.hold(envelope("a@example.ac.uk"), message(), decision())
    ui.store.hold(
        envelope("b@other.example.org"), message(), decision("abusive-language", "abusive_language")
    )
    page = ui.login("sam").get("/stats").text
    assert "abusive-language" in page and "patient-identifier" not in page
    row = re.search(r"<code>abusive-language</code></a></td><td>(\d+)</td>", page)
    assert row is not None and row.group(1) == "1"
    assert "<option>patient-identifier</option>" not in ui.login("sam").get("/messages").text
    assert "<option>patient-identifier</option>" in ui.login("rita").get("/messages").text
    everyone = ui.login("rita").get("/stats").text
    assert re.search(r"<code>patient-identifier</code></a></td><td>3</td>", everyone)


def test_no_reveal_all_when_nothing_is_masked(ui: Ui) -> None:
    """A message with nothing to reveal offers no "reveal all 0"; one with identifiers offers the count."""
    plain = ui.store.hold(
        envelope(), message(subject="Hello", body="See you at the lecture.\r\n"), decision()
    )
    marked = ui.store.hold(envelope(), message(), decision())
    c = ui.login("rita")
    page = c.get(f"/messages/{plain}").text
    assert "reveal all" not in page and "Nothing in this message" in page
    page = c.get(f"/messages/{marked}").text
    assert re.search(r"reveal all [1-9]", page)
    c.post(f"/messages/{marked}/reveal", data={"csrf": csrf_of(page), "span": "all"})
    assert "reveal all" not in c.get(f"/messages/{marked}").text


def test_admin_cannot_disable_their_own_account(ui: Ui) -> None:
    """An admin has no disable button on their own row, and a forged request is refused and audited."""
    c = ui.login("adam")
    page = c.get("/admin/users").text
    assert "/admin/users/adam/disable" not in page and "/admin/users/rita/disable" in page
    r = c.post("/admin/users/adam/disable", data={"csrf": csrf_of(page)})
    assert r.status_code == 400
    assert not ui.users.get("adam").disabled  # type: ignore[union-attr]
    assert ui.audit(action="user-disable")[-1].outcome == "refused"
    assert c.get("/admin/users").status_code == 200


def test_403_page_keeps_the_navigation(ui: Ui) -> None:
    """A reviewer refused an admin page still has the menu and the logout button."""
    r = ui.login("rita").get("/admin/users")
    assert r.status_code == 403
    assert 'href="/messages"' in r.text and 'href="/stats"' in r.text and "Log out" in r.text
    assert "rita" in r.text and 'href="/admin/audit"' not in r.text
