"""The build service's part of a deployment, on this machine: the checkout and its virtualenv.

As the Python buildpack does it: the repository's files as git has them (the
build clones it), a virtualenv of the Python named in ``.python-version``, and
``pip install -r requirements.txt``. The buildpack keeps its dependency layer
between builds while ``requirements.txt`` and the Python stay the same; so does
this, under /tmp/forgebot-deploy/<key>/, shared by every test run on the
machine and never changed once made. Each run gets its own virtualenv on top
of that layer (a ``.pth`` line) with the project of its checkout installed in
it: two runs of two checkouts never install into the same place.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path("/tmp/forgebot-deploy")
LAYER_LAYOUT = b"dependencies only, v2"  # change it when what a layer holds changes


def built_checkout(workspace: Path) -> tuple[Path, Path]:
    """(the checkout at ``workspace``, the virtualenv with the project installed)."""
    copy_tracked_files(workspace)
    wanted = (workspace / ".python-version").read_text(encoding="utf-8").strip()
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert running == wanted or running.startswith(f"{wanted}."), (
        f".python-version asks for {wanted}; this test runs on {running}"
    )
    layer = dependency_layer(workspace)
    venv = workspace.parent / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    (site_packages(venv) / "dependency-layer.pth").write_text(f"{site_packages(layer)}\n")
    # The project itself, into this run's virtualenv: offline, with the layer's setuptools.
    pip(layer, "--python", str(venv / "bin" / "python"), "install", "--no-deps", "--no-index",
        "--no-build-isolation", str(workspace), cwd=workspace)  # fmt: skip
    return workspace, venv


def site_packages(venv: Path) -> Path:
    return (
        venv / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
    )


def copy_tracked_files(workspace: Path) -> None:
    """What a clone of this checkout would hold (uncommitted edits included)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, check=True, capture_output=True,
    ).stdout.decode().split("\0")  # fmt: skip
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():  # a file deleted but not yet committed is listed too
            target = workspace / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def dependency_layer(workspace: Path) -> Path:
    """The virtualenv of ``requirements.txt``, made once per lock and Python."""
    requirements = (workspace / "requirements.txt").read_bytes()
    build_requires = tomllib.loads((workspace / "pyproject.toml").read_text())["build-system"][
        "requires"
    ]
    key = hashlib.sha256(
        LAYER_LAYOUT + requirements + repr(build_requires).encode() + sys.version.encode()
    ).hexdigest()[:16]
    venv = CACHE / key
    CACHE.mkdir(exist_ok=True)
    with open(CACHE / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # other test runs on this machine wait, not race
        if not (venv / "complete").exists():
            shutil.rmtree(venv, ignore_errors=True)
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            pip(venv, "install", "-r", "requirements.txt", cwd=workspace)
            # The layer is the dependencies: each run installs its own checkout's project.
            pip(venv, "uninstall", "--yes", "forgebot", cwd=workspace)
            # What the project's build needs, for the offline installs of the runs.
            pip(venv, "install", *build_requires, cwd=workspace)
            (venv / "complete").touch()
            forget_unused_layers()
    return venv


def forget_unused_layers(days: float = 2.0) -> None:
    """Layers of older locks that no run has opened for ``days`` (each run rewrites the
    ``.lock`` of the layer it uses): about 200 MB each."""
    for lock in CACHE.glob("*.lock"):
        if time.time() - lock.stat().st_mtime > days * 86400:
            shutil.rmtree(CACHE / lock.stem, ignore_errors=True)
            lock.unlink(missing_ok=True)


def pip(venv: Path, *args: str, cwd: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "--disable-pip-version-check", "-q", *args],
        cwd=cwd, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, f"pip {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
