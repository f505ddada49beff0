"""Where the milter listens: `[milter] listen` in the spellings operators use.

"host:port" or Postfix's "inet:host:port" for TCP; a path ("/run/gw.sock",
"./gw.sock") or "unix:/path" for a unix socket.
"""

from __future__ import annotations

from pathlib import Path

from gateway.config import parse_hostport
from gateway.errors import ConfigError


def parse_listen(value: str) -> tuple[str, int] | Path:
    """(host, port) for TCP, a Path for a unix socket."""
    value = value.strip()
    if value.startswith("unix:"):
        value = value[len("unix:") :]
        if not value:
            raise ConfigError("unix: needs a socket path", key="milter.listen")
        return Path(value)
    if value.startswith(("/", "./", "../")):
        return Path(value)
    if value.startswith("inet:"):
        value = value[len("inet:") :]
    return parse_hostport(value, key="milter.listen")
