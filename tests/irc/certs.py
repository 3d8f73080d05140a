"""Throwaway TLS certificates for the test network (server) and bots (SASL EXTERNAL)."""

from __future__ import annotations

import hashlib
import ssl
import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the DER certificate, hex: what InspIRCd reports and Atheme stores."""
        der = ssl.PEM_cert_to_DER_cert(self.cert.read_text())
        return hashlib.sha256(der).hexdigest()


def make_certificate(directory: Path, name: str, *, server: bool = False) -> Certificate:
    """A self-signed P-256 certificate; a server one is valid for 127.0.0.1 and irc.test."""
    cert, key = directory / f"{name}.crt", directory / f"{name}.key"
    argv = ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]
    argv += ["-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", f"/CN={name}"]
    if server:
        argv += ["-addext", "subjectAltName=IP:127.0.0.1,DNS:irc.test"]
    subprocess.run(argv, check=True, capture_output=True)
    return Certificate(cert, key)
