"""Every guide link the code can produce points at a heading that exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.migration.guides import GUIDES_DIR, PROBLEMS, all_links, guide_link

ROOT = Path(__file__).resolve().parents[2]
GUIDES = ROOT / GUIDES_DIR
SOURCES = sorted((ROOT / "bot" / "migration").glob("*.py"))
REQUIRED = {"overview", "python", "php", "nodejs", "java", "other-languages", "webservice",
            "jobs", "logs", "secrets-and-envvars", "storage", "troubleshooting"}  # fmt: skip


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lowercase, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*_]{2,}|`", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    found: set[str] = set()
    counts: dict[str, int] = {}
    in_code = False
    for line in path.read_text().splitlines():
        if line.startswith("```"):
            in_code = not in_code
        match = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if match and not in_code:
            base = slug(match.group(1))
            n = counts.get(base, 0)
            counts[base] = n + 1
            found.add(base if n == 0 else f"{base}-{n}")
    return found


def test_slug_matches_github() -> None:
    assert slug("System packages (Aptfile)") == "system-packages-aptfile"
    assert slug("composer.json") == "composerjson"
    assert slug("Serving public_html") == "serving-public_html"
    assert slug("Storage: NFS and $TOOL_DATA_DIR") == "storage-nfs-and-tool_data_dir"


def test_every_guide_exists() -> None:
    assert {p.stem for p in GUIDES.glob("*.md")} >= REQUIRED


@pytest.mark.parametrize("link", sorted(all_links()))
def test_every_problem_link_resolves(link: str) -> None:
    path, _, anchor = link.partition("#")
    target = ROOT / path
    assert target.is_file(), link
    assert anchor in anchors(target), f"{link}: no such heading"


def test_every_problem_id_used_in_the_code_is_in_the_catalogue() -> None:
    pattern = re.compile(r"""(?:Note\(|_info\(|_warn\(|\.info\(|\.warn\()\s*["']([a-z0-9-]+)["']""")
    used = {m for source in SOURCES for m in pattern.findall(source.read_text())}
    assert len(used) > 40  # the scan itself works
    assert used - set(PROBLEMS) == set()


def test_links_between_guides_resolve() -> None:
    for guide in GUIDES.glob("*.md"):
        for target, anchor in re.findall(r"\]\(([\w.-]+\.md)?(?:#([\w-]+))?\)", guide.read_text()):
            path = GUIDES / target if target else guide
            assert path.is_file(), f"{guide.name}: {target}"
            if anchor:
                assert anchor in anchors(path), f"{guide.name}: {target}#{anchor}"


def test_guide_link_with_a_base_url() -> None:
    assert guide_link("job-name", "https://x.org/repo/-/blob/main/") == (
        "https://x.org/repo/-/blob/main/migration_guides/jobs.md#job-names"
    )
