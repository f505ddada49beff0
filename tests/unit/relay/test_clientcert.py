"""Client-certificate policy: which verified certificates may relay (names, wildcards, requirement)."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.relay.clientcert import ClientCertPolicy


def cert(cn: str = "", *dns: str) -> dict[str, Any]:
    """A peer certificate as ssl.getpeercert() gives it."""
    return {
        "subject": ((("commonName", cn),),) if cn else (),
        "subjectAltName": tuple(("DNS", d) for d in dns),
    }


POLICY = ClientCertPolicy("ca.pem", ("mail.protection.outlook.com", "*.relay.example.net"), required=True)


@pytest.mark.parametrize(
    ("tls", "refused"),
    [
        ({"peercert": cert("mail.protection.outlook.com")}, False),
        ({"peercert": cert("other", "MAIL.PROTECTION.OUTLOOK.COM")}, False),
        ({"peercert": cert("", "a.relay.example.net")}, False),
        ({"peercert": cert("", "a.b.relay.example.net")}, True),
        ({"peercert": cert("", "relay.example.net")}, True),
        ({"peercert": cert("attacker.example.org")}, True),
        ({"peercert": {}}, True),
        (None, True),
    ],
)
def test_subjects_match_exactly_or_one_wildcard_label(tls: dict[str, Any] | None, refused: bool) -> None:
    """Common name or DNS name must equal a configured subject (case-insensitive, `*.` = one label)."""
    assert bool(POLICY.refusal(tls)) is refused


def test_without_requirement_no_certificate_passes_but_a_wrong_one_does_not() -> None:
    """Not required: a client without a certificate passes; one with another subject is still refused."""
    optional = ClientCertPolicy("ca.pem", ("connector.example.net",), required=False)
    assert optional.refusal({"peercert": {}}) == ""
    assert "not allowed" in optional.refusal({"peercert": cert("x.example.net")})


def test_inactive_policy_refuses_nothing() -> None:
    """With no tls_client_ca the relay does not look at client certificates."""
    assert ClientCertPolicy().refusal(None) == ""
