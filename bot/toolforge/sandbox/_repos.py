"""The sample tools' repositories (``repos.toml``) put into the sandbox's GitLab."""

from __future__ import annotations

import tomllib
from pathlib import Path

from bot.toolforge.sandbox._gitlab import GitLab

REPOS = Path(__file__).with_name("repos.toml")
TOOL_GROUP = "toolforge-repos"
# The token that may write to the sample repositories (forgebot's, in --sandbox mode).
SANDBOX_TOKEN = "sandbox-gitlab-token"


def seed_repositories(gitlab: GitLab, path: Path = REPOS) -> None:
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    for tool, repo in data.items():
        gitlab.add_project(
            f"{TOOL_GROUP}/{tool}",
            {str(k): str(v) for k, v in repo.get("files", {}).items()},
            writers={SANDBOX_TOKEN},
            executable=set(repo.get("executable", [])),
        )
