"""The deploy check: Postfix and Sendmail settings that let mail through unscanned are caught."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.config import MilterSettings
from gateway.errors import ConfigError
from gateway.milter.check import Check, check_postfix, check_sendmail, enforce, parse_milters, parse_postconf

SETTINGS = MilterSettings(listen="127.0.0.1:8891")

GOOD_POSTCONF = """\
mail_version = 3.7.11
smtpd_milters = inet:127.0.0.1:8891
non_smtpd_milters = $smtpd_milters
milter_default_action = tempfail
milter_protocol = 6
milter_connect_timeout = 30s
milter_command_timeout = 30s
milter_content_timeout = 300s
"""


def levels(results: list[Check]) -> list[str]:
    return [r.level for r in results]


def fails(results: list[Check]) -> list[str]:
    return [r.message for r in results if r.level == "fail"]


def postconf(**changes: str) -> dict[str, str]:
    params = parse_postconf(GOOD_POSTCONF)
    params.update(changes)
    return params


def test_fail_closed_postfix_passes() -> None:
    """tempfail, the gateway in both milter lists, protocol 6, a long content timeout: one ok line each."""
    results = check_postfix(postconf(), SETTINGS)
    assert levels(results) == ["ok"] * 5
    printed = " ".join(r.message for r in results)
    for setting in (
        "milter_default_action",
        "smtpd_milters",
        "non_smtpd_milters",
        "milter_protocol",
        "milter_content_timeout",
    ):
        assert setting in printed


@pytest.mark.parametrize("action", ["accept", "reject", "quarantine", ""])
def test_fail_open_default_action_fails(action: str) -> None:
    """milter_default_action other than tempfail/shutdown is a FAIL (mail unscanned or bounced)."""
    assert any(
        "milter_default_action" in m
        for m in fails(check_postfix(postconf(milter_default_action=action), SETTINGS))
    )


def test_shutdown_is_fail_closed_too() -> None:
    """Postfix 3.11's default, shutdown (421), also keeps mail waiting: ok."""
    assert fails(check_postfix(postconf(milter_default_action="shutdown"), SETTINGS)) == []


def test_per_milter_override_to_accept_fails() -> None:
    """{ inet:..., default_action=accept } overrides the global tempfail: FAIL."""
    params = postconf(smtpd_milters="{ inet:localhost:8891, default_action=accept, command_timeout=10s }")
    assert any("default_action=accept" in m for m in fails(check_postfix(params, SETTINGS)))


def test_gateway_missing_from_smtpd_milters_fails() -> None:
    """Postfix pointing at another milter (or another port) is a FAIL: the gateway is not on the route."""
    params = postconf(smtpd_milters="inet:127.0.0.1:9999, unix:/run/other.sock")
    assert any("smtpd_milters does not name" in m for m in fails(check_postfix(params, SETTINGS)))


def test_missing_non_smtpd_milters_is_a_warning() -> None:
    """Without non_smtpd_milters, sendmail(1) mail is unscanned: a warning, not a failure."""
    results = check_postfix(postconf(non_smtpd_milters=""), SETTINGS)
    assert fails(results) == [] and "warn" in levels(results)


def test_old_protocol_and_short_timeout() -> None:
    """Protocol 2 warns; a content timeout not above the PROGRESS interval fails."""
    results = check_postfix(postconf(milter_protocol="2", milter_content_timeout="5s"), SETTINGS)
    assert "warn" in levels(results)
    assert any("milter_content_timeout" in m for m in fails(results))


def test_saved_postconf_output_expands_references() -> None:
    """`$smtpd_milters` in saved postconf output (no -x) is expanded from the same output."""
    assert parse_postconf(GOOD_POSTCONF)["non_smtpd_milters"] == "inet:127.0.0.1:8891"


def test_milter_lists_parse() -> None:
    """Postfix milter lists: commas, spaces and { endpoint, name=value } groups."""
    entries = parse_milters("inet:a:1, { unix:/s, default_action=tempfail } inet:b:2")
    assert [(e.endpoint, e.options) for e in entries] == [
        ("inet:a:1", {}),
        ("unix:/s", {"default_action": "tempfail"}),
        ("inet:b:2", {}),
    ]


def test_unix_socket_relative_to_the_postfix_chroot_matches() -> None:
    """Postfix names a socket relative to its chroot; the gateway's absolute path still matches."""
    settings = MilterSettings(listen="/var/spool/postfix/gateway/milter.sock")
    params = postconf(
        smtpd_milters="unix:/gateway/milter.sock", non_smtpd_milters="unix:/gateway/milter.sock"
    )
    assert fails(check_postfix(params, settings)) == []


SENDMAIL_CF = """\
O InputMailFilters=gateway
Xgateway, S=inet:8891@127.0.0.1, F=T, T=C:5m;S:10s;R:10s;E:5m
Xother, S=unix:/run/other.sock
"""


def test_sendmail_with_f_t_passes() -> None:
    """sendmail.cf with F=T for the gateway's socket: ok."""
    assert levels(check_sendmail(SENDMAIL_CF, SETTINGS)) == ["ok"]


def test_sendmail_without_flags_fails() -> None:
    """No F= flag: Sendmail silently skips an unreachable filter. FAIL."""
    text = SENDMAIL_CF.replace(", F=T", "")
    assert fails(check_sendmail(text, SETTINGS))


def test_sendmail_mc_source_is_read() -> None:
    """The .mc source's INPUT_MAIL_FILTER line is understood too; F=R is a warning."""
    mc = "INPUT_MAIL_FILTER(`gateway', `S=inet:8891@localhost, F=R, T=E:5m')dnl\n"
    assert levels(check_sendmail(mc, SETTINGS)) == ["warn"]


def test_sendmail_without_the_gateway_fails() -> None:
    """A sendmail.cf with no filter for the gateway's address: FAIL."""
    assert fails(check_sendmail("Xother, S=inet:25@mx, F=T\n", SETTINGS))


def test_enforce_refuses_to_start_on_a_failure(tmp_path: Path) -> None:
    """[milter] check_mta pointing at a fail-open sendmail.cf: start-up is refused with a ConfigError."""
    cf = tmp_path / "sendmail.cf"
    cf.write_text(SENDMAIL_CF.replace(", F=T", ""))
    with pytest.raises(ConfigError, match="does not fail closed"):
        enforce(MilterSettings(listen="127.0.0.1:8891", check_mta=str(cf)))
    cf.write_text(SENDMAIL_CF)
    enforce(MilterSettings(listen="127.0.0.1:8891", check_mta=str(cf)))
