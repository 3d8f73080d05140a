"""The sandbox's GitLab, through the real python-gitlab client and the console."""

from __future__ import annotations

import asyncio

import gitlab
import gitlab.exceptions

from bot.toolforge.sandbox import SANDBOX_TOKEN, Sandbox


def _merge_request_flow(url: str) -> tuple[str, str, str, list[str]]:
    gl = gitlab.Gitlab(url, private_token=SANDBOX_TOKEN, timeout=5)
    project = gl.projects.get("toolforge-repos/sample-cron")
    before = project.branches.get("main").commit["id"]
    project.branches.create({"branch": "procfile", "ref": "main"})
    actions = [{"action": "create", "file_path": "Procfile", "content": "report: ./daily.sh\n"}]
    project.commits.create({"branch": "procfile", "commit_message": "Procfile", "actions": actions})
    mr = project.mergerequests.create(
        {"source_branch": "procfile", "target_branch": "main", "title": "Add a Procfile",
         "remove_source_branch": True}
    )  # fmt: skip
    opened = project.mergerequests.get(mr.iid).state
    project.mergerequests.get(mr.iid).merge()
    merged = project.mergerequests.get(mr.iid).state
    after = project.branches.get("main").commit["id"]
    assert before != after, "the main branch moved"
    branches = [b.name for b in project.branches.list(get_all=True)]
    return opened, merged, project.files.raw(file_path="Procfile", ref="main").decode(), branches


async def test_python_gitlab_opens_follows_and_merges_a_merge_request(sandbox: Sandbox) -> None:
    assert sandbox.gitlab is not None
    opened, merged, procfile, branches = await asyncio.to_thread(
        _merge_request_flow, sandbox.gitlab.url
    )
    assert (opened, merged) == ("opened", "merged")
    assert procfile == "report: ./daily.sh\n"
    assert branches == ["main"], "the source branch was removed on merging"


async def test_a_build_after_the_merge_sees_the_merged_files(sandbox: Sandbox) -> None:
    assert sandbox.gitlab is not None
    project = sandbox.gitlab.projects["toolforge-repos/sample-cron"]
    project.files["change"] = {**project.files["main"], "Procfile": "report: ./daily.sh\n"}
    project.merge_requests.append({"iid": 1, "title": "Procfile", "state": "opened",
                                   "source_branch": "change", "target_branch": "main"})  # fmt: skip
    source = f"{sandbox.gitlab.url}/toolforge-repos/sample-cron.git"
    sha_before, files_before = sandbox.gitlab.read_repository(source, "HEAD") or ("", {})
    assert "Procfile" not in files_before
    assert sandbox.console_command("sandbox mrs sample-cron") == [
        "toolforge-repos/sample-cron!1 [opened] Procfile"
    ]
    (said,) = sandbox.console_command("sandbox merge sample-cron") or []
    assert said == "sandbox: merged !1 (Procfile) into main of toolforge-repos/sample-cron"
    sha_after, files_after = sandbox.gitlab.read_repository(source, "main") or ("", {})
    assert files_after["Procfile"] == "report: ./daily.sh\n" and sha_after != sha_before


def test_console_commands_move_the_world_and_leave_other_lines_to_the_bot(
    sandbox: Sandbox,
) -> None:
    assert sandbox.console_command("status sample-web") is None
    assert sandbox.console_command("sandboxes are fun") is None
    help_text = sandbox.console_command("sandbox") or []
    assert any("sandbox merge TOOL" in line for line in help_text)
    before = sandbox.world.now()
    sandbox.console_command("sandbox advance 90")
    assert (sandbox.world.now() - before).total_seconds() == 90
    (said,) = sandbox.console_command("sandbox crash sample-web webservice 2") or []
    assert "will crash" in said
    assert sandbox.job_state("sample-web", "webservice") == "running", "until its next start"
    (refused,) = sandbox.console_command("sandbox merge sample-web") or [""]
    assert "no open merge request" in refused


def _files_at_commits(url: str, before: str, after: str) -> tuple[int, str]:
    gl = gitlab.Gitlab(url, timeout=5)
    project = gl.projects.get("toolforge-repos/sample-cron")
    try:
        project.files.raw(file_path="Procfile", ref=before)
        status = 200
    except gitlab.exceptions.GitlabGetError as error:
        status = error.response_code or 0
    return status, project.files.raw(file_path="Procfile", ref=after).decode()


async def test_files_are_read_at_a_commit_after_the_branch_moved_on(sandbox: Sandbox) -> None:
    """A build names the commit it used; its files stay readable there (what the migration
    checks the image's Procfile against)."""
    assert sandbox.gitlab is not None
    project = sandbox.gitlab.projects["toolforge-repos/sample-cron"]
    source = f"{sandbox.gitlab.url}/toolforge-repos/sample-cron.git"
    before, _ = sandbox.gitlab.read_repository(source, "main") or ("", {})
    project.files["change"] = {**project.files["main"], "Procfile": "report: ./daily.sh\n"}
    after, _ = sandbox.gitlab.read_repository(source, "change") or ("", {})
    project.files["main"] = dict(project.files["change"])  # main moves on
    status, procfile = await asyncio.to_thread(
        _files_at_commits, sandbox.gitlab.url, before, after
    )
    assert (status, procfile) == (404, "report: ./daily.sh\n")
    resolved, files = sandbox.gitlab.read_repository(source, before) or ("", {})
    assert resolved == before and "Procfile" not in files  # a build at a commit id
