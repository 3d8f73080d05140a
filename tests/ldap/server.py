"""A real OpenLDAP server for the tests: slapd on a loopback port, in a temporary directory.

The database is loaded with ``slapadd`` before slapd starts (thousands of
entries in a second), from an LDIF in Toolforge's shape (:mod:`tests.ldap.seed`).
The ppolicy overlay is loaded so that the password-policy attributes that
mark disabled accounts (``pwdAccountLockedTime``, ``pwdPolicySubentry``)
exist as they do in production. Anonymous users may not read: forgebot binds
as the proxy agent, as Cloud VPS clients do.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

SLAPD = "/usr/sbin/slapd"
SLAPADD = "/usr/sbin/slapadd"
SCHEMAS = Path("/etc/ldap/schema")
MODULES = Path("/usr/lib/ldap")
BASE_DN = "dc=wikimedia,dc=org"
ROOT_DN = f"cn=admin,{BASE_DN}"
ROOT_PASSWORD = "root-secret-for-tests"
PROXY_DN = f"cn=proxyagent,ou=profile,{BASE_DN}"
PROXY_PASSWORD = "proxyagent-password-for-tests"

_CONF = """\
include {schemas}/core.schema
include {schemas}/cosine.schema
include {schemas}/nis.schema
include {schemas}/inetorgperson.schema
pidfile {d}/slapd.pid
argsfile {d}/slapd.args
modulepath {modules}
moduleload back_mdb
moduleload ppolicy
sizelimit unlimited
database mdb
suffix "{base}"
rootdn "{root}"
rootpw {rootpw}
directory {d}/db
maxsize 268435456
overlay ppolicy
access to attrs=userPassword by anonymous auth by * none
access to * by users read by * none
"""


def missing_binaries() -> list[str]:
    """Debian packages the LDAP tests need that are not installed."""
    found = Path(SLAPD).exists() and Path(SLAPADD).exists() and (MODULES / "ppolicy.so").exists()
    return [] if found else ["slapd", "ldap-utils"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class SlapdServer:
    """slapd on ``port``; with ``tls`` (a certificate and key), also ldaps:// on ``tls_port``
    and StartTLS on ``port``."""

    ldif: str
    host: str = "127.0.0.1"
    port: int = 0
    tls: tuple[Path, Path] | None = None
    tls_port: int = 0
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="slapd-")))
    process: subprocess.Popen[bytes] | None = None

    @property
    def uri(self) -> str:
        return f"ldap://{self.host}:{self.port}"

    @property
    def tls_uri(self) -> str:
        return f"ldaps://{self.host}:{self.tls_port}"

    def start(self, within: float = 20.0) -> SlapdServer:
        d = self.workdir
        (d / "db").mkdir(exist_ok=True)
        conf = d / "slapd.conf"
        tls = ""
        if self.tls is not None:
            tls = f"TLSCertificateFile {self.tls[0]}\nTLSCertificateKeyFile {self.tls[1]}\n"
        conf.write_text(
            tls + _CONF.format(
                schemas=SCHEMAS, modules=MODULES, d=d, base=BASE_DN, root=ROOT_DN,
                rootpw=ROOT_PASSWORD,
            ),
            encoding="utf-8",
        )  # fmt: skip
        if not any((d / "db").iterdir()):
            seed = d / "seed.ldif"
            seed.write_text(self.ldif, encoding="utf-8")
            subprocess.run(
                [SLAPADD, "-q", "-f", str(conf), "-l", str(seed)],
                check=True, capture_output=True, timeout=120,
            )  # fmt: skip
        self.port = self.port or free_port()
        urls = f"{self.uri}/"
        if self.tls is not None:
            self.tls_port = self.tls_port or free_port()
            urls += f" {self.tls_uri}/"
        log = (d / "slapd.log").open("ab")
        self.process = subprocess.Popen(
            [SLAPD, "-f", str(conf), "-h", urls, "-d", "0"],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"slapd exited with {self.process.returncode}: {self.logs()}")
            try:
                with socket.create_connection((self.host, self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise TimeoutError(f"slapd did not listen on {self.uri} in {within} s: {self.logs()}")

    def stop(self) -> None:
        """Stop slapd; its database stays, so :meth:`start` brings the same data back."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
        self.process = None

    def pause(self, within: float = 60.0) -> None:
        """Freeze slapd (SIGSTOP): connections stay open and nothing answers.

        Returns once every thread of slapd is stopped: kill() only sends the signal,
        and on a busy machine a thread that was answering could still finish."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGSTOP)
        tasks = Path(f"/proc/{self.process.pid}/task")
        deadline = time.monotonic() + within
        while not all(_stopped(task) for task in tasks.iterdir()):
            if time.monotonic() > deadline:
                raise TimeoutError(f"slapd did not stop in {within} s")
            time.sleep(0.01)

    def resume(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGCONT)

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def logs(self) -> str:
        path = self.workdir / "slapd.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""


def _stopped(task: Path) -> bool:
    """Whether a thread (/proc/<pid>/task/<tid>) is stopped by a signal, or gone."""
    try:
        stat = (task / "stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "T"  # the state, after "(comm)"
