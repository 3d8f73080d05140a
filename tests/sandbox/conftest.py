"""Plain HTTP to the sandbox: these tests check the contract itself, not our client."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.toolforge.sandbox import Sandbox

JOBS = "/jobs/v1/tool/{}/jobs"


@pytest.fixture
async def http(sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=sandbox.base_url, timeout=5) as client:
        yield client


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A CA, a server certificate for 127.0.0.1 and client certificates, made by openssl."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command")
    home = tmp_path_factory.mktemp("pki")

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=home, check=True, capture_output=True)

    key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    openssl("req", "-x509", *key, "-keyout", "ca.key", "-out", "ca.crt", "-subj", "/CN=CA")
    (home / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    for name, subject in [
        ("server", "/CN=127.0.0.1"),
        ("sample-web", "/O=toolforge/CN=sample-web"),
        ("forgebot", "/CN=forgebot"),
    ]:
        openssl("req", *key, "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", subject)
        sign = ["-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "1"]
        extra = ["-extfile", "san.ext"] if name == "server" else []
        openssl("x509", "-req", "-in", f"{name}.csr", *sign, "-out", f"{name}.crt", *extra)
    return home
