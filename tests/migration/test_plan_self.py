"""forgebot's planner pointed at forgebot: nothing to change but where to push it.

And the two things it learnt from that: an aiohttp app that reads $PORT and
listens on 0.0.0.0 needs no warning; code keeping files under $TOOL_DATA_DIR
makes the job mount the tool's home. A line that only names a path says so.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

from bot.cli.plan import plan_main

from .samples import write_repo

ROOT = Path(__file__).resolve().parents[2]


def plan(repo: Path) -> dict[str, object]:
    out, err = io.StringIO(), io.StringIO()
    assert plan_main(["--repo", str(repo), "--tool", "forgebot", "--format", "json"],
                     stdout=out, stderr=err) == 0, err.getvalue()  # fmt: skip
    result: dict[str, object] = json.loads(out.getvalue())
    return result


def problems(result: dict[str, object]) -> list[tuple[str, str]]:
    listed = result["problems"]
    assert isinstance(listed, list)
    return [(p["severity"], p["id"]) for p in listed]


def test_this_repository_plans_clean_but_for_pushing_it() -> None:
    result = plan(ROOT)
    assert [p for p in problems(result) if p[0] == "warning"] == [("warning", "repo-local-path")]
    assert ("info", "tool-data-dir") in problems(result)
    assert "--mount=all" in str(result["steps"])
    assert result["files"] == []  # Procfile, .python-version, requirements.txt: all there


def test_an_aiohttp_app_on_port_and_the_tool_home(tmp_path: Path) -> None:
    served = {
        "requirements.txt": "aiohttp\n",
        "Procfile": "web: python app.py\n",
        ".python-version": "3.12\n",
        "app.py": 'import os\nPORT = int(os.environ["PORT"])\nHOST = "0.0.0.0"\n'
        'DATA = os.environ["TOOL_DATA_DIR"]\n',
    }
    found = problems(plan(write_repo(tmp_path / "served", served)))
    assert ("warning", "web-port") not in found and ("info", "tool-data-dir") in found
    fixed_port = {**served, "app.py": 'HOST = "0.0.0.0"\nPORT = 8080\n'}
    assert ("warning", "web-port") in problems(plan(write_repo(tmp_path / "fixed", fixed_port)))
    named_only = 'HELP = "/data/project/x"  # plan: not a path\n'
    named = {**served, "app.py": served["app.py"] + named_only}
    assert ("warning", "nfs") not in problems(plan(write_repo(tmp_path / "named", named)))
    used = {**named, "app.py": named["app.py"] + 'LOG = open("/data/project/x/log")\n'}
    assert ("warning", "nfs") in problems(plan(write_repo(tmp_path / "used", used)))


def test_a_path_named_in_a_sentence_or_a_comment_is_not_used(tmp_path: Path) -> None:
    said = {
        "requirements.txt": "requests\n",
        "bot.py": '"""Reads nothing from ~/ at all."""\n'
        "# the old copy lived in /data/project/x/data\n"
        'HELP = "A tool\'s home (/data/project/<tool>) is shared NFS storage."\n',
    }
    found = problems(plan(write_repo(tmp_path / "said", said)))
    assert ("warning", "nfs") not in found and ("warning", "home-path") not in found
    used = {**said, "bot.py": said["bot.py"] + 'DATA = open("/data/project/x/data")\n'
            'CACHE = os.path.expanduser("~/cache")\n'}  # fmt: skip
    found = problems(plan(write_repo(tmp_path / "used", used)))
    assert ("warning", "nfs") in found and ("warning", "home-path") in found
