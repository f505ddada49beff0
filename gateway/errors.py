"""The gateway's one exception tree.

Front ends translate these into wire replies; nothing else builds SMTP or
milter answers. Foreign exceptions (aiosmtplib, psycopg, pypdf...) are
translated into one of these at the module that owns the library.
"""

from __future__ import annotations


class GatewayError(Exception):
    """Base of every error the gateway raises on purpose."""


class ConfigError(GatewayError):
    """The configuration (or a policy file) is invalid; names the file and the key."""

    def __init__(self, message: str, *, file: str | None = None, key: str | None = None) -> None:
        self.file = file
        self.key = key
        where = ": ".join(x for x in (file, key) if x)
        super().__init__(f"{where}: {message}" if where else message)


class PolicyError(ConfigError):
    """A policy file is invalid: names the file, the rule and the key."""

    def __init__(
        self, message: str, *, file: str | None = None, rule: str | None = None, key: str | None = None
    ) -> None:
        self.rule = rule
        rule_key = ".".join(x for x in (f"rule {rule!r}" if rule else None, key) if x) or None
        super().__init__(message, file=file, key=rule_key)


class DetectionError(GatewayError):
    """A detector could not run (model missing, internal failure)."""


class ExtractionError(GatewayError):
    """An attachment could not be read; becomes an `uninspectable` finding."""


class DeliveryError(GatewayError):
    """The next hop did not take the message."""

    def __init__(self, code: int, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(f"{code} {message}")


class TemporaryDeliveryError(DeliveryError):
    """4xx or no answer: the sender's MTA must keep the message and retry."""


class PermanentDeliveryError(DeliveryError):
    """5xx from the next hop: passed through to the client unchanged."""


class StoreError(GatewayError):
    """The quarantine, audit log or document registry failed."""


class PipelineTimeout(GatewayError):
    """Inspection did not finish before its deadline."""
