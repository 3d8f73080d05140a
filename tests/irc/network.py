"""A real IRC network for the tests: InspIRCd linked to Atheme services on loopback.

Both daemons run in the foreground as child processes with configs and data
in a temporary directory; accounts are pre-seeded into Atheme's database so
no test pays for a NickServ REGISTER connection. Readiness is ``sasl`` showing
up in ``CAP LS``, which InspIRCd advertises only once Atheme has linked.
"""

from __future__ import annotations

import ctypes
import os
import resource
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tests.irc.certs import Certificate, make_certificate

INSPIRCD = "inspircd"
ATHEME = "atheme-services"

OPER_NAME = "root"
OPER_PASSWORD = "operpass1"

_INSPIRCD_CONF = """\
<config format="xml">
<server name="irc.test" description="forgebot test ircd" network="TestNet" id="001">
<admin name="t" nick="t" email="t@example.invalid">
<bind address="127.0.0.1" port="{cport}" type="clients">
<bind address="127.0.0.1" port="{sport}" type="servers">
<module name="ssl_gnutls">
<sslprofile name="tls" provider="gnutls" certfile="{d}/server.crt" keyfile="{d}/server.key"
            hash="sha256" requestclientcert="yes">
<bind address="127.0.0.1" port="{tport}" type="clients" sslprofile="tls">
<module name="sslinfo">
<connect name="main" allow="*" timeout="30" pingfreq="120"
         hardsendq="1048576" softsendq="1048576" recvq="65536"
         threshold="1000000" commandrate="100000000" fakelag="no"
         localmax="1000" globalmax="1000" useident="no"
         resolvehostnames="no" limit="5000" maxchans="100">
<dns server="127.0.0.1" timeout="1">
<pid file="{d}/inspircd.pid">
<log method="file" type="* -USERINPUT -USEROUTPUT" level="default" target="{d}/inspircd.log">
<options prefixquit="Quit: " syntaxhints="no">
<class name="Everything" commands="*" privs="*" usermodes="*" chanmodes="*" snomasks="*">
<type name="NetAdmin" classes="Everything">
<oper name="{oper}" password="{operpw}" host="*@*" type="NetAdmin">
<module name="cap">
<module name="ircv3">
<module name="monitor">
<monitor maxentries="30">
<ircv3 accountnotify="yes" awaynotify="yes" extendedjoin="yes">
<module name="ircv3_accounttag">
<module name="ircv3_chghost">
<module name="ircv3_servertime">
<module name="ircv3_ctctags">
<module name="ircv3_msgid">
<module name="ircv3_echomessage">
<module name="ircv3_capnotify">
<module name="sasl">
<sasl target="services.test">
<module name="services_account">
<module name="spanningtree">
<link name="services.test" ipaddr="127.0.0.1" port="{sport}" allowmask="127.0.0.0/8"
      sendpass="linkpw" recvpass="linkpw" timeout="30">
<uline server="services.test" silent="yes">
"""

_ATHEME_CONF = """\
loadmodule "modules/protocol/inspircd";
loadmodule "modules/backend/opensex";
loadmodule "modules/crypto/pbkdf2v2";
loadmodule "modules/nickserv/main";
loadmodule "modules/nickserv/register";
loadmodule "modules/nickserv/identify";
loadmodule "modules/nickserv/logout";
loadmodule "modules/nickserv/info";
loadmodule "modules/nickserv/help";
loadmodule "modules/saslserv/main";
loadmodule "modules/saslserv/plain";
loadmodule "modules/saslserv/external";
loadmodule "modules/nickserv/cert";
serverinfo {{ name = "services.test"; desc = "Atheme test"; numeric = "00A"; recontime = 1;
  netname = "TestNet"; hidehostsuffix = "users.test"; adminname = "t";
  adminemail = "t@example.invalid"; registeremail = "noreply@example.invalid";
  mta = "/bin/true"; loglevel = {{ all; }};
  maxlogins = 50; maxusers = 50; mdlimit = 30; emaillimit = 10; emailtime = 300;
  auth = none; casemapping = rfc1459; }};
uplink "irc.test" {{ host = "127.0.0.1"; port = {sport}; password = "linkpw"; }};
nickserv {{ nick = "NickServ"; user = "NickServ"; host = "services.test";
  real = "Nickname Services"; }};
saslserv {{ nick = "SaslServ"; user = "SaslServ"; host = "services.test"; real = "SASL"; }};
general {{ flood_msgs = 0; flood_time = 10; ratelimit_uses = 0; ratelimit_period = 0;
  kline_time = 7; commit_interval = 1; uplink_sendq_limit = 1048576; language = "en";
  exempts {{ }}; }};
logfile "{d}/atheme.log" {{ all; }};
"""


class NetworkUnavailable(RuntimeError):
    """The daemons are not installed."""


def missing_binaries() -> list[str]:
    return [name for name in (INSPIRCD, ATHEME, "openssl") if shutil.which(name) is None]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:
    # InspIRCd may dump core when stopped; never leave a core file behind.
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # A SIGKILLed pytest must not leave daemons behind (PR_SET_PDEATHSIG = 1).
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)
    except OSError:
        pass


def _seed_db(accounts: Mapping[str, str], certfps: Mapping[str, str]) -> str:
    # Plaintext passwords: an MU line without the C flag is compared as is.
    lines = ["DBV 12", "CF +AFHORVabefhioqrstv"]
    for i, (account, password) in enumerate(accounts.items(), start=1):
        lines.append(
            f"MU AAAAAAA{i:02d} {account} {password} {account}@example.org "
            "1700000000 1700000000 +b default"
        )
        lines.append(f"MN {account} {account} 1700000000 1700000000")
        if account in certfps:
            lines.append(f"MCFP {account} {certfps[account]}")
    lines += ["KID 0", "XID 0", "QID 0", ""]
    return "\n".join(lines)


@dataclass
class IrcNetwork:
    """InspIRCd + Atheme on 127.0.0.1; ``port`` is the client port."""

    accounts: dict[str, str]
    cert_accounts: tuple[str, ...] = ()  # accounts that get a client certificate
    directory: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="forgebot-irc-")))
    host: str = "127.0.0.1"
    port: int = 0
    link_port: int = 0
    tls_port: int = 0
    server_cert: Certificate | None = None
    client_certs: dict[str, Certificate] = field(default_factory=dict)
    _procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(self, timeout: float = 15.0) -> IrcNetwork:
        missing = missing_binaries()
        if missing:
            raise NetworkUnavailable(f"not installed: {', '.join(missing)}")
        try:
            self._start(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self, timeout: float) -> None:
        d = self.directory
        self.port, self.link_port, self.tls_port = free_port(), free_port(), free_port()
        self.server_cert = make_certificate(d, "server", server=True)
        for account in self.cert_accounts:
            self.client_certs[account] = make_certificate(d, account)
        certfps = {account: cert.fingerprint for account, cert in self.client_certs.items()}
        values = {"d": d, "cport": self.port, "sport": self.link_port, "tport": self.tls_port}
        (d / "inspircd.conf").write_text(
            _INSPIRCD_CONF.format(oper=OPER_NAME, operpw=OPER_PASSWORD, **values)
        )
        (d / "atheme.conf").write_text(_ATHEME_CONF.format(**values))
        (d / "adata").mkdir(exist_ok=True)
        (d / "adata" / "services.db").write_text(_seed_db(self.accounts, certfps))
        ircd = [INSPIRCD, "--nofork", "--nopid", f"--config={d}/inspircd.conf"]
        if os.geteuid() == 0:
            ircd.append("--runasroot")
        self._spawn(ircd, "inspircd.out")
        self._wait_listening(timeout)
        atheme = [ATHEME, "-n", "-c", f"{d}/atheme.conf", "-D", f"{d}/adata"]
        atheme += ["-l", f"{d}/atheme.out.log", "-p", f"{d}/atheme.pid"]
        self._spawn(atheme, "atheme.out")
        self._wait_sasl(timeout)

    def _spawn(self, argv: list[str], out: str) -> None:
        with open(self.directory / out, "wb") as log:
            self._procs.append(
                subprocess.Popen(
                    argv,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    cwd=self.directory,
                    preexec_fn=_die_with_parent,
                )
            )

    def _check_alive(self) -> None:
        for proc in self._procs:
            if proc.poll() is not None:
                name = str(proc.args[0] if isinstance(proc.args, list) else proc.args)
                raise RuntimeError(f"{name} exited with {proc.returncode}\n{self.logs()}")

    def _wait_listening(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._check_alive()
            try:
                socket.create_connection((self.host, self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.01)
        raise TimeoutError(f"inspircd did not listen in {timeout} s\n{self.logs()}")

    def _wait_sasl(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._check_alive()
            if "sasl" in self.cap_ls():
                return
            time.sleep(0.02)
        raise TimeoutError(f"services did not link in {timeout} s\n{self.logs()}")

    def cap_ls(self) -> str:
        """The server's ``CAP LS 302`` answer, from a throwaway raw connection."""
        with socket.create_connection((self.host, self.port), timeout=2) as sock:
            sock.sendall(b"CAP LS 302\r\n")
            data = b""
            while not data.endswith(b"\r\n") or b" LS " not in data:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                data += chunk
            sock.sendall(b"QUIT\r\n")
        return data.decode("utf-8", "replace")

    def logs(self, tail: int = 40) -> str:
        out = []
        for name in ("inspircd.out", "inspircd.log", "atheme.out", "atheme.log"):
            path = self.directory / name
            if path.exists():
                lines = path.read_text(errors="replace").splitlines()[-tail:]
                out.append(f"--- {name} ---\n" + "\n".join(lines))
        return "\n".join(out)

    def stop(self) -> None:
        # Services first, so the ircd does not log a split on its way down.
        for proc in reversed(self._procs):
            if proc.poll() is None:
                proc.terminate()
        for proc in reversed(self._procs):
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        self._procs.clear()
        shutil.rmtree(self.directory, ignore_errors=True)
