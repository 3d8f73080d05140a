"""Where a repository is: a project on a GitLab, named by URL or path (no I/O).

``gitlab.wikimedia.org`` is the default for bare ``group/project`` paths.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.errors import UsageError

DEFAULT_GITLAB = "https://gitlab.wikimedia.org"
TOOL_GROUP = "toolforge-repos"  # where Toolforge keeps each tool's own repository
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^\s/@]*@")


@dataclass(frozen=True, slots=True)
class GitLabLocation:
    gitlab_url: str
    project_path: str

    @property
    def web_url(self) -> str:
        return f"{self.gitlab_url}/{self.project_path}"

    def same_as(self, other: GitLabLocation) -> bool:
        """The same project on the same GitLab (GitLab paths ignore case)."""
        return (self.gitlab_url.rstrip("/").lower(), self.project_path.lower()) == (
            other.gitlab_url.rstrip("/").lower(),
            other.project_path.lower(),
        )


def without_userinfo(text: str) -> str:
    """``text`` with any ``user:password@`` taken out of the URLs in it."""
    return _USERINFO.sub(r"\1", text)


def tool_repository(tool: str, gitlab_url: str) -> GitLabLocation:
    """The tool's own repository: ``toolforge-repos/<tool>`` on the configured GitLab."""
    return GitLabLocation(gitlab_url.rstrip("/"), f"{TOOL_GROUP}/{tool}")


def parse_location(location: str, default_gitlab: str = DEFAULT_GITLAB) -> GitLabLocation:
    """``https://host/group/proj(.git)``, ``git@host:group/proj.git`` or ``group/proj``."""
    text = location.strip()
    ssh = re.match(r"^(?:ssh://)?git@([^:/]+)[:/](.+)$", text)
    if ssh:
        return GitLabLocation(f"https://{ssh.group(1)}", _clean_path(ssh.group(2)))
    if "://" in text:
        parts = urlsplit(text)
        host = parts.netloc.rsplit("@", 1)[-1]  # never keep credentials from a URL
        base = f"{parts.scheme}://{host}"
        return GitLabLocation(base, _clean_path(parts.path))
    return GitLabLocation(default_gitlab.rstrip("/"), _clean_path(text))


def _clean_path(path: str) -> str:
    path = path.strip("/").split("/-/", 1)[0]
    return path.removesuffix(".git").strip("/")


def chat_repository(location: str, gitlab_url: str) -> GitLabLocation:
    """Where a repository named in chat lives, on the configured GitLab only.

    A chat user must not make the bot read its own disk or send its GitLab
    token to another host, so local paths and other hosts are refused. The
    answer goes straight to :func:`read_gitlab`: nothing on the chat path
    looks at the disk, whatever the name happens to match there.
    """
    text = location.strip()
    if not text or text.startswith(("/", "~", ".", "file:")) or "\\" in text:
        raise UsageError(
            "give the repository as a GitLab project (group/project) or its URL on "
            f"{gitlab_url}, not a path on the bot's machine"
        )
    found = parse_location(text, gitlab_url)
    if found.gitlab_url.rstrip("/").lower() != gitlab_url.rstrip("/").lower():
        raise UsageError(
            without_userinfo(
                f"I only read repositories on {gitlab_url}; {found.gitlab_url} is another host"
            )
        )
    if not found.project_path or ".." in found.project_path.split("/"):
        raise UsageError("that does not look like a GitLab project path (group/project)")
    return found
