"""Typed settings, loaded from one TOML file plus GATEWAY_* environment overrides.

`Settings` and its sections are in gateway.config.sections, the loader in
gateway.config.load; this package is where the rest of the gateway imports
them from.
"""

from gateway.config.load import load_settings, parse_hostport, resolve_maildir
from gateway.config.sections import (
    DEFAULT_CONFIG,
    PROJECT_ROOT,
    DatabaseSettings,
    DetectSettings,
    DocumentSettings,
    DomainSettings,
    EtiquetteSettings,
    HospitalNumberPattern,
    LanguageSettings,
    LimitSettings,
    MetricsSettings,
    MilterSettings,
    NotifySettings,
    PipelineSettings,
    QuarantineSettings,
    Settings,
    SmtpSettings,
    WebSettings,
)

__all__ = [
    "DEFAULT_CONFIG",
    "PROJECT_ROOT",
    "DatabaseSettings",
    "DetectSettings",
    "DocumentSettings",
    "DomainSettings",
    "EtiquetteSettings",
    "HospitalNumberPattern",
    "LanguageSettings",
    "LimitSettings",
    "MetricsSettings",
    "MilterSettings",
    "NotifySettings",
    "PipelineSettings",
    "QuarantineSettings",
    "Settings",
    "SmtpSettings",
    "WebSettings",
    "load_settings",
    "parse_hostport",
    "resolve_maildir",
]
