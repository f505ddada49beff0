"""Who may hand mail in over TLS: client certificates checked against a CA and a list of subjects.

A cloud mail service (a Microsoft 365 outbound connector, a Google Workspace
outbound gateway) connects from address ranges shared with every other
tenant, so `smtp.allowed_clients` alone cannot tell the university's tenant
from anyone else's. Its certificate can: with

    tls_client_ca = "/etc/gateway/client-ca.pem"      # the CAs that may have issued it
    tls_client_subjects = ["mail.protection.outlook.com"]   # the names it must carry
    tls_require_client_cert = true

the relay asks every client for a certificate during STARTTLS and:

- before STARTTLS, MAIL/RCPT/DATA get `530 Must issue a STARTTLS command first`
  (when a certificate is required);
- a certificate that does not chain to `tls_client_ca` fails the TLS handshake;
- no certificate (when required), or a certificate whose subject common name
  and DNS names match none of `tls_client_subjects`, ends with the handshake:
  every command after it gets `554 Command refused due to lack of security`;
- a certificate that passes continues to the ordinary checks
  (`allowed_clients` at connect, the relay's rules after).

Names match exactly, ignoring case; a subject `*.example.com` matches one
label under example.com. Security note: only the handshake authenticates the
client; nothing here trusts a name the client says (EHLO, headers).
"""

from __future__ import annotations

import logging
import ssl
from dataclasses import dataclass
from typing import Any

from gateway.errors import ConfigError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ClientCertPolicy:
    ca_file: str = ""
    subjects: tuple[str, ...] = ()
    required: bool = False

    @classmethod
    def from_settings(cls, smtp: Any) -> ClientCertPolicy:
        policy = cls(
            smtp.tls_client_ca,
            tuple(s.strip().lower() for s in smtp.tls_client_subjects if s.strip()),
            smtp.tls_require_client_cert,
        )
        if (policy.subjects or policy.required) and not policy.ca_file:
            raise ConfigError("client certificates need tls_client_ca", key="smtp.tls_client_ca")
        if policy.ca_file and not (smtp.tls_cert and smtp.tls_key):
            raise ConfigError(
                "client certificates need inbound STARTTLS (tls_cert, tls_key)", key="smtp.tls_cert"
            )
        return policy

    @property
    def active(self) -> bool:
        return bool(self.ca_file)

    def configure(self, ctx: ssl.SSLContext) -> None:
        """Ask for (and verify) a client certificate during the handshake."""
        if not self.active:
            return
        try:
            ctx.load_verify_locations(cafile=self.ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError(f"cannot load CA file: {exc}", key="smtp.tls_client_ca") from exc
        # OPTIONAL, not REQUIRED: a client without a certificate completes the handshake and is
        # then refused in SMTP (554), which the sending MTA logs and reports, instead of a bare TLS alert
        ctx.verify_mode = ssl.CERT_OPTIONAL

    def refusal(self, tls: dict[str, Any] | None) -> str:
        """Why the client that just finished STARTTLS may not go on ("" when it may)."""
        if not self.active:
            return ""
        cert = (tls or {}).get("peercert") or {}
        if not cert:
            return "no client certificate" if self.required else ""
        names = certificate_names(cert)
        if self.subjects and not any(_matches(pattern, n) for pattern in self.subjects for n in names):
            return "client certificate subject not allowed: " + ", ".join(sorted(names))[:200]
        return ""


def certificate_names(cert: dict[str, Any]) -> set[str]:
    """The subject's common names and DNS subject-alternative names of a verified peer certificate."""
    names = {v.lower() for rdn in cert.get("subject", ()) for k, v in rdn if k == "commonName"}
    names |= {v.lower() for k, v in cert.get("subjectAltName", ()) if k == "DNS"}
    return names


def _matches(pattern: str, name: str) -> bool:
    if pattern.startswith("*."):
        head, _, rest = name.partition(".")
        return bool(head) and rest == pattern[2:]
    return pattern == name
