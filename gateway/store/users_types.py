"""What the review UI knows of an account and a session: plain values (no database access).

gateway/store/users.py stores them; the web UI reads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gateway.store.db import Row

ROLES = ("reviewer", "admin")


class UserError(ValueError):
    """A request about an account that cannot be done (bad name, unknown user, weak password)."""


@dataclass(frozen=True)
class User:
    name: str
    role: str
    disabled: bool = False
    scope: tuple[str, ...] = ()  # sender domains this user reviews; empty = all
    created: str = ""
    last_login: str = ""
    mfa: bool = False

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def in_scope(self, sender_domain: str) -> bool:
        if not self.scope:
            return True
        d = sender_domain.lower()
        return any(d == s or d.endswith("." + s) for s in self.scope)


@dataclass(frozen=True)
class Session:
    user: User
    csrf: str
    created: float
    last_seen: float
    source: str
    revealed: dict[str, list[int]] = field(default_factory=dict)  # message id -> span numbers (-1: all)
    flash: str = ""


def user_of_row(r: Row) -> User:
    scope = tuple(s for s in str(r.get("scope") or "").split(",") if s)
    return User(
        name=str(r["name"]),
        role=str(r["role"]),
        disabled=bool(int(r["disabled"])),
        scope=scope,
        created=str(r.get("created") or ""),
        last_login=str(r.get("last_login") or ""),
        mfa=bool(r.get("totp_secret")),
    )
