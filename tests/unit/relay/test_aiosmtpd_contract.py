"""The relay overrides and calls private parts of aiosmtpd's SMTP; an upgrade that changes them must fail here.

GatewaySMTP (gateway/relay/smtp.py) relies on these names and signatures of
aiosmtpd 1.4.x. pyproject.toml pins aiosmtpd to that minor version; when it is
raised, this test says what to re-check before the relay can be trusted with mail.
"""

from __future__ import annotations

import inspect
from importlib.metadata import version

import aiosmtpd.smtp
import pytest
from aiosmtpd.smtp import SMTP

#: private method -> its parameters, as GatewaySMTP overrides or calls it
PRIVATE_METHODS = {
    "_create_session": ["self"],
    "_create_envelope": ["self"],
    "_call_handler_hook": ["self", "command", "args"],
    "_timeout_cb": ["self"],
    "_handle_client": ["self"],
    "_reset_timeout": ["self", "duration"],
    "_set_rset_state": ["self"],
    "_set_post_data_state": ["self"],
    "_getaddr": ["self", "arg"],
    "_strip_command_keyword": ["self", "keyword", "arg"],
}

#: private attributes GatewaySMTP reads, set in SMTP's code
PRIVATE_ATTRIBUTES = ["_reader", "_timeout_handle"]


def test_pinned_minor_version() -> None:
    """The relay is verified against aiosmtpd 1.4 (>= 1.4.6 for CVE-2024-27305 and CVE-2024-34083)."""
    major, minor, patch = (int(x) for x in version("aiosmtpd").split(".")[:3])
    assert (major, minor) == (1, 4) and patch >= 6


@pytest.mark.parametrize(("name", "params"), PRIVATE_METHODS.items())
def test_private_methods_keep_their_shape(name: str, params: list[str]) -> None:
    """Each private method the relay overrides or calls still exists with the same parameters."""
    method = getattr(SMTP, name)
    assert list(inspect.signature(method).parameters) == params


@pytest.mark.parametrize("name", PRIVATE_ATTRIBUTES)
def test_private_attributes_still_set(name: str) -> None:
    """Each private attribute the relay reads is still assigned by aiosmtpd's SMTP."""
    assert f"self.{name} =" in inspect.getsource(aiosmtpd.smtp)
