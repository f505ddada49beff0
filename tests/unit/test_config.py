"""Configuration: defaults, validation naming file and key, environment overrides, paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.config import load_settings
from gateway.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "gw.toml"
    p.write_text(text)
    return p


def test_shipped_config_loads() -> None:
    """config/gateway.toml as shipped is valid and uses a local Maildir next hop."""
    s = load_settings(Path(__file__).parents[2] / "config" / "gateway.toml")
    assert s.smtp.next_hop.startswith("maildir:")
    assert s.smtp.allowed_clients == ("127.0.0.0/8", "::1/128")
    assert s.milter.allowed_clients == ("127.0.0.0/8", "::1/128")


def test_relative_paths_resolve_against_config_folder(tmp_path: Path) -> None:
    """state_dir and policies are relative to the config file, not the working folder."""
    p = write(tmp_path, 'state_dir = "state"\npolicies = ["pol"]\n')
    s = load_settings(p)
    assert s.state_dir == str(tmp_path / "state")
    assert s.policy_paths == [tmp_path / "pol"]


def test_unknown_key_names_file_and_key(tmp_path: Path) -> None:
    """A typo in a key is refused with the file and the dotted key in the message."""
    p = write(tmp_path, "[smtp]\nlisten_on = '1.2.3.4:25'\n")
    with pytest.raises(ConfigError) as e:
        load_settings(p)
    assert str(p) in str(e.value) and "smtp.listen_on" in str(e.value)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[smtp]\nmax_sessions = 'many'\n", "smtp.max_sessions"),
        ("[smtp]\nallowed_clients = ['not-a-net']\n", "smtp.allowed_clients[0]"),
        ("[milter]\nallowed_clients = ['10.0.0.0/8', '10.1.2']\n", "milter.allowed_clients[1]"),
        ("[smtp]\nnext_hop = 'nowhere'\n", "smtp.next_hop"),
        ("[smtp]\nnext_hop = 'mx:'\n", "smtp.next_hop"),
        ("mode = 'relaxed'\n", "mode"),
        ("[domains]\ninternal = 'example.ac.uk'\n", "domains.internal"),
        (
            "[detect]\nhospital_numbers = [{name = 'x', pattern = '(['}]\n",
            "detect.hospital_numbers[0].pattern",
        ),
    ],
)
def test_bad_values_name_the_key(tmp_path: Path, text: str, key: str) -> None:
    """Wrong types and impossible values are errors naming the key."""
    with pytest.raises(ConfigError) as e:
        load_settings(write(tmp_path, text))
    assert key in str(e.value)


def test_environment_overrides_secrets(tmp_path: Path) -> None:
    """GATEWAY_<SECTION>_<KEY> overrides the file, with the field's type."""
    p = write(tmp_path, "[database]\nurl = ''\n[smtp]\nmax_sessions = 5\n")
    s = load_settings(
        p,
        env={
            "GATEWAY_DATABASE_URL": "postgresql://gw@db/x",
            "GATEWAY_SMTP_MAX_SESSIONS": "7",
            "GATEWAY_DOMAINS_INTERNAL": "a.ac.uk, b.ac.uk",
        },
    )
    assert s.database.url == "postgresql://gw@db/x"
    assert s.smtp.max_sessions == 7
    assert s.domains.internal == ("a.ac.uk", "b.ac.uk")


def test_bad_environment_value_is_named(tmp_path: Path) -> None:
    """A malformed override names the environment variable."""
    with pytest.raises(ConfigError, match="GATEWAY_SMTP_MAX_SESSIONS"):
        load_settings(write(tmp_path, ""), env={"GATEWAY_SMTP_MAX_SESSIONS": "lots"})


def test_missing_explicit_config_is_an_error(tmp_path: Path) -> None:
    """--config naming a file that does not exist is an error, not silent defaults."""
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.toml")


def test_invalid_toml_is_reported(tmp_path: Path) -> None:
    """A syntax error in the file is reported with the file name."""
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(write(tmp_path, "[smtp\n"))
