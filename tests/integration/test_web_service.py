"""The review UI as a service: uvicorn in the caller's event loop, over HTTPS, stopping cleanly."""

from __future__ import annotations

import datetime
import ipaddress
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from gateway.errors import ConfigError
from gateway.store.db import Database
from gateway.store.quarantine import QuarantineStore
from gateway.store.users import UserStore, cheap_hasher
from gateway.web.service import start_web
from tests.quarantine_fixtures import make_store, settings_for

pytestmark = pytest.mark.integration


def _self_signed(tmp: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp / "cert.pem", tmp / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


@pytest.fixture
def store(tmp_path: Path) -> Iterator[QuarantineStore]:
    db = Database("", state_dir=tmp_path)
    yield make_store(db)
    db.close()


async def test_https_service_sets_secure_host_cookies_and_hsts(
    tmp_path: Path, store: QuarantineStore
) -> None:
    """Served over TLS, the UI sends HSTS and __Host- cookies marked Secure; close() stops it."""
    cert, key = _self_signed(tmp_path)
    settings = settings_for(tmp_path, web=f'listen = "127.0.0.1:0"\ntls_cert = "{cert}"\ntls_key = "{key}"')
    users = UserStore(store.db, hasher=cheap_hasher())
    users.migrate()
    service = await start_web(settings, None, store, None, users=users)
    try:
        assert service.url.startswith("https://127.0.0.1:")
        async with httpx.AsyncClient(verify=False) as client:
            r = await client.get(service.url + "/login")
        assert r.status_code == 200
        assert "max-age=" in r.headers["strict-transport-security"]
        cookie = r.headers["set-cookie"]
        assert cookie.startswith("__Host-gw_login=") and "Secure" in cookie and "HttpOnly" in cookie
        assert "server" not in r.headers
    finally:
        await service.close()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", service.port), timeout=2).close()


async def test_port_in_use_is_a_configuration_error(tmp_path: Path, store: QuarantineStore) -> None:
    """A listen address already taken is reported at start-up, naming web.listen."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        settings = settings_for(tmp_path, web=f'listen = "127.0.0.1:{port}"')
        with pytest.raises(ConfigError, match=r"web\.listen"):
            await start_web(settings, None, store, None)


async def test_short_call_without_next_hop_serves_but_refuses_release(
    tmp_path: Path, store: QuarantineStore
) -> None:
    """start_web(settings, quarantine) serves the UI; with no next hop a release is refused and the message stays held."""
    import re

    from tests.quarantine_fixtures import decision, envelope, message

    settings = settings_for(tmp_path, web='listen = "127.0.0.1:0"')
    users = UserStore(store.db, hasher=cheap_hasher())
    users.migrate()
    users.add("rita", "a long enough password", "reviewer")
    qid = store.hold(envelope(), message(), decision())
    service = await start_web(settings, store, users=users)
    try:
        async with httpx.AsyncClient(base_url=service.url) as c:
            page = await c.get("/login")
            token = re.search(r'name="login_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
            await c.post(
                "/login", data={"login_token": token, "name": "rita", "password": "a long enough password"}
            )
            view = await c.get(f"/messages/{qid}")
            csrf = re.search(r'name="csrf" value="([^"]+)"', view.text).group(1)  # type: ignore[union-attr]
            await c.post(f"/messages/{qid}/release", data={"csrf": csrf})
            after = await c.get(f"/messages/{qid}")
        assert "release is not available" in after.text
        assert store.get(qid).status == "held"  # type: ignore[union-attr]
    finally:
        await service.close()
