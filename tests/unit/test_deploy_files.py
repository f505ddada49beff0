"""The container and compose files: what they promise, checked without a Docker engine."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
import yaml

from gateway.config import Settings, load_settings

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text()
COMPOSE = ROOT / "deploy" / "compose.yaml"


def _dockerfile_env() -> dict[str, str]:
    block = DOCKERFILE[DOCKERFILE.index("FROM ${PYTHON}\n") :]
    return dict(re.findall(r"\b(GATEWAY_[A-Z_]+)=(\S+?)(?:\s*\\)?$", block, flags=re.MULTILINE))


def _env_file(path: Path) -> dict[str, str]:
    lines = [ln for ln in path.read_text().splitlines() if ln.strip() and not ln.startswith("#")]
    return dict(ln.split("=", 1) for ln in lines)


def _known_variables() -> set[str]:
    names = set()
    for f in dataclasses.fields(Settings):
        if dataclasses.is_dataclass(f.default):
            names |= {f"GATEWAY_{f.name}_{sub.name}".upper() for sub in dataclasses.fields(f.default)}
        else:
            names.add(f"GATEWAY_{f.name}".upper())
    return names


def test_image_build_runs_the_same_install_script_as_make() -> None:
    """`make install` and the image both install through scripts/install-gateway (the build cannot drift)."""
    makefile = (ROOT / "Makefile").read_text()
    assert "sh scripts/install-gateway $(PYTHON) $(VENV) test" in makefile
    assert 'RUN sh scripts/install-gateway python /opt/gateway ""' in DOCKERFILE
    assert "pip install" not in DOCKERFILE  # no second, diverging list of build steps


def test_healthcheck_calls_gateway_health() -> None:
    """The image's HEALTHCHECK runs `gateway health`, not a bare port probe that passes on 554."""
    [check] = re.findall(r"HEALTHCHECK .*?\n\s+CMD (.*)", DOCKERFILE)
    assert '"gateway", "--config", "/etc/gateway/gateway.toml", "health"' in check
    assert "554" not in DOCKERFILE.split("HEALTHCHECK", 1)[1]


def test_image_defaults_are_safe() -> None:
    """Milter port exposed, review UI on the loopback address, no key generated into the volume."""
    env = _dockerfile_env()
    assert env["GATEWAY_WEB_LISTEN"].startswith("127.0.0.1:")
    assert env["GATEWAY_QUARANTINE_GENERATE_KEY"] == "false"
    assert env["GATEWAY_MILTER_LISTEN"].endswith(":8891")
    [exposed] = re.findall(r"^EXPOSE (.*)$", DOCKERFILE, flags=re.MULTILINE)
    assert "8891" in exposed.split() and "8025" not in exposed.split()


def test_image_environment_is_valid_configuration(tmp_path: Path) -> None:
    """Every GATEWAY_* variable the image sets is a real setting with a valid value."""
    env = {
        **_dockerfile_env(),
        "GATEWAY_STATE_DIR": str(tmp_path),
        "GATEWAY_POLICIES": str(ROOT / "policies"),
    }
    assert set(env) <= _known_variables()
    s = load_settings(ROOT / "config" / "gateway.toml", env=env)
    assert s.quarantine.generate_key is False and s.milter.listen == "0.0.0.0:8891"


def test_compose_file_is_valid_and_keeps_secrets_out() -> None:
    """deploy/compose.yaml parses, runs the gateway with PostgreSQL, and takes the key from a secret."""
    doc = yaml.safe_load(COMPOSE.read_text())
    gateway, postgres = doc["services"]["gateway"], doc["services"]["postgres"]
    assert postgres["image"].startswith("postgres:")
    assert gateway["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert gateway["environment"]["GATEWAY_QUARANTINE_KEY_FILE"] == "/run/secrets/quarantine_key"
    assert "quarantine_key" in gateway["secrets"] and "quarantine_key" in doc["secrets"]
    assert "GATEWAY_QUARANTINE_KEY" not in gateway["environment"]
    assert any(str(p).startswith("127.0.0.1:") and str(p).endswith(":9108") for p in gateway["ports"])


def test_compose_runs_the_review_ui_in_its_own_service_over_https() -> None:
    """The review UI is `gateway web` in a service of its own, over HTTPS; the mail process serves no UI."""
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    gateway, review = services["gateway"], services["review"]
    assert gateway["environment"]["GATEWAY_WEB_LISTEN"] == ""
    assert review["command"] == ["web"]
    assert review["environment"]["GATEWAY_WEB_TLS_CERT"] and review["environment"]["GATEWAY_WEB_TLS_KEY"]
    assert review["environment"]["GATEWAY_QUARANTINE_KEY_FILE"] == "/run/secrets/quarantine_key"
    assert "workers" in review["healthcheck"]["test"]  # skipped: the UI process has no inspection workers


@pytest.mark.parametrize("source", ["compose", "compose-review", "env.example"])
def test_compose_environment_is_valid_configuration(tmp_path: Path, source: str) -> None:
    """The compose file's and the example env file's GATEWAY_* variables load as settings."""
    if source.startswith("compose"):
        service = "review" if source == "compose-review" else "gateway"
        env = dict(yaml.safe_load(COMPOSE.read_text())["services"][service]["environment"])
    else:
        env = _env_file(ROOT / "deploy" / "gateway.env.example")
    env = {**env, "GATEWAY_STATE_DIR": str(tmp_path)}
    assert set(env) <= _known_variables()
    s = load_settings(ROOT / "config" / "gateway.toml", env=env)
    assert s.state_dir == str(tmp_path)
