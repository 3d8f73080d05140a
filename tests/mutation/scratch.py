"""A scratch copy of the project, for tools that change its source (mutmut, deletions)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def scratch_copy(name: str) -> Path:
    """A fresh copy of the packages, the tests and pyproject.toml under
    ``$FORGEBOT_MUTATION_DIR`` (default: the temporary directory)/forgebot-mutation/."""
    base = Path(os.environ.get("FORGEBOT_MUTATION_DIR") or tempfile.gettempdir())
    work = base / "forgebot-mutation" / name
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", ".hypothesis", "*.pyc")
    for part in ("bot", "commands", "adapters", "tests"):
        shutil.copytree(ROOT / part, work / part, ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", work / "pyproject.toml")
    # Code changed on purpose is slow and random examples would make verdicts vary
    # between runs: no deadlines, the same examples every time.
    with (work / "tests" / "conftest.py").open("a") as conftest:
        conftest.write(
            "\n\nfrom hypothesis import settings as _settings\n\n"
            "_settings.register_profile('mutation', deadline=None, derandomize=True, "
            "database=None)\n_settings.load_profile('mutation')\n"
        )
    return work
