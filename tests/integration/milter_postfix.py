"""A private Postfix instance and an smtp-sink, for the milter tests and benchmark.

Written for the milter work before the shared fixtures existed
(tests/integration/servers.py); to be consolidated with them. Facts from
shared/reference/test-servers.md: a private config folder with its own
queue and data folders, logging to a file (maillog_file and
maillog_file_prefixes), data_directory owned by postfix, parents traversable.
Every service runs without chroot so nothing needs copying into the queue.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

POSTFIX = shutil.which("postfix") or "/usr/sbin/postfix"
SMTP_SINK = shutil.which("smtp-sink") or "/usr/sbin/smtp-sink"
SMTP_SOURCE = shutil.which("smtp-source") or "/usr/sbin/smtp-source"


def available() -> bool:
    return all(os.path.exists(p) for p in (POSTFIX, SMTP_SINK, SMTP_SOURCE)) and os.geteuid() == 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(check: Callable[[], bool], timeout: float = 30.0, interval: float = 0.05) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(interval)
    return check()


def _master_cf(port: int) -> str:
    out = []
    for line in Path("/etc/postfix/master.cf").read_text().splitlines():
        fields = line.split()
        if line and not line[0].isspace() and not line.startswith("#") and len(fields) >= 8:
            if fields[0] == "smtp" and fields[1] == "inet":
                fields[0] = f"127.0.0.1:{port}"
            fields[4] = "n"  # no chroot: the private queue has no copies of /etc files
            line = "  ".join(fields)
        out.append(line)
    return "\n".join(out) + "\n"


class PrivatePostfix:
    """`postfix -c DIR` listening on 127.0.0.1:port, relaying everything to relay_port."""

    def __init__(
        self, root: Path, *, port: int, relay_port: int, extra: dict[str, str] | None = None
    ) -> None:
        self.root = root
        self.port = port
        self.conf = root / "conf"
        self.queue = root / "queue"
        self.data = root / "data"
        self.log_file = root / "maillog"
        self.settings = {
            "compatibility_level": "3.6",
            "queue_directory": str(self.queue),
            "data_directory": str(self.data),
            "inet_interfaces": "127.0.0.1",
            "inet_protocols": "ipv4",
            "myhostname": "mta.test.invalid",
            "mydestination": "",
            "relayhost": f"[127.0.0.1]:{relay_port}",
            "mynetworks": "127.0.0.0/8",
            "alias_maps": "",
            "alias_database": "",
            "maillog_file": str(self.log_file),
            "maillog_file_prefixes": str(root),
            "smtpd_relay_restrictions": "permit_mynetworks, reject",
            "smtp_host_lookup": "native",
            "disable_dns_lookups": "yes",
            "smtpd_client_restrictions": "",
            "smtpd_peername_lookup": "no",
            "smtp_tls_security_level": "none",
            "smtpd_tls_security_level": "none",
            "queue_run_delay": "1s",
            "minimal_backoff_time": "1s",
            "maximal_backoff_time": "2s",
            "qmgr_message_active_limit": "20000",
            "default_process_limit": "100",
        }
        self.settings.update(extra or {})

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o755)
        self.conf.mkdir(exist_ok=True)
        self.data.mkdir(exist_ok=True)
        self.queue.mkdir(exist_ok=True)
        shutil.chown(self.data, "postfix")
        (self.conf / "master.cf").write_text(_master_cf(self.port))
        (self.conf / "main.cf").write_text("".join(f"{k} = {v}\n" for k, v in self.settings.items()))
        self._run([POSTFIX, "-c", str(self.conf), "start"])
        if not wait_until(self._listening, timeout=20):
            raise RuntimeError(f"postfix did not listen on {self.port}:\n{self.maillog()}")

    def _listening(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
        except OSError:
            return False

    def stop(self) -> None:
        subprocess.run([POSTFIX, "-c", str(self.conf), "stop"], capture_output=True, timeout=60)
        # `postfix stop` returns before every child has gone; wait for the port to close
        wait_until(lambda: not self._listening(), timeout=10)

    def _run(self, cmd: list[str]) -> str:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed ({r.returncode}): {r.stderr}\n{self.maillog()}")
        return r.stdout

    def maillog(self) -> str:
        try:
            return self.log_file.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def queued(self) -> list[dict[str, object]]:
        """`postqueue -j`: one dict per message in any queue (maildrop, incoming, active, deferred, hold)."""
        out = subprocess.run(
            ["postqueue", "-c", str(self.conf), "-j"], capture_output=True, text=True, timeout=60
        ).stdout
        return [json.loads(line) for line in out.splitlines() if line.strip()]

    def flush(self) -> None:
        """Retry the deferred queue now."""
        self._quiet(["postqueue", "-c", str(self.conf), "-f"])

    def kick_pickup(self) -> None:
        """Make pickup scan the maildrop queue now (sendmail(1) mail it could not take before)."""
        self._quiet(["postkick", "-c", str(self.conf), "public", "pickup", "W"])

    def _quiet(self, cmd: list[str]) -> None:
        # no pipes: a daemon woken by the command may inherit them and keep them open
        subprocess.run(
            cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60
        )

    def log_lines(self, pattern: str) -> list[str]:
        rx = re.compile(pattern)
        return [line for line in self.maillog().splitlines() if rx.search(line)]


class SmtpSink:
    """`smtp-sink -d DIR/%M.`: every message it receives is dumped into its own file in DIR."""

    def __init__(self, root: Path, port: int, *, dump: bool = True) -> None:
        self.dir = root / "sink"
        self.port = port
        self.dump = dump
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        shutil.chown(self.dir, "nobody")
        cmd = [SMTP_SINK, "-u", "nobody"]
        if self.dump:
            cmd += ["-d", f"{self.dir}/%M."]
        cmd += [f"127.0.0.1:{self.port}", "256"]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not wait_until(self._listening, timeout=10):
            raise RuntimeError("smtp-sink did not start")

    def _listening(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
        except OSError:
            return False

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None

    def messages(self) -> list[bytes]:
        """Each dumped message (envelope lines X-Mail-Args/X-Rcpt-Args first, then the message)."""
        return [p.read_bytes() for p in sorted(self.dir.iterdir()) if p.is_file()]

    def find(self, marker: bytes) -> list[bytes]:
        return [m for m in self.messages() if marker in m]
