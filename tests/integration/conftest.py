"""Fixtures for integration tests: real servers on 127.0.0.1, stopped after each test.

Factories (call them as often as a test needs; everything started is stopped):

    make_postfix(relayhost="127.0.0.1:PORT", extra_main_cf={...}, extra_master_cf=[...]) -> Postfix
    make_sink(options=[...], host="127.0.0.1", port=None) -> SmtpSink          (Postfix's smtp-sink)
    make_recording_sink(refuse={...}, data_reply=None, tls_context=None) -> RecordingSink  (aiosmtpd)
    make_gateway(next_hop, pipeline=None, findings=(), policy=TEST_POLICY, quarantine=None, **smtp) -> GatewayThread
    make_gateway_process(next_hop, **smtp) -> GatewayProcess                  (`gateway serve`)
    make_dns({(name, type): [rdata, ...]}) -> DnsServer

Tests that need Postfix's programs ask for the `postfix_tools` fixture, which skips
when they are missing (`make test` installs them) or when not running as root.
"""

from __future__ import annotations

import datetime
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from gateway.model import Finding
from tests.integration.gateway_doubles import TEST_POLICY, inspecting_pipeline, relay_settings
from tests.integration.servers import (
    POSTFIX,
    SMTP_SINK,
    SMTP_SOURCE,
    DnsServer,
    GatewayProcess,
    GatewayThread,
    Postfix,
    RecordingSink,
    SmtpSink,
    free_port,
    have,
    write_config,
)


@pytest.fixture
def postfix_tools() -> None:
    if not have(POSTFIX, SMTP_SINK, SMTP_SOURCE):
        pytest.skip("Postfix, smtp-sink and smtp-source are needed (make test installs them)")
    if os.geteuid() != 0:
        pytest.skip("a private Postfix instance needs root here")


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A scratch folder the `postfix` and `nobody` users can reach.

    Not under tmp_path: pytest resets /tmp/pytest-of-root to mode 700 whenever any
    pytest run starts, which would lock Postfix and smtp-sink out mid-test.
    """
    path = Path(tempfile.mkdtemp(prefix="gateway-it-", dir="/tmp"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def make_sink(shared_dir: Path, postfix_tools: None) -> Iterator[Callable[..., SmtpSink]]:
    started: list[SmtpSink] = []

    def factory(
        options: list[str] | None = None, host: str = "127.0.0.1", port: int | None = None
    ) -> SmtpSink:
        sink = SmtpSink(shared_dir / f"sink{len(started)}", host=host, port=port, options=options or [])
        started.append(sink)
        return sink.start()

    yield factory
    for s in started:
        s.stop()


@pytest.fixture
def make_recording_sink() -> Iterator[Callable[..., RecordingSink]]:
    started: list[RecordingSink] = []

    def factory(**kwargs: Any) -> RecordingSink:
        sink = RecordingSink(**kwargs)
        started.append(sink)
        return sink.start()

    yield factory
    for s in started:
        s.stop()


@pytest.fixture
def make_postfix(shared_dir: Path, postfix_tools: None) -> Iterator[Callable[..., Postfix]]:
    started: list[Postfix] = []

    def factory(
        relayhost: str = "",
        *,
        extra_main_cf: Mapping[str, str] | None = None,
        extra_master_cf: list[str] | tuple[str, ...] = (),
    ) -> Postfix:
        pf = Postfix(
            shared_dir / f"postfix{len(started)}",
            relayhost=relayhost,
            extra_main_cf=extra_main_cf,
            extra_master_cf=extra_master_cf,
        )
        started.append(pf)
        return pf.start()

    yield factory
    for pf in started:
        pf.stop()


@pytest.fixture
def make_gateway(tmp_path: Path) -> Iterator[Callable[..., GatewayThread]]:
    started: list[GatewayThread] = []

    def factory(
        next_hop: str,
        *,
        pipeline: Any = None,
        findings: tuple[Finding, ...] = (),
        policy: str = TEST_POLICY,
        quarantine: Any = None,
        metrics: Any = None,
        **smtp: Any,
    ) -> GatewayThread:
        settings = relay_settings(tmp_path, next_hop, **smtp)
        pipeline = pipeline or inspecting_pipeline(settings, tmp_path, findings, policy)
        gw = GatewayThread(settings, pipeline, quarantine=quarantine, metrics=metrics)
        started.append(gw)
        return gw.start()

    yield factory
    for gw in started:
        gw.stop()


@pytest.fixture
def make_gateway_process(tmp_path: Path) -> Iterator[Callable[..., GatewayProcess]]:
    """`gateway serve` with an empty policy and no web UI, metrics or milter."""
    started: list[GatewayProcess] = []

    def factory(next_hop: str, *, port: int | None = None, workers: int = 1, **smtp: Any) -> GatewayProcess:
        port = port or free_port()
        policy = tmp_path / "policies" / "empty.yaml"
        policy.parent.mkdir(exist_ok=True)
        policy.write_text("rules: []\n")
        config = write_config(
            tmp_path / f"gateway{len(started)}.toml",
            {
                "state_dir": str(tmp_path / "state"),
                "policies": [str(policy.parent)],
                "smtp": {
                    "listen": f"127.0.0.1:{port}",
                    "next_hop": next_hop,
                    "hostname": "gateway.test",
                    **smtp,
                },
                "metrics": {"listen": ""},
                "web": {"listen": ""},
                "pipeline": {"workers": workers},
            },
        )
        gw = GatewayProcess(config, port=port, log_path=tmp_path / f"gateway{len(started)}.log")
        started.append(gw)
        return gw.start()

    yield factory
    for gw in started:
        gw.stop()


@pytest.fixture
def make_dns() -> Iterator[Callable[..., DnsServer]]:
    started: list[DnsServer] = []

    def factory(records: Mapping[tuple[str, str], list[str]]) -> DnsServer:
        dns = DnsServer(records)
        started.append(dns)
        return dns.start()

    yield factory
    for d in started:
        d.stop()


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 'localhost' and its key (PEM files), for TLS tests."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path
