"""The SMTP envelope and the classification of recipients by domain."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class RecipientClass(StrEnum):
    INTERNAL = "internal"  # the university's own domains
    SECURE = "secure"  # secure clinical domains such as nhs.net
    EXTERNAL = "external"  # everyone else


@dataclass(frozen=True)
class Envelope:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    client_address: str = ""
    helo: str = ""
    queue_id: str = ""  # the Postfix queue id, from XFORWARD or the Received header
    mail_options: tuple[str, ...] = ()
    rcpt_options: tuple[tuple[str, ...], ...] = field(default=())

    @property
    def sender_domain(self) -> str:
        return domain_of(self.mail_from)


def domain_of(address: str) -> str:
    address = address.strip().strip("<>")
    return address.rpartition("@")[2].lower().rstrip(".") if "@" in address else ""


def _in_domains(domain: str, domains: tuple[str, ...]) -> bool:
    return any(domain == d or domain.endswith("." + d) for d in domains)


def classify(address: str, internal: tuple[str, ...], secure: tuple[str, ...]) -> RecipientClass:
    """Class of one address; subdomains count as their parent domain."""
    domain = domain_of(address)
    if domain and _in_domains(domain, internal):
        return RecipientClass.INTERNAL
    if domain and _in_domains(domain, secure):
        return RecipientClass.SECURE
    return RecipientClass.EXTERNAL
