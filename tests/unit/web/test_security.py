"""Review UI security: headers, cookies, CSRF, POST-only changes, sessions, throttling, fail-closed audit."""

from __future__ import annotations

from pathlib import Path

from gateway.errors import StoreError
from gateway.store.audit import AuditEvent
from tests.quarantine_fixtures import decision, envelope, message
from tests.unit.web.conftest import PASSWORD, Ui, csrf_of, login_fields, make_ui


def _held(ui: Ui) -> str:
    return ui.store.hold(envelope(), message(), decision())


def test_security_headers_on_every_page(ui: Ui) -> None:
    """CSP without scripts or framing, nosniff, no-store and no referrer on pages and errors."""
    c = ui.login("rita")
    for path in ("/login", "/messages", "/messages/00000000000000ff", "/stats"):
        h = c.get(path).headers
        csp = h["content-security-policy"]
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp and "script-src" not in csp
        assert h["x-content-type-options"] == "nosniff"
        assert h["cache-control"] == "no-store"
        assert h["referrer-policy"] == "no-referrer"
        assert h["x-frame-options"] == "DENY"
        assert "strict-transport-security" not in h  # plain HTTP here


def test_anonymous_visit_redirects_to_login(ui: Ui) -> None:
    """Without a session a page redirects to the login page (keeping the target), and is audited."""
    qid = _held(ui)
    r = ui.client().get(f"/messages/{qid}")
    assert r.status_code == 303 and r.headers["location"] == f"/login?next=%2Fmessages%2F{qid}"
    assert ui.audit(message_id=qid)[-1].outcome == "unauthenticated"


def test_cookie_flags_over_plain_http(ui: Ui) -> None:
    """The session cookie is HttpOnly and SameSite=Strict (Secure only over TLS)."""
    c = ui.client()
    r = c.post("/login", data={**login_fields(c), "name": "rita", "password": PASSWORD})
    cookie = next(v for k, v in r.headers.multi_items() if k == "set-cookie" and v.startswith("gw_session="))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    assert "Secure" not in cookie and "Path=/" in cookie


def test_cookie_flags_behind_tls(tmp_path: Path) -> None:
    """Over TLS the cookie is __Host-, Secure, HttpOnly, SameSite=Strict, and HSTS is sent."""
    for ui in make_ui(tmp_path, tls_proxy="true"):
        c = ui.client(base_url="https://testserver")
        r = c.post("/login", data={**login_fields(c), "name": "rita", "password": PASSWORD})
        cookie = next(v for k, v in r.headers.multi_items() if k == "set-cookie" and "gw_session=" in v)
        assert cookie.startswith("__Host-gw_session=") and "Secure" in cookie and "HttpOnly" in cookie
        assert "samesite=strict" in cookie.lower() and "Domain" not in cookie
        assert "max-age=" in c.get("/messages").headers["strict-transport-security"]


def test_session_token_is_new_at_login(ui: Ui) -> None:
    """A session token planted before login is not the one the login issues (no fixation)."""

    def issued(r: object) -> str:
        cookies = [v for k, v in r.headers.multi_items() if k == "set-cookie" and v.startswith("gw_session=")]  # type: ignore[attr-defined]
        return cookies[0].split(";")[0].split("=", 1)[1]

    c = ui.client()
    fields = login_fields(c)
    r = c.post(
        "/login",
        data={**fields, "name": "rita", "password": PASSWORD},
        headers={"Cookie": f"gw_login={fields['login_token']}; gw_session=planted-by-attacker"},
    )
    first = issued(r)
    assert first and first != "planted-by-attacker"
    again = ui.client()
    r = again.post("/login", data={**login_fields(again), "name": "rita", "password": PASSWORD})
    assert issued(r) != first


def test_post_without_csrf_token_changes_nothing(ui: Ui) -> None:
    """A release without the session's CSRF token is refused, audited, and the message stays held."""
    qid = _held(ui)
    c = ui.login("rita")
    r = c.post(f"/messages/{qid}/release", data={"comment": "x"})
    assert r.status_code == 403
    r = c.post(f"/messages/{qid}/release", data={"csrf": "guessed", "comment": "x"})
    assert r.status_code == 403
    assert ui.store.get(qid).status == "held" and ui.hop.delivered == []  # type: ignore[union-attr]
    assert [a.outcome for a in ui.audit(action="release")] == ["csrf_failed", "csrf_failed"]


def test_cross_site_post_is_refused_even_with_token(ui: Ui) -> None:
    """A POST whose Origin is another site is refused even when it carries a valid token."""
    qid = _held(ui)
    c = ui.login("rita")
    token = csrf_of(c.get(f"/messages/{qid}").text)
    r = c.post(
        f"/messages/{qid}/reject",
        data={"csrf": token, "reason": "x"},
        headers={"Origin": "https://evil.example"},
    )
    assert r.status_code == 403
    r = c.post(
        f"/messages/{qid}/reject",
        data={"csrf": token, "reason": "x"},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert r.status_code == 403
    assert ui.store.get(qid).status == "held"  # type: ignore[union-attr]


def test_get_never_changes_state(ui: Ui) -> None:
    """Decision URLs do not answer GET: nothing is released, rejected or deleted by a link."""
    qid = _held(ui)
    c = ui.login("adam")
    for action in ("release", "reject", "delete", "reveal"):
        assert c.get(f"/messages/{qid}/{action}").status_code == 405
    assert c.get("/admin/purge").status_code == 405
    assert ui.store.get(qid).status == "held" and ui.hop.delivered == []  # type: ignore[union-attr]


def test_idle_timeout(ui: Ui) -> None:
    """After 15 idle minutes the server no longer accepts the session."""
    c = ui.login("rita")
    ui.clock.advance(minutes=14)
    assert c.get("/messages").status_code == 200
    ui.clock.advance(minutes=15, seconds=1)
    assert c.get("/messages").status_code == 303


def test_absolute_timeout(ui: Ui) -> None:
    """However active, a session ends 8 hours after login."""
    c = ui.login("rita")
    for _ in range(48):
        ui.clock.advance(minutes=10)
        assert c.get("/messages").status_code == 200
    ui.clock.advance(minutes=1)
    assert c.get("/messages").status_code == 303


def test_logout_ends_session_on_server(ui: Ui) -> None:
    """After logout the old cookie no longer works, even if someone kept a copy."""
    c = ui.login("rita")
    token = c.cookies.get("gw_session")
    csrf = csrf_of(c.get("/messages").text)
    assert c.post("/logout", data={"csrf": csrf}).status_code == 303
    thief = ui.client()
    thief.cookies.set("gw_session", token or "")
    assert thief.get("/messages").status_code == 303


def test_disabled_users_sessions_are_killed(ui: Ui) -> None:
    """When an admin disables an account, its open sessions end at once."""
    rita = ui.login("rita")
    adam = ui.login("adam")
    csrf = csrf_of(adam.get("/admin/users").text)
    assert adam.post("/admin/users/rita/disable", data={"csrf": csrf}).status_code == 303
    assert rita.get("/messages").status_code == 303
    c = ui.client()
    r = c.post("/login", data={**login_fields(c), "name": "rita", "password": PASSWORD})
    assert r.status_code == 401


def test_failed_logins_are_throttled_per_account(ui: Ui) -> None:
    """After five wrong passwords even the right one is refused for a while; it works again later."""
    c = ui.client()
    for _ in range(5):
        r = c.post("/login", data={**login_fields(c), "name": "rita", "password": "wrong password!"})
        assert r.status_code == 401
    r = c.post("/login", data={**login_fields(c), "name": "rita", "password": PASSWORD})
    assert r.status_code == 429
    ui.clock.advance(minutes=2)
    r = c.post("/login", data={**login_fields(c), "name": "rita", "password": PASSWORD})
    assert r.status_code == 303
    outcomes = [a.outcome for a in ui.audit(action="login")]
    assert outcomes.count("failed") == 5 and "throttled" in outcomes and outcomes[-1] == "ok"


def test_failed_logins_are_throttled_per_address(tmp_path: Path) -> None:
    """Guessing across many accounts from one address locks the address."""
    for ui in make_ui(tmp_path, max_failed_logins_per_ip="3"):
        c = ui.client()
        for name in ("a1", "a2", "a3"):
            c.post("/login", data={**login_fields(c), "name": name, "password": "wrong password!"})
        r = c.post("/login", data={**login_fields(c), "name": "adam", "password": PASSWORD})
        assert r.status_code == 429


def test_unknown_names_are_not_written_to_the_audit_log(ui: Ui) -> None:
    """A password typed into the name field does not end up in the audit log."""
    c = ui.client()
    c.post("/login", data={**login_fields(c), "name": "hunter2-my-password", "password": "x" * 12})
    rows = ui.audit(action="login")
    assert rows[-1].actor == "web:?" and all("hunter2" not in r.actor + r.detail for r in rows)


def test_login_form_needs_its_token(ui: Ui) -> None:
    """A login posted from elsewhere (no login token) is refused: no login CSRF."""
    r = ui.client().post("/login", data={"name": "rita", "password": PASSWORD})
    assert r.status_code == 403


def test_next_parameter_cannot_redirect_off_site(ui: Ui) -> None:
    """After login the redirect stays on this site, whatever `next` says."""
    c = ui.client()
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        r = c.post("/login", data={**login_fields(c), "name": "rita", "password": PASSWORD, "next": target})
        assert r.headers["location"] == "/messages"
        c.cookies.clear()


class _DownAudit:
    """An audit log whose database is gone."""

    def append(self, event: AuditEvent) -> None:
        raise StoreError("database is down")

    def append_in(self, tx: object, event: AuditEvent) -> None:
        raise StoreError("database is down")

    def records(self, **kw: object) -> list[object]:
        raise StoreError("database is down")


def test_audit_down_means_503_and_no_data(ui: Ui) -> None:
    """If the audit row cannot be written, the page is 503 and shows none of the message."""
    qid = ui.store.hold(envelope("ann@example.ac.uk"), message(subject="Secret subject"), decision())
    c = ui.login("rita")
    ui.store.audit = _DownAudit()  # type: ignore[assignment]
    for path in ("/messages", f"/messages/{qid}", f"/messages/{qid}/original"):
        r = c.get(path)
        assert r.status_code == 503
        assert (
            "ann@example.ac.uk" not in r.text and "Secret subject" not in r.text and "Arbuthnot" not in r.text
        )


def test_enrolled_authenticator_is_required(ui: Ui) -> None:
    """With TOTP enrolled, the password alone does not log in; password and current code do."""
    from gateway.store.users import totp_code, totp_new_secret

    secret = totp_new_secret()
    ui.users.set_totp("rita", secret)
    c = ui.client()
    r = c.post("/login", data={**login_fields(c), "name": "rita", "password": PASSWORD})
    assert r.status_code == 401
    code = totp_code(secret, ui.clock.now.timestamp())
    r = c.post("/login", data={**login_fields(c), "name": "rita", "password": PASSWORD, "code": code})
    assert r.status_code == 303


def test_require_mfa_sends_accounts_without_authenticator_to_enrolment(tmp_path: Path) -> None:
    """With require_mfa, an account without an authenticator logs in only to enrol one: no data before."""
    for ui in make_ui(tmp_path, require_mfa="true"):
        qid = ui.store.hold(envelope("ann@example.ac.uk"), message(subject="Secret subject"), decision())
        c = ui.client()
        r = c.post("/login", data={**login_fields(c), "name": "rita", "password": PASSWORD})
        assert r.status_code == 303 and r.headers["location"] == "/account/mfa"
        for path in ("/messages", f"/messages/{qid}", "/stats"):
            r = c.get(path)
            assert r.status_code == 303 and r.headers["location"] == "/account/mfa"
            assert "Secret subject" not in r.text
        assert ui.audit(action="list")[-1].outcome == "denied"
        assert "authenticator" in c.get("/account/mfa").text
