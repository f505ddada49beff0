"""TLS contexts: inbound STARTTLS (our certificate) and outbound STARTTLS to the next hop.

Inbound STARTTLS is offered only when both `smtp.tls_cert` and
`smtp.tls_key` are set. Outbound, "opportunistic" encrypts whenever the
next hop offers STARTTLS and does not check its certificate (as Postfix's
`smtp_tls_security_level = may`); "required" refuses to send in clear and,
with `next_hop_tls_verify`, checks the certificate and host name against
`next_hop_ca_file` or the system CAs (as `secure`).
"""

from __future__ import annotations

import ssl

from gateway.errors import ConfigError


def server_context(cert: str, key: str) -> ssl.SSLContext | None:
    if not cert and not key:
        return None
    if not (cert and key):
        raise ConfigError("inbound STARTTLS needs both tls_cert and tls_key", key="smtp.tls_cert")
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        ctx.load_cert_chain(cert, key)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(f"cannot load certificate/key: {exc}", key="smtp.tls_cert") from exc
    return ctx


def client_context(*, verify: bool, ca_file: str = "") -> ssl.SSLContext:
    if not verify:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        return ctx
    try:
        return ssl.create_default_context(cafile=ca_file or None)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(f"cannot load CA file: {exc}", key="smtp.next_hop_ca_file") from exc
