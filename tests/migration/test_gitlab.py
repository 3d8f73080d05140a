"""Inspector and merge request against a fake GitLab, through the real python-gitlab client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.errors import GitLabError
from bot.migration.plan import plan_for
from bot.repos import RepoReader, inspect_repository
from bot.repos.gitlab import MAX_REQUESTS
from bot.repos.location import parse_location
from bot.repos.merge_request import open_merge_request
from bot.toolforge.sandbox import FakeGitLab

from .samples import EXPECTED, GRID_CRONTAB, GRID_TOOL, SAMPLES


@pytest.fixture
async def gitlab() -> AsyncIterator[FakeGitLab]:
    server = FakeGitLab(per_page=5)  # small pages: the client must follow Link headers
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.mark.parametrize("language", sorted(SAMPLES))
async def test_detection_for_each_language_over_the_api(gitlab: FakeGitLab, language: str) -> None:
    gitlab.add_project(f"toolforge-repos/{language}-tool", SAMPLES[language])
    report = await inspect_repository(f"{gitlab.url}/toolforge-repos/{language}-tool", tool="x")
    buildpack, version, framework, command = EXPECTED[language]
    assert (report.language, report.buildpack, report.version) == (language, buildpack, version)
    assert (report.web.command if report.web else None) == command
    assert report.source.clone_url == f"{gitlab.url}/toolforge-repos/{language}-tool.git"
    assert report.source.ref == "main"
    assert set(report.paths) == set(SAMPLES[language])


async def test_tree_pages_are_all_read_and_exec_bits_kept(gitlab: FakeGitLab) -> None:
    files = {f"bin/script{i}.sh": "#!/bin/sh\n" for i in range(249)} | {"requirements.txt": ""}
    gitlab.add_project("tools/big", files, executable={"bin/script3.sh"})
    report = await inspect_repository(f"{gitlab.url}/tools/big.git")
    assert len(report.paths) == 250
    assert report.executable == frozenset({"bin/script3.sh"})
    pages = [r.query.get("page") for r in gitlab.requests if r.path.endswith("/tree")]
    assert pages == [None, "2", "3"]  # 100 a page, following GitLab's Link headers


async def test_a_huge_repository_costs_a_bounded_number_of_requests(gitlab: FakeGitLab) -> None:
    files = {f"src/mod{i}/requirements.txt": "requests\n" for i in range(3000)}
    gitlab.add_project("tools/huge", files | {"app.py": "print()\n"})
    report = await inspect_repository(f"{gitlab.url}/tools/huge")
    assert len(gitlab.requests) <= MAX_REQUESTS
    assert "large-repository" in {note.problem for note in report.notes}


async def test_each_commit_is_read_once_and_never_shared_across_tokens(
    gitlab: FakeGitLab,
) -> None:
    project = gitlab.add_project("tools/cached", SAMPLES["python"], visibility="private",
                                 readers={"t0k"})  # fmt: skip
    reader = RepoReader()
    location = parse_location(f"{gitlab.url}/tools/cached")
    first = await reader.inspect(location, token="t0k")
    cost = len(gitlab.requests)
    again = await reader.inspect(location, token="t0k")
    assert again == first and len(gitlab.requests) - cost == 2  # the project, the branch head
    with pytest.raises(GitLabError, match="not public"):
        await reader.inspect(location)  # read for a maintainer: never served to anyone else
    project.files["main"]["extra.py"] = "print('new')\n"  # a new commit
    newer = await reader.inspect(location, token="t0k")
    assert "extra.py" in newer.paths


async def test_missing_project_is_a_clear_404(gitlab: FakeGitLab) -> None:
    with pytest.raises(GitLabError, match=r"no project 'tools/nope' .*\(404\)"):
        await inspect_repository(f"{gitlab.url}/tools/nope")


async def test_private_project_needs_a_token(gitlab: FakeGitLab) -> None:
    gitlab.add_project("tools/secret", SAMPLES["python"], visibility="private", readers={"t0k"})
    with pytest.raises(GitLabError, match="it does not exist or it is not public"):
        await inspect_repository(f"{gitlab.url}/tools/secret")
    report = await inspect_repository(f"{gitlab.url}/tools/secret", token="t0k")
    assert report.source.visibility == "private"
    plan = plan_for("secret", report)
    assert "repo-not-public" in {p.id for p in plan.problems}


async def test_unknown_branch(gitlab: FakeGitLab) -> None:
    gitlab.add_project("tools/x", SAMPLES["python"])
    with pytest.raises(GitLabError, match="no branch or tag 'nope'"):
        await inspect_repository(f"{gitlab.url}/tools/x", ref="nope")


async def test_merge_request_contains_exactly_the_planned_files(gitlab: FakeGitLab) -> None:
    project = gitlab.add_project("toolforge-repos/mytool", GRID_TOOL, writers={"w"})
    location = parse_location(f"{gitlab.url}/toolforge-repos/mytool")
    report = await inspect_repository(location.web_url, tool="mytool")
    plan = plan_for("mytool", report, grid_text=GRID_CRONTAB)

    result = await open_merge_request(location, plan, token="w")

    assert result.url == f"{gitlab.url}/toolforge-repos/mytool/-/merge_requests/1"
    (commit,) = project.commits
    actions = {a["file_path"]: (a["action"], a["content"]) for a in commit["actions"]}
    assert actions == {f.path: (f.action, f.content) for f in plan.files}
    assert set(actions) == {"Procfile", "jobs.yaml", "Aptfile", ".python-version",
                            "requirements.txt"}  # fmt: skip
    assert actions["requirements.txt"][0] == "update"
    assert actions["Procfile"][0] == "create"
    branch = project.files["forgebot/build-service"]
    assert set(branch) - set(GRID_TOOL) == {"Procfile", "jobs.yaml", "Aptfile", ".python-version"}
    assert project.files["main"] == GRID_TOOL  # nothing pushed to the default branch
    (mr,) = project.merge_requests
    assert (mr["source_branch"], mr["target_branch"]) == ("forgebot/build-service", "main")
    assert "`jobs.yaml` (create)" in mr["description"]


async def test_merge_request_without_write_access_is_a_clear_403(gitlab: FakeGitLab) -> None:
    project = gitlab.add_project("tools/ro", SAMPLES["python"], readers={"r"})
    location = parse_location(f"{gitlab.url}/tools/ro")
    plan = plan_for("ro", await inspect_repository(location.web_url), grid_text="")
    with pytest.raises(GitLabError, match=r"does not allow forgebot to create the branch .*403"):
        await open_merge_request(location, plan, token="r")
    assert project.merge_requests == []


async def test_existing_branch_is_reported_not_overwritten(gitlab: FakeGitLab) -> None:
    project = gitlab.add_project("tools/again", SAMPLES["python"], writers={"w"})
    location = parse_location(f"{gitlab.url}/tools/again")
    plan = plan_for("again", await inspect_repository(location.web_url))
    await open_merge_request(location, plan, token="w")
    with pytest.raises(GitLabError, match="already exists"):
        await open_merge_request(location, plan, token="w")
    assert len(project.merge_requests) == 1


@pytest.mark.parametrize(
    ("text", "base", "path"),
    [
        ("https://gitlab.wikimedia.org/toolforge-repos/x", "https://gitlab.wikimedia.org",
         "toolforge-repos/x"),
        ("https://gitlab.example.org:8443/a/b/c.git", "https://gitlab.example.org:8443", "a/b/c"),
        ("https://gitlab.wikimedia.org/toolforge-repos/x/-/tree/main",
         "https://gitlab.wikimedia.org", "toolforge-repos/x"),
        ("git@gitlab.wikimedia.org:toolforge-repos/x.git", "https://gitlab.wikimedia.org",
         "toolforge-repos/x"),
        ("toolforge-repos/x", "https://gitlab.wikimedia.org", "toolforge-repos/x"),
    ],
)  # fmt: skip
def test_locations(text: str, base: str, path: str) -> None:
    location = parse_location(text)
    assert (location.gitlab_url, location.project_path) == (base, path)


async def test_a_gitlab_having_a_bad_moment_is_read_again_after_a_wait(gitlab: FakeGitLab) -> None:
    gitlab.add_project("tools/flaky", SAMPLES["python"])
    gitlab.fail_next(503, count=2)
    report = await inspect_repository(f"{gitlab.url}/tools/flaky")
    assert report.language == "python"
    assert [r.status for r in gitlab.requests[:3]] == [503, 503, 200]


async def test_a_gitlab_that_stays_down_is_a_sentence_after_three_tries(gitlab: FakeGitLab) -> None:
    gitlab.add_project("tools/down", SAMPLES["python"])
    gitlab.fail_next(502, count=3)
    with pytest.raises(GitLabError, match="GitLab answered 502 while trying to read the project"):
        await inspect_repository(f"{gitlab.url}/tools/down")
    assert len(gitlab.requests) == 3


async def test_a_refusal_is_not_tried_again(gitlab: FakeGitLab) -> None:
    gitlab.add_project("tools/forbidden", SAMPLES["python"])
    gitlab.fail_next(403)
    with pytest.raises(GitLabError, match="403"):
        await inspect_repository(f"{gitlab.url}/tools/forbidden")
    assert len(gitlab.requests) == 1
