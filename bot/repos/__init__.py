"""Where the migration planner's input comes from: GitLab projects and local checkouts.

The planner (:mod:`bot.migration`) is pure; these functions fetch the
:class:`~bot.migration.snapshot.Snapshot` it reads, in a worker thread so
the bot's event loop never blocks on python-gitlab or the disk. The chat uses
a :class:`RepoReader`, which reads a validated GitLab project (each commit
once) and never the disk; local paths are for the offline ``forgebot plan`` only.
"""

from __future__ import annotations

import asyncio
import os
from typing import TYPE_CHECKING

from bot.migration.snapshot import Snapshot
from bot.repos.cache import SnapshotCache
from bot.repos.local import read_local
from bot.repos.location import DEFAULT_GITLAB, GitLabLocation, parse_location

if TYPE_CHECKING:
    # the planner's inspection: loaded when a repository is first inspected
    from bot.migration.inspect import RepoReport


def is_local(location: str) -> bool:
    return os.path.isdir(os.path.expanduser(location))


async def inspect_repository(
    location: str,
    *,
    tool: str = "",
    token: str | None = None,
    ref: str | None = None,
    gitlab_url: str = DEFAULT_GITLAB,
) -> RepoReport:
    """Inspect a local checkout or a GitLab project (URL or ``group/project``)."""
    from bot.migration.inspect import inspect_snapshot

    snapshot = await asyncio.to_thread(
        read_snapshot, location, token=token, ref=ref, gitlab_url=gitlab_url
    )
    return inspect_snapshot(snapshot, tool=tool)


class RepoReader:
    """Reads GitLab projects for the chat (never the disk), each commit once: a service."""

    def __init__(self, cache: SnapshotCache | None = None) -> None:
        self.cache = cache or SnapshotCache()

    async def inspect(
        self,
        location: GitLabLocation,
        *,
        tool: str = "",
        token: str | None = None,
        ref: str | None = None,
    ) -> RepoReport:
        from bot.migration.inspect import inspect_snapshot
        from bot.repos.gitlab import read_gitlab  # python-gitlab, only when a repository is read

        snapshot = await asyncio.to_thread(
            read_gitlab, location, token=token, ref=ref, cache=self.cache
        )
        return inspect_snapshot(snapshot, tool=tool)


def read_snapshot(
    location: str,
    *,
    token: str | None = None,
    ref: str | None = None,
    gitlab_url: str = DEFAULT_GITLAB,
) -> Snapshot:
    """Blocking: read a snapshot from wherever ``location`` points (offline CLI use)."""
    if is_local(location):
        return read_local(os.path.expanduser(location))
    from bot.repos.gitlab import read_gitlab

    return read_gitlab(parse_location(location, gitlab_url), token=token, ref=ref)
