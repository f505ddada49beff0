"""Inbound TLS with client certificates: only a configured CA's certificate with a configured subject relays.

A local CA is made here (cryptography): it issues the gateway's own server
certificate, the connector's client certificate and one with another subject;
a second CA issues a certificate the gateway must not trust.
"""

from __future__ import annotations

import datetime
import ipaddress
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from gateway.errors import ConfigError
from tests.integration.servers import RecordingSink

pytestmark = pytest.mark.integration

CONNECTOR = "connector.mail.example.net"
RAW = b"From: student@example.ac.uk\r\nTo: friend@example.org\r\nSubject: hi\r\n\r\nhello\r\n"


@dataclass
class Ca:
    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey
    path: Path

    def issue(self, stem: Path, name: str, *, client: bool) -> tuple[Path, Path]:
        """A certificate for `name` (common name and DNS name) signed by this CA: (cert.pem, key.pem)."""
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.UTC)
        usage = ExtendedKeyUsageOID.CLIENT_AUTH if client else ExtendedKeyUsageOID.SERVER_AUTH
        sans: list[x509.GeneralName] = [x509.DNSName(name)]
        if not client:  # the tests connect to the gateway by address
            sans.append(x509.IPAddress(ipaddress.ip_address("127.0.0.1")))
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
            .issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName(sans), critical=False)
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), critical=False
            )
            .sign(self.key, hashes.SHA256())
        )
        return _write(stem, cert, key)


def _write(stem: Path, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> tuple[Path, Path]:
    cert_path, key_path = Path(f"{stem}.crt"), Path(f"{stem}.key")
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


def make_ca(folder: Path, name: str) -> Ca:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    path, _ = _write(folder / name, cert, key)
    return Ca(cert, key, path)


@pytest.fixture
def pki(tmp_path: Path) -> dict[str, Any]:
    ca, stranger = make_ca(tmp_path, "university-ca"), make_ca(tmp_path, "other-ca")
    return {
        "ca": ca,
        "server": ca.issue(tmp_path / "server", "localhost", client=False),
        "connector": ca.issue(tmp_path / "connector", CONNECTOR, client=True),
        "other subject": ca.issue(tmp_path / "other-subject", "someone-else.example.net", client=True),
        "other ca": stranger.issue(tmp_path / "other-ca-connector", CONNECTOR, client=True),
    }


def _gateway(make_gateway: Callable[..., Any], sink: RecordingSink, pki: dict[str, Any], **smtp: Any) -> Any:
    cert, key = pki["server"]
    options = {
        "tls_cert": str(cert),
        "tls_key": str(key),
        "tls_client_ca": str(pki["ca"].path),
        "tls_client_subjects": (CONNECTOR,),
        "tls_require_client_cert": True,
        **smtp,
    }
    return make_gateway(f"127.0.0.1:{sink.port}", next_hop_tls="none", **options)


def _client_tls(pki: dict[str, Any], which: str | None) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=str(pki["ca"].path))
    if which is not None:
        ctx.load_cert_chain(*pki[which])
    return ctx


def _session(port: int, pki: dict[str, Any], which: str | None) -> smtplib.SMTP:
    client = smtplib.SMTP("127.0.0.1", port, timeout=30)
    client.ehlo("connector.test")
    client.starttls(context=_client_tls(pki, which))
    return client


def test_configured_subject_from_the_configured_ca_relays(
    make_gateway: Callable[..., Any], make_recording_sink: Callable[..., RecordingSink], pki: dict[str, Any]
) -> None:
    """The connector's certificate (right CA, right subject) relays the message to the next hop."""
    sink = make_recording_sink()
    gw = _gateway(make_gateway, sink, pki)
    with _session(gw.port, pki, "connector") as client:
        assert client.ehlo("connector.test")[0] == 250
        assert client.sendmail("student@example.ac.uk", ["friend@example.org"], RAW) == {}
    assert [m.content for m in sink.messages] == [RAW]


@pytest.mark.parametrize("which", ["other subject", None], ids=["wrong subject", "no certificate"])
def test_wrong_subject_or_no_certificate_is_refused_after_the_handshake(
    make_gateway: Callable[..., Any],
    make_recording_sink: Callable[..., RecordingSink],
    pki: dict[str, Any],
    which: str | None,
) -> None:
    """After STARTTLS with another subject, or none when one is required, every command gets 554."""
    sink = make_recording_sink()
    gw = _gateway(make_gateway, sink, pki)
    with _session(gw.port, pki, which) as client:
        code, text = client.ehlo("connector.test")
        assert code == 554 and b"security" in text
        assert client.docmd("MAIL", "FROM:<student@example.ac.uk>")[0] == 554
    assert sink.messages == []


def test_no_starttls_is_refused_when_a_certificate_is_required(
    make_gateway: Callable[..., Any], make_recording_sink: Callable[..., RecordingSink], pki: dict[str, Any]
) -> None:
    """A client that never starts TLS gets 530 at MAIL: no transaction in clear."""
    sink = make_recording_sink()
    gw = _gateway(make_gateway, sink, pki)
    with smtplib.SMTP("127.0.0.1", gw.port, timeout=30) as client:
        assert client.ehlo("connector.test")[0] == 250
        code, text = client.docmd("MAIL", "FROM:<student@example.ac.uk>")
    assert code == 530 and b"STARTTLS" in text
    assert sink.messages == []


def test_certificate_from_another_ca_fails_the_handshake(
    make_gateway: Callable[..., Any], make_recording_sink: Callable[..., RecordingSink], pki: dict[str, Any]
) -> None:
    """A certificate with the right name from a CA not in tls_client_ca never completes TLS."""
    sink = make_recording_sink()
    gw = _gateway(make_gateway, sink, pki)
    client = smtplib.SMTP("127.0.0.1", gw.port, timeout=30)
    client.ehlo("connector.test")
    with pytest.raises((ssl.SSLError, smtplib.SMTPServerDisconnected, ConnectionError)):
        client.starttls(context=_client_tls(pki, "other ca"))
        client.ehlo("connector.test")
        client.docmd("MAIL", "FROM:<student@example.ac.uk>")
    client.close()
    assert sink.messages == []


def test_without_requirement_a_client_without_certificate_relays(
    make_gateway: Callable[..., Any], make_recording_sink: Callable[..., RecordingSink], pki: dict[str, Any]
) -> None:
    """tls_require_client_cert = false: a certificate is checked when presented, not demanded."""
    sink = make_recording_sink()
    gw = _gateway(make_gateway, sink, pki, tls_require_client_cert=False)
    with _session(gw.port, pki, None) as client:
        assert client.sendmail("student@example.ac.uk", ["friend@example.org"], RAW) == {}
    assert len(sink.messages) == 1


def test_client_certificates_without_a_ca_are_a_configuration_error(
    make_gateway: Callable[..., Any], make_recording_sink: Callable[..., RecordingSink], pki: dict[str, Any]
) -> None:
    """Subjects or a requirement without tls_client_ca would check nothing: refused at start."""
    sink = make_recording_sink()
    with pytest.raises(ConfigError, match="tls_client_ca"):
        _gateway(make_gateway, sink, pki, tls_client_ca="")
