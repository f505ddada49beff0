"""The settings themselves: one frozen dataclass per section of config/gateway.toml.

Every key is a field here, with its default; gateway.config.load fills them
from the file and the environment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: where the repository keeps its shipped policies, guidance and templates
PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
DEFAULT_CONFIG = Path("config/gateway.toml")


def _path(default: str = "") -> Any:
    """A field holding a path: resolved against the configuration file's folder."""
    return field(default=default, metadata={"path": True})


@dataclass(frozen=True)
class DomainSettings:
    internal: tuple[str, ...] = ()
    secure: tuple[str, ...] = ()


@dataclass(frozen=True)
class SmtpSettings:
    listen: str = "127.0.0.1:10025"  # empty: no relay listener (milter-only)
    next_hop: str = "maildir:mail"  # "host:port", "mx:domain" or "maildir:PATH"
    allowed_clients: tuple[str, ...] = ("127.0.0.0/8", "::1/128")
    hostname: str = ""  # name in the greeting; the machine's name when empty
    max_message_size: int = 52_428_800  # 552 above this; keep >= Postfix message_size_limit
    max_sessions: int = 100  # 421 when saturated; keep >= the process limit of the Postfix service feeding it
    max_sessions_per_client: int = 0  # sessions from one address at once; 0 = only max_sessions
    command_timeout: float = 300.0  # each command within this of our last answer (Postfix smtpd_timeout)
    stress_timeout: float = 10.0  # when full: a client that sent no line for this long is cut first
    data_timeout: float = 600.0  # from 354 to the final dot
    session_timeout: float = 1800.0  # a whole session; one ending mid-answer is closed after the answer
    deadline_seconds: float = 80.0  # answer DATA within this (Postfix smtpd_proxy_timeout is 100 s)
    next_hop_timeout: float = 60.0  # per command to the next hop
    next_hop_tls: str = "opportunistic"  # "none", "opportunistic" or "required"
    next_hop_tls_verify: bool = True
    next_hop_ca_file: str = _path()
    tls_cert: str = _path()  # inbound STARTTLS when both are set
    tls_key: str = _path()
    tls_client_ca: str = _path()  # ask clients for a certificate from these CAs (gateway/relay/clientcert.py)
    tls_client_subjects: tuple[str, ...] = ()  # ... whose common name or DNS name is one of these
    tls_require_client_cert: bool = False  # no certificate: 530 before STARTTLS, 554 after
    dns_nameservers: tuple[str, ...] = ()  # for mx: next hops; system resolver when empty
    dns_port: int = 53


@dataclass(frozen=True)
class FrontendSettings:
    processes: int = (
        1  # front-end processes sharing the SMTP/milter ports (SO_REUSEPORT); gateway/frontend.py
    )


@dataclass(frozen=True)
class MetricsSettings:
    listen: str = "127.0.0.1:9108"  # Prometheus /metrics; empty disables


@dataclass(frozen=True)
class PipelineSettings:
    workers: int = 0  # inspection processes; 0 = one per CPU
    deadline_seconds: float = 60.0  # inspection budget per message; past it: 451
    max_worker_memory_mb: int = 2048  # address space (RLIMIT_AS) per worker; 0 = no cap. See docs/relay.md


@dataclass(frozen=True)
class LimitSettings:
    max_mime_depth: int = 20
    max_parts: int = 1000
    max_archive_depth: int = 3
    max_archive_entries: int = 1000
    max_expanded_bytes: int = 200_000_000
    max_expansion_ratio: int = 150
    max_text_chars: int = 5_000_000
    max_extract_seconds: float = 15.0  # reading attachments of one message; past it: uninspectable


@dataclass(frozen=True)
class HospitalNumberPattern:
    name: str
    pattern: str


@dataclass(frozen=True)
class DetectSettings:
    hospital_numbers: tuple[HospitalNumberPattern, ...] = ()  # trust-specific formats
    staff_directory: str = _path()  # a file of staff names (one per line), never patients
    own_phone_numbers: tuple[str, ...] = ()  # the university's own numbers
    own_postcodes: tuple[str, ...] = ()  # the university's own postcodes
    ner: bool = True  # spaCy on the windows that need it
    ocr: bool = False  # tesseract on images, when installed


@dataclass(frozen=True)
class DocumentSettings:
    organisation: str = "University of Example"
    markings: tuple[str, ...] = (
        "for internal use only",
        "internal use only",
        "not for distribution",
        "not for circulation",
        "confidential - not for onward transmission",
        "restricted circulation",
        "not to be reproduced",
        "not to be distributed",
        "do not distribute",
        "strictly confidential",
    )
    min_match_share: float = 0.2  # share of a registered document that makes a match
    min_match_words: int = 60  # words of a registered document that make an excerpt ("a few paragraphs")
    organisation_aliases: tuple[str, ...] = ()  # other names of the organisation in markings
    # restrictions that keep a document from students; they count on any university's document
    audience_markings: tuple[str, ...] = (
        "staff only",
        "faculty only",
        "examiners only",
        "examiner only",
        "examiner copy",
        "examiner's copy",
        "tutors only",
        "not for circulation to students",
        "not for distribution to students",
        "not to be shared with students",
        "not to be shared with candidates",
        "not for release to students",
    )
    reload_seconds: float = 5.0  # how often the registry (and the learned entries) are checked for changes


@dataclass(frozen=True)
class DatabaseSettings:
    url: str = ""  # empty: SQLite in state_dir; "postgresql://..." for shared stores


@dataclass(frozen=True)
class QuarantineSettings:
    retention_days: int = 30
    key: str = ""  # base64 key for encryption at rest; set it with GATEWAY_QUARANTINE_KEY
    key_file: str = _path()  # or a file holding the key; generated in state_dir when both are empty
    generate_key: bool = True  # false: a missing key stops the gateway instead of being generated
    purge_interval_minutes: int = 60


@dataclass(frozen=True)
class WebSettings:
    listen: str = "127.0.0.1:8025"  # empty disables the review UI
    public_url: str = ""  # links in reviewer alerts; http://<listen> when empty
    idle_timeout_minutes: int = 15
    absolute_timeout_hours: int = 8
    max_failed_logins: int = 5
    tls_cert: str = _path()
    tls_key: str = _path()
    tls_proxy: bool = False  # HTTPS is terminated by a reverse proxy on this host: Secure cookies, HSTS
    max_failed_logins_per_ip: int = 20  # failed logins from one address before it is throttled
    require_mfa: bool = False  # every role must use a TOTP authenticator (as if mfa_roles named all)
    mfa_roles: tuple[str, ...] = ("admin",)  # roles that must use one; sent to enrol it after login


@dataclass(frozen=True)
class NotifySettings:
    enabled: bool = True
    from_address: str = "compliance-gateway@localhost"
    on: tuple[str, ...] = ("hold", "reject", "annotate")
    contact: str = "the Professionalism Team"
    reviewer_role: str = "the Professionalism Team"
    reviewer_address: str = ""  # staff alerts; empty disables
    reviewer_digest_minutes: int = 0  # 0 = immediate
    check_address: str = ""  # e.g. check@example.ac.uk: scanned, answered, never delivered
    rate_limit_per_hour: int = 20
    guidance_dir: str = _path()  # config/guidance when empty
    templates_dir: str = _path()  # config/templates when empty
    from_name: str = "Email compliance check"  # display name of from_address
    envelope_sender: str = ""  # MAIL FROM of notifications; "" = the null sender <> (RFC 3834)
    timezone: str = "Europe/London"  # times shown in notifications
    on_review: tuple[str, ...] = ("released", "rejected")  # reviewer decisions that notify the sender


@dataclass(frozen=True)
class MilterSettings:
    listen: str = ""  # "host:port" or a unix socket path; empty disables
    hold_action: str = "quarantine-store"  # or "postfix-hold" (QUARANTINE into Postfix's hold queue)
    banner: bool = True  # annotate: put the policy's banner at the top of the text (body replacement)
    progress_interval_seconds: float = 10.0  # PROGRESS while a message is judged; at most 20
    deadline_seconds: float = 240.0  # judging one message (scan + quarantine) past this: TEMPFAIL
    idle_timeout_seconds: float = 900.0  # close an MTA connection silent for this long
    socket_mode: int = 0o660  # permissions of a unix socket listener
    allowed_clients: tuple[str, ...] = ("127.0.0.0/8", "::1/128")  # MTAs (CIDR) a TCP listener talks to
    check_mta: str = (
        ""  # refuse to start unless the MTA fails closed: "postfix[:CONFDIR]" or a sendmail.cf path
    )


@dataclass(frozen=True)
class LanguageSettings:
    profanity_model: bool = True  # alt-profanity-check adds confidence to language scores; it never decides
    extra_allow_lists: tuple[str, ...] = field(
        default=(), metadata={"path": True}
    )  # more allow-list files (word-list format): local place names, surnames


@dataclass(frozen=True)
class EtiquetteSettings:
    all_caps_min_letters: int = (
        80  # the sender's own text needs this many letters to be "a message in capitals"
    )
    all_caps_share: float = 0.8  # ... and this share of them in capitals
    max_external_recipients: int = 10  # more external addresses visible in To/Cc is a finding


@dataclass(frozen=True)
class Settings:
    state_dir: str = _path("var")
    mode: str = "enforce"  # "enforce" or "monitor"
    # who gets the X-Compliance-* headers: "internal_or_secure", "internal", "all" or "none"
    annotation_headers: str = "internal_or_secure"
    policies: tuple[str, ...] = field(
        default=(), metadata={"path": True}
    )  # *.yaml files/folders; shipped policies/ when empty
    log_level: str = "info"
    domains: DomainSettings = DomainSettings()
    smtp: SmtpSettings = SmtpSettings()
    frontend: FrontendSettings = FrontendSettings()
    metrics: MetricsSettings = MetricsSettings()
    pipeline: PipelineSettings = PipelineSettings()
    limits: LimitSettings = LimitSettings()
    detect: DetectSettings = DetectSettings()
    documents: DocumentSettings = DocumentSettings()
    database: DatabaseSettings = DatabaseSettings()
    quarantine: QuarantineSettings = QuarantineSettings()
    web: WebSettings = WebSettings()
    notify: NotifySettings = NotifySettings()
    milter: MilterSettings = MilterSettings()
    language: LanguageSettings = LanguageSettings()
    etiquette: EtiquetteSettings = EtiquetteSettings()
    config_file: str = field(default="", metadata={"internal": True})

    @property
    def state_path(self) -> Path:
        return Path(self.state_dir)

    @property
    def policy_paths(self) -> list[Path]:
        if self.policies:
            return [Path(p) for p in self.policies]
        return [PROJECT_ROOT / "policies"]
