"""The official Toolforge CLIs from PyPI, in their own Python 3.13 environment.

The environment is kept in ``.venv-cli/`` at the top of the repository and
reused while the package list is the same; the tests skip, saying why, when
Python 3.13 or the packages cannot be had. The CLIs find the sandbox the way
they find the real gateway: ``TOOL_TOOLFORGE_API_URL`` (which toolforge-weld
prefers to its config files), a kubeconfig (``$KUBECONFIG``) whose namespace
``tool-<tool>`` names the tool and whose user holds a bearer token or a
client certificate, and a ``$HOME`` with no ``~/.toolforge.yaml`` of the
machine's owner in it. weld does not verify the gateway's certificate unless
the kubeconfig names a CA, so an https sandbox needs no trust set up.
"""

from __future__ import annotations

import asyncio
import glob
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".venv-cli"
PACKAGES = (
    "toolforge-jobs-cli>=16,<17",
    "toolforge-builds-cli",
    "toolforge-envvars-cli",
    "toolforge-logs-cli",
    "toolforge-weld",
)
INSTALL_TIMEOUT = 600
RUN_SECONDS = 60  # one CLI command, at most


def python313() -> str | None:
    """A Python 3.13 that runs ($FORGEBOT_PYTHON313, pyenv's versions, then $PATH)."""
    candidates = [os.environ.get("FORGEBOT_PYTHON313", "")]
    candidates += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.13*/bin/python3.13")))
    candidates.append(shutil.which("python3.13") or "")  # may be a pyenv shim that refuses
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            probe = subprocess.run([candidate, "--version"], capture_output=True, text=True)
            if probe.returncode == 0 and probe.stdout.startswith("Python 3.13"):
                return candidate
    return None


def install() -> Path:
    """The ``bin`` directory of an environment with the CLIs (skips the test when impossible)."""
    stamp = VENV / ".forgebot-packages"
    wanted = "\n".join(PACKAGES)
    if stamp.exists() and stamp.read_text() == wanted:
        return VENV / "bin"
    python = python313()
    if python is None:
        pytest.skip("the official Toolforge CLIs need Python 3.13, and there is none here")
    shutil.rmtree(VENV, ignore_errors=True)
    steps = [[python, "-m", "venv", str(VENV)], [str(VENV / "bin" / "pip"), "install", "-q",
             "--disable-pip-version-check", *PACKAGES]]  # fmt: skip
    for step in steps:
        try:
            done = subprocess.run(step, capture_output=True, text=True, timeout=INSTALL_TIMEOUT)
        except subprocess.TimeoutExpired:
            pytest.skip(f"installing the official Toolforge CLIs took over {INSTALL_TIMEOUT} s")
        if done.returncode != 0:
            why = (done.stderr.strip().splitlines() or ["no output"])[-1]
            pytest.skip(f"could not install the official Toolforge CLIs from PyPI: {why}")
    stamp.write_text(wanted)
    return VENV / "bin"


@dataclass
class Ran:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


class Clis:
    """Runs ``toolforge-<name>`` as a tool, against ``api_url``."""

    def __init__(self, bin_dir: Path, home: Path, api_url: str) -> None:
        self.bin = bin_dir
        self.home = home
        self.api_url = api_url

    def kubeconfig(self, tool: str, user: dict[str, str]) -> Path:
        path = self.home / f"kubeconfig-{tool}-{len(list(self.home.iterdir()))}"
        lines = [
            "apiVersion: v1", "kind: Config", "current-context: ctx",
            "clusters:", "- name: k8s", "  cluster: {server: 'https://127.0.0.1:1'}",
            "contexts:", "- name: ctx",
            f"  context: {{cluster: k8s, user: tool, namespace: tool-{tool}}}",
            "users:", "- name: tool", "  user:",
            *(f"    {key}: '{value}'" for key, value in user.items()),
        ]  # fmt: skip
        path.write_text("\n".join(lines) + "\n")
        return path

    def env(self, kubeconfig: Path) -> dict[str, str]:
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.home),
            "KUBECONFIG": str(kubeconfig),
            "TOOL_TOOLFORGE_API_URL": self.api_url,
            "LC_ALL": "C.UTF-8",
            "PYTHONUNBUFFERED": "1",  # a followed log line reaches the test as it is printed
        }

    async def start(
        self, kubeconfig: Path, program: str, *args: str
    ) -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            str(self.bin / f"toolforge-{program}"), *args,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, env=self.env(kubeconfig), cwd=self.home,
        )  # fmt: skip

    async def finish(self, process: asyncio.subprocess.Process) -> Ran:
        try:
            out, err = await asyncio.wait_for(process.communicate(), RUN_SECONDS)
        except TimeoutError:
            process.kill()
            await process.wait()
            raise
        assert process.returncode is not None
        return Ran(process.returncode, out.decode(), err.decode())

    async def run(self, kubeconfig: Path, program: str, *args: str) -> Ran:
        return await self.finish(await self.start(kubeconfig, program, *args))
