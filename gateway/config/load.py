"""Loading the settings: one TOML file plus GATEWAY_* environment overrides, checked.

The loader checks types and refuses unknown keys, naming the file and the
key. Relative paths resolve against the folder of the configuration file.
Any field can be overridden from the environment as GATEWAY_<SECTION>_<KEY>
(for example GATEWAY_DATABASE_URL, GATEWAY_QUARANTINE_KEY) or
GATEWAY_<KEY> for top-level keys (GATEWAY_STATE_DIR): that is how secrets
stay out of files.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import tomllib
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from gateway.config.sections import DEFAULT_CONFIG, Settings
from gateway.errors import ConfigError

_CHOICES: dict[str, tuple[str, ...]] = {
    "mode": ("enforce", "monitor"),
    "annotation_headers": ("internal_or_secure", "internal", "all", "none"),
    "smtp.next_hop_tls": ("none", "opportunistic", "required"),
    "milter.hold_action": ("quarantine-store", "postfix-hold"),
    "log_level": ("debug", "info", "warning", "error"),
}


def load_settings(path: str | Path | None = None, *, env: Mapping[str, str] | None = None) -> Settings:
    """Load and validate the configuration.

    With no path, config/gateway.toml in the working folder is used when it
    exists, the embedded defaults otherwise.
    """
    env = os.environ if env is None else env
    explicit = path is not None
    cfg_path = Path(path) if path is not None else DEFAULT_CONFIG
    data: dict[str, Any] = {}
    if cfg_path.exists():
        try:
            data = tomllib.loads(cfg_path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"not valid TOML: {exc}", file=str(cfg_path)) from exc
        except OSError as exc:
            raise ConfigError(f"cannot read: {exc}", file=str(cfg_path)) from exc
    elif explicit:
        raise ConfigError("configuration file not found", file=str(cfg_path))
    base = cfg_path.resolve().parent if cfg_path.exists() else Path.cwd()
    file_label = str(cfg_path)
    data = _apply_env(data, env, file_label)
    settings = _build(Settings, data, file_label, "", base)
    settings = dataclasses.replace(settings, config_file=str(cfg_path.resolve()) if cfg_path.exists() else "")
    _validate(settings, file_label)
    return settings


def _apply_env(data: dict[str, Any], env: Mapping[str, str], file_label: str) -> dict[str, Any]:
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in data.items()}
    hints = typing.get_type_hints(Settings)
    for f in dataclasses.fields(Settings):
        if f.metadata.get("internal"):
            continue
        hint = hints[f.name]
        if dataclasses.is_dataclass(hint):
            sub_hints = typing.get_type_hints(hint)
            for sf in dataclasses.fields(hint):
                var = f"GATEWAY_{f.name}_{sf.name}".upper()
                if var in env:
                    section = out.setdefault(f.name, {})
                    section[sf.name] = _from_env(env[var], sub_hints[sf.name], var)
        else:
            var = f"GATEWAY_{f.name}".upper()
            if var in env:
                out[f.name] = _from_env(env[var], hint, var)
    return out


def _from_env(raw: str, hint: Any, var: str) -> Any:
    origin = typing.get_origin(hint)
    if hint is bool:
        if raw.lower() in ("1", "true", "yes", "on"):
            return True
        if raw.lower() in ("0", "false", "no", "off", ""):
            return False
        raise ConfigError(f"expected true/false, got {raw!r}", file="environment", key=var)
    if hint is int:
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"expected an integer, got {raw!r}", file="environment", key=var) from None
    if hint is float:
        try:
            return float(raw)
        except ValueError:
            raise ConfigError(f"expected a number, got {raw!r}", file="environment", key=var) from None
    if origin is tuple:
        return [x.strip() for x in raw.split(",") if x.strip()]
    return raw


def _build(cls: Any, data: Any, file: str, prefix: str, base: Path) -> Any:
    if not isinstance(data, dict):
        raise ConfigError("expected a table", file=file, key=prefix or None)
    hints = typing.get_type_hints(cls)
    known = {f.name: f for f in dataclasses.fields(cls) if not f.metadata.get("internal")}
    for key in data:
        if key not in known:
            raise ConfigError(
                f"unknown key (known: {', '.join(sorted(known))})", file=file, key=f"{prefix}{key}"
            )
    kwargs: dict[str, Any] = {}
    for name, f in known.items():
        if name not in data:
            if f.metadata.get("path") and f.default:
                kwargs[name] = str((base / str(f.default)).resolve())
            continue
        kwargs[name] = _convert(
            data[name], hints[name], file, f"{prefix}{name}", base, bool(f.metadata.get("path"))
        )
    return cls(**kwargs)


def _convert(value: Any, hint: Any, file: str, key: str, base: Path, is_path: bool) -> Any:
    origin = typing.get_origin(hint)
    if dataclasses.is_dataclass(hint):
        return _build(hint, value, file, key + ".", base)
    if origin is tuple:
        (item_hint, _ellipsis) = typing.get_args(hint)
        if not isinstance(value, list):
            raise ConfigError("expected a list", file=file, key=key)
        return tuple(_convert(v, item_hint, file, f"{key}[{i}]", base, is_path) for i, v in enumerate(value))
    if origin in (types.UnionType, typing.Union):
        return value
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"expected true or false, got {value!r}", file=file, key=key)
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"expected an integer, got {value!r}", file=file, key=key)
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"expected a number, got {value!r}", file=file, key=key)
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(f"expected a string, got {value!r}", file=file, key=key)
        if is_path and value:
            return str((base / os.path.expanduser(value)).resolve())
        return value
    raise ConfigError(f"unsupported value {value!r}", file=file, key=key)  # pragma: no cover


def _validate(s: Settings, file: str) -> None:
    for key, choices in _CHOICES.items():
        obj: Any = s
        for part in key.split("."):
            obj = getattr(obj, part)
        if obj not in choices:
            raise ConfigError(f"must be one of {', '.join(choices)}, got {obj!r}", file=file, key=key)
    for section, networks in (("smtp", s.smtp.allowed_clients), ("milter", s.milter.allowed_clients)):
        for i, cidr in enumerate(networks):
            try:
                ipaddress.ip_network(cidr, strict=False)
            except ValueError:
                raise ConfigError(
                    f"not a network: {cidr!r}", file=file, key=f"{section}.allowed_clients[{i}]"
                ) from None
    for key, value in (
        ("smtp.listen", s.smtp.listen),
        ("metrics.listen", s.metrics.listen),
        ("web.listen", s.web.listen),
    ):
        if value:
            parse_hostport(value, file=file, key=key)
    hop = s.smtp.next_hop
    if hop.startswith("maildir:"):
        if not hop[len("maildir:") :]:
            raise ConfigError("maildir: needs a path", file=file, key="smtp.next_hop")
    elif hop.startswith("mx:"):
        if not hop[3:] or "." not in hop[3:]:
            raise ConfigError("mx: needs a domain name", file=file, key="smtp.next_hop")
    else:
        parse_hostport(hop, file=file, key="smtp.next_hop")
    for i, pat in enumerate(s.detect.hospital_numbers):
        import re

        try:
            re.compile(pat.pattern)
        except re.error as exc:
            raise ConfigError(
                f"bad pattern: {exc}", file=file, key=f"detect.hospital_numbers[{i}].pattern"
            ) from None
    for key, num in (
        ("smtp.max_message_size", s.smtp.max_message_size),
        ("smtp.max_sessions", s.smtp.max_sessions),
        ("smtp.command_timeout", s.smtp.command_timeout),
        ("smtp.stress_timeout", s.smtp.stress_timeout),
        ("smtp.data_timeout", s.smtp.data_timeout),
        ("smtp.session_timeout", s.smtp.session_timeout),
        ("quarantine.retention_days", s.quarantine.retention_days),
        ("frontend.processes", s.frontend.processes),
    ):
        if num <= 0:
            raise ConfigError("must be positive", file=file, key=key)
    if s.smtp.max_sessions_per_client < 0:
        raise ConfigError("must be 0 (off) or positive", file=file, key="smtp.max_sessions_per_client")


def parse_hostport(value: str, *, file: str = "", key: str = "") -> tuple[str, int]:
    """'host:port' or '[v6]:port' -> (host, port)."""
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ConfigError(f"expected host:port, got {value!r}", file=file or None, key=key or None)
    return host.strip("[]"), int(port)


def resolve_maildir(settings: Settings) -> Path:
    """The Maildir path of a maildir: next hop (relative to the config file's folder)."""
    raw = settings.smtp.next_hop[len("maildir:") :]
    base = Path(settings.config_file).parent if settings.config_file else Path.cwd()
    return (base / raw).resolve()
