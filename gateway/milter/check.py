"""The deploy check: is the MTA set up to fail closed when the milter is down?

A milter that cannot be reached is skipped by Postfix with
`milter_default_action = accept` and by Sendmail without `F=T` (or `F=R`):
mail then leaves unscanned. This module reads the MTA's configuration
(`postconf` output, sendmail.cf or the .mc source) and reports, for the
gateway's `[milter] listen` address:

- FAIL when the MTA would let mail through unscanned (or bounce it) when
  the milter is unreachable, or when the gateway is not on the mail route;
- WARN for settings that work but lose something (no non_smtpd_milters,
  protocol older than 6, a content timeout shorter than the PROGRESS interval).

`gateway milter check-postfix` and `gateway milter check-sendmail` print the
report (exit 1 on any FAIL). With `[milter] check_mta` set, `start_milter`
runs the same check and refuses to start on a FAIL. Pure parsing apart from
`run_postconf`.
"""

from __future__ import annotations

import argparse
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gateway.config import MilterSettings, Settings
from gateway.errors import ConfigError
from gateway.milter.address import parse_listen

FAIL_CLOSED = ("tempfail", "shutdown")
POSTCONF_PARAMS = (
    "mail_version",
    "smtpd_milters",
    "non_smtpd_milters",
    "milter_default_action",
    "milter_protocol",
    "milter_connect_timeout",
    "milter_command_timeout",
    "milter_content_timeout",
)
_LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]", "ip6-localhost"}


@dataclass(frozen=True)
class Check:
    level: str  # "ok", "warn", "fail"
    message: str

    def __str__(self) -> str:
        return f"{self.level.upper():4} {self.message}"


@dataclass(frozen=True)
class MilterEntry:
    endpoint: str  # "inet:host:port", "unix:/path"
    options: dict[str, str]


# --- addresses -------------------------------------------------------------------------------------


def _norm_host(host: str) -> str:
    host = host.strip().strip("[]").lower()
    return "loopback" if host in {h.strip("[]") for h in _LOOPBACK} else host


def our_endpoint(listen: str) -> tuple[str, str]:
    """("inet", "host:port") or ("unix", "/path") for `[milter] listen`."""
    where = parse_listen(listen)
    if isinstance(where, Path):
        return "unix", str(where)
    host, port = where
    return "inet", f"{_norm_host(host)}:{port}"


def postfix_endpoint(endpoint: str) -> tuple[str, str]:
    kind, _, rest = endpoint.partition(":")
    if kind == "inet":
        host, _, port = rest.rpartition(":")
        return "inet", f"{_norm_host(host)}:{port}"
    return ("unix" if kind in ("unix", "local") else kind), rest


def sendmail_endpoint(socket_spec: str) -> tuple[str, str]:
    """Sendmail's S= value: inet:PORT@HOST, inet6:PORT@HOST, unix:/path, local:/path."""
    kind, _, rest = socket_spec.strip().partition(":")
    if kind in ("inet", "inet6"):
        port, _, host = rest.partition("@")
        return "inet", f"{_norm_host(host or 'localhost')}:{port}"
    return ("unix" if kind in ("unix", "local") else kind), rest


def _same(ours: tuple[str, str], theirs: tuple[str, str]) -> bool:
    if ours[0] != theirs[0]:
        return False
    if ours[0] == "unix":
        # Postfix's chrooted smtpd names the socket relative to its queue directory
        return theirs[1] == ours[1] or ours[1].endswith(theirs[1])
    our_host, _, our_port = ours[1].rpartition(":")
    their_host, _, their_port = theirs[1].rpartition(":")
    return our_port == their_port and (our_host == their_host or our_host in ("0.0.0.0", "::", ""))


# --- Postfix -------------------------------------------------------------------------------------


def run_postconf(config_dir: str | None = None) -> str:
    cmd = ["postconf", "-x"] + (["-c", config_dir] if config_dir else []) + list(POSTCONF_PARAMS)
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ConfigError(f"cannot run postconf: {exc}", key="milter.check_mta") from None
    if r.returncode != 0 and not r.stdout:
        raise ConfigError(f"postconf failed: {r.stderr.strip()}", key="milter.check_mta")
    return r.stdout


def parse_postconf(text: str) -> dict[str, str]:
    """`name = value` lines (continuation lines start with whitespace) -> {name: value}."""
    out: dict[str, str] = {}
    last = ""
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line[0].isspace() and last:
            out[last] += " " + line.strip()
            continue
        name, sep, value = line.partition("=")
        if sep:
            last = name.strip()
            out[last] = value.strip()
    # saved output without `postconf -x`: expand $name and ${name} from the same output
    for _ in range(5):
        expanded = {k: _expand(v, out) for k, v in out.items()}
        if expanded == out:
            break
        out = expanded
    return out


def _expand(value: str, params: dict[str, str]) -> str:
    return re.sub(r"\$\{?(\w+)\}?", lambda m: params.get(str(m.group(1)), ""), value)


def parse_milters(value: str) -> list[MilterEntry]:
    """A Postfix milter list: endpoints separated by comma/space, or `{ endpoint, name=value ... }`."""
    out: list[MilterEntry] = []
    for m in re.finditer(r"\{([^}]*)\}|([^\s,{}]+)", value):
        if m.group(2):
            out.append(MilterEntry(m.group(2), {}))
            continue
        items = [x.strip() for x in re.split(r"[,\s]+", m.group(1).strip()) if x.strip()]
        if items:
            opts = dict(x.split("=", 1) for x in items[1:] if "=" in x)
            out.append(MilterEntry(items[0], {k.strip(): v.strip() for k, v in opts.items()}))
    return out


def _seconds(value: str) -> float | None:
    m = re.fullmatch(r"\s*(\d+)\s*([smhdw]?)\s*", value)
    if not m:
        return None
    return int(m.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}[m.group(2)]


def check_postfix(params: dict[str, str], settings: MilterSettings) -> list[Check]:
    ours = our_endpoint(settings.listen)
    out: list[Check] = []
    default = params.get("milter_default_action", "")
    if default in FAIL_CLOSED:
        out.append(Check("ok", f"milter_default_action = {default}: mail waits when the milter is down"))
    else:
        out.append(
            Check(
                "fail",
                f"milter_default_action = {default or '(unset)'}: set it to tempfail (or shutdown), "
                "otherwise mail is delivered unscanned or bounced when the milter is down",
            )
        )
    found = {}
    for param in ("smtpd_milters", "non_smtpd_milters"):
        for entry in parse_milters(params.get(param, "")):
            if not _same(ours, postfix_endpoint(entry.endpoint)):
                continue
            found[param] = entry
            action = entry.options.get("default_action")
            if action is not None and action not in FAIL_CLOSED:
                out.append(Check("fail", f"{param}: {entry.endpoint} overrides default_action={action}"))
    if "smtpd_milters" in found:
        out.append(Check("ok", f"smtpd_milters names the gateway ({found['smtpd_milters'].endpoint})"))
    else:
        out.append(
            Check(
                "fail",
                f"smtpd_milters does not name the gateway ({settings.listen}): SMTP mail is not scanned",
            )
        )
    if "non_smtpd_milters" in found:
        out.append(Check("ok", "non_smtpd_milters names the gateway"))
    else:
        out.append(
            Check("warn", "non_smtpd_milters does not name the gateway: mail from sendmail(1) is not scanned")
        )
    version = re.search(r"\d+", params.get("milter_protocol", "6"))
    if version and int(version.group()) < 6:
        out.append(
            Check(
                "warn", f"milter_protocol = {params['milter_protocol']}: 6 is faster (no per-command replies)"
            )
        )
    else:
        out.append(Check("ok", f"milter_protocol = {params.get('milter_protocol', '6')}"))
    content = _seconds(params.get("milter_content_timeout", "300s"))
    if content is not None and content > settings.progress_interval_seconds:
        out.append(
            Check(
                "ok",
                f"milter_content_timeout ({content:.0f}s) is longer than the gateway's PROGRESS interval "
                f"({settings.progress_interval_seconds:.0f}s)",
            )
        )
    elif content is not None:
        out.append(
            Check(
                "fail",
                f"milter_content_timeout ({content:.0f}s) is not longer than the gateway's PROGRESS interval "
                f"({settings.progress_interval_seconds:.0f}s): long scans would time out",
            )
        )
    return out


# --- Sendmail ------------------------------------------------------------------------------------

_CF_FILTER = re.compile(r"^X([^,\s]+),\s*(.*)$", re.MULTILINE)
_MC_FILTER = re.compile(r"INPUT_MAIL_FILTER\(\s*`?([^',)]+)'?\s*,\s*`?([^']*)'?\s*\)")


def _equates(spec: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in re.split(r",\s*(?=[A-Z]=)", spec):
        key, sep, value = part.partition("=")
        if sep:
            out[key.strip()] = value.strip()
    return out


def check_sendmail(text: str, settings: MilterSettings) -> list[Check]:
    """Check sendmail.cf (`Xname, S=..., F=T`) or the .mc source (`INPUT_MAIL_FILTER(...)`)."""
    ours = our_endpoint(settings.listen)
    filters = [(m.group(1), _equates(m.group(2))) for m in _CF_FILTER.finditer(text)]
    filters += [(m.group(1), _equates(m.group(2))) for m in _MC_FILTER.finditer(text)]
    mine = [(name, eq) for name, eq in filters if "S" in eq and _same(ours, sendmail_endpoint(eq["S"]))]
    if not mine:
        return [Check("fail", f"no mail filter with S= the gateway's address ({settings.listen})")]
    out: list[Check] = []
    for name, eq in mine:
        flags = eq.get("F", "")
        if "T" in flags:
            out.append(Check("ok", f"filter {name}: F=T, mail is tempfailed when the milter is down"))
        elif "R" in flags:
            out.append(
                Check("warn", f"filter {name}: F=R rejects mail when the milter is down; F=T defers it")
            )
        else:
            out.append(
                Check("fail", f"filter {name}: no F=T: Sendmail skips an unreachable filter (mail unscanned)")
            )
    return out


# --- start-up check and commands -------------------------------------------------------------------


def enforce(settings: MilterSettings) -> None:
    """`[milter] check_mta`: "" does nothing, "postfix" runs postconf here, a path reads sendmail.cf."""
    target = settings.check_mta
    if not target:
        return
    if target == "postfix" or target.startswith("postfix:"):
        results = check_postfix(parse_postconf(run_postconf(target.partition(":")[2] or None)), settings)
    else:
        try:
            text = Path(target).read_text(errors="replace")
        except OSError as exc:
            raise ConfigError(f"cannot read {target}: {exc}", key="milter.check_mta") from None
        results = check_sendmail(text, settings)
    failed = [r for r in results if r.level == "fail"]
    if failed:
        raise ConfigError(
            "the MTA does not fail closed: " + "; ".join(r.message for r in failed), key="milter.check_mta"
        )


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("milter", help="milter mode tools")
    sub = p.add_subparsers(dest="milter_command", required=True, metavar="ACTION")
    c = sub.add_parser("check-postfix", help="check that Postfix fails closed when the milter is down")
    c.add_argument(
        "-c", "--postfix-config", metavar="DIR", help="Postfix configuration directory (postconf -c)"
    )
    c.add_argument(
        "--postconf-output", metavar="FILE", help="read saved `postconf` output instead of running it"
    )
    c.set_defaults(func=cmd_check_postfix)
    s = sub.add_parser(
        "check-sendmail", help="check that Sendmail fails closed (F=T) when the milter is down"
    )
    s.add_argument("--cf", default="/etc/mail/sendmail.cf", help="sendmail.cf or the .mc source")
    s.set_defaults(func=cmd_check_sendmail)


def _report(results: list[Check]) -> int:
    for r in results:
        print(r)
    return 1 if any(r.level == "fail" for r in results) else 0


def _listen_or_fail(settings: Settings) -> MilterSettings:
    if not settings.milter.listen:
        raise ConfigError("set [milter] listen to the address the MTA should use", key="milter.listen")
    return settings.milter


def cmd_check_postfix(args: argparse.Namespace, settings: Settings) -> int:
    milter = _listen_or_fail(settings)
    if args.postconf_output:
        text = Path(args.postconf_output).read_text()
    else:
        text = run_postconf(args.postfix_config)
    return _report(check_postfix(parse_postconf(text), milter))


def cmd_check_sendmail(args: argparse.Namespace, settings: Settings) -> int:
    milter = _listen_or_fail(settings)
    try:
        text = Path(args.cf).read_text(errors="replace")
    except OSError as exc:
        print(f"FAIL cannot read {args.cf}: {exc}")
        return 1
    return _report(check_sendmail(text, milter))
