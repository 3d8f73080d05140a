"""``ToolforgeClient``: the async client for the Toolforge API gateway."""

from __future__ import annotations

import copy
import re
from collections.abc import AsyncIterator
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urljoin

from bot.errors import ToolforgeError, ToolforgeInvalid
from bot.jsontext import parse_json
from bot.shared_reads import SharedReads
from bot.toolforge._auth import ToolforgeAuth
from bot.toolforge._errors import unreadable
from bot.toolforge._models import Build, Job, LogEntry, QuotaItem
from bot.toolforge._response import Observer

if TYPE_CHECKING:
    from bot.toolforge._transport import GatewayTransport

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$")
_MAX_LOG_PAGES = 50
_PLACEHOLDER_SLACK = 20


class ToolforgeClient:
    """Jobs, logs, builds and envvars of Toolforge tools, over the API gateway.

    Every failure raises a ``bot.errors.ToolforgeError`` whose sentence says
    what was not done. Only GET requests are retried (once, after a connect
    error or a 502/503); anything that changes a tool is sent exactly once.
    ``last_warnings`` holds the ``messages.warning`` of the latest answer
    (deprecations, "the running version differs", quota warnings).
    """

    def __init__(
        self,
        base_url: str,
        *,
        auth: ToolforgeAuth | None = None,
        tool_auth: dict[str, ToolforgeAuth] | None = None,
        timeout: float = 10.0,
        user_agent: str = "forgebot/0.1",
        retry_backoff: float = 0.1,
        observe: Observer | None = None,
    ) -> None:
        """``observe`` is told of every call: (service, HTTP status or "error", seconds)."""
        self._settings = (base_url, auth or ToolforgeAuth(), dict(tool_auth or {}))
        self._timeout, self._user_agent, self._retry_backoff = timeout, user_agent, retry_backoff
        self._observe = observe
        self._transport: GatewayTransport | None = None
        # What every status and diagnose reads, read and turned into models once per moment
        # (the gateway already sends one GET per URL in flight; this saves each caller the parse).
        self._jobs: SharedReads[str, tuple[Job, ...]] = SharedReads()
        self._latest: SharedReads[str, Build | None] = SharedReads()

    @property
    def _gateway(self) -> GatewayTransport:
        # Built (and aiohttp imported) on the first call: a bot that answers no
        # Toolforge question yet keeps neither in memory.
        if self._transport is None:
            from bot.toolforge._transport import GatewayTransport

            base_url, auth, tool_auth = self._settings
            self._transport = GatewayTransport(
                base_url,
                auth=auth,
                tool_auth=tool_auth,
                timeout=self._timeout,
                user_agent=self._user_agent,
                retry_backoff=self._retry_backoff,
                observe=self._observe,
            )
        return self._transport

    @property
    def last_warnings(self) -> tuple[str, ...]:
        """``messages.warning`` of the latest answer (deprecations, quota, drift)."""
        return self._transport.last_warnings if self._transport is not None else ()

    # -- lifecycle ---------------------------------------------------------

    async def aclose(self) -> None:
        if self._transport is not None:
            await self._transport.aclose()

    async def __aenter__(self) -> ToolforgeClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # -- jobs --------------------------------------------------------------

    async def list_jobs(self, tool: str) -> list[Job]:
        return list(await self._jobs.read(tool, lambda: self._read_jobs(tool)))

    async def _read_jobs(self, tool: str) -> tuple[Job, ...]:
        body = await self._gateway.json(
            "GET", _jobs(tool), tool, f"the jobs of {tool} were not read"
        )
        return tuple(Job.from_api(j) for j in _list(body, "jobs") if isinstance(j, dict))

    async def job_definitions(self, tool: str) -> list[dict[str, Any]]:
        """The jobs as their owner defined them (``include_unset=false``, what ``jobs dump``
        reads): enough to define them again exactly as they were."""
        url = _jobs(tool) + "?" + urlencode({"include_unset": "false"})
        body = await self._gateway.json(
            "GET", url, tool, f"the job definitions of {tool} were not read"
        )
        # Copies: the parsed answer is shared with any identical read in flight.
        return [copy.deepcopy(j) for j in _list(body, "jobs") if isinstance(j, dict)]

    async def get_job(self, tool: str, name: str) -> Job:
        path = f"{_jobs(tool)}/{_name(name, 'job name')}"
        body = await self._gateway.json("GET", path, tool, f"job {name} of {tool} was not read")
        job = body.get("job", body)
        return Job.from_api(job if isinstance(job, dict) else {})

    async def restart_job(self, tool: str, name: str) -> str:
        path = f"{_jobs(tool)}/{_name(name, 'job name')}/restart"
        body = await self._gateway.json("POST", path, tool, "nothing was restarted")
        return _info(body) or f"Job {name} has been restarted."

    async def delete_job(self, tool: str, name: str) -> None:
        path = f"{_jobs(tool)}/{_name(name, 'job name')}"
        await self._gateway.json("DELETE", path, tool, "nothing was deleted")

    async def load_job(self, tool: str, spec: dict[str, Any]) -> str:
        """Create or update one job (``toolforge jobs load``); returns the API's message."""
        body = await self._gateway.json(
            "PATCH", _jobs(tool), tool, "no job was created or changed", payload=spec
        )
        return _info(body) or ("job changed" if body.get("job_changed") else "job unchanged")

    async def job_logs(
        self, tool: str, job: str, lines: int, since: str | None = None
    ) -> list[LogEntry]:
        """The newest ``lines`` log entries of a job, oldest first ([] when there are none).

        ``since``: the window's start as the logs API takes it (an ISO 8601 time or a
        duration such as ``6h``); the API's default is the last hour.
        """
        if lines <= 0:
            return []
        path = f"/logs/v1/tool/{_name(tool, 'tool name')}/job/{_name(job, 'job name')}/logs"
        action = f"no logs of {job} were read"
        # Ask for a few more: placeholder entries (T410055) take slots and are skipped.
        params: dict[str, Any] = {"lines": lines + _PLACEHOLDER_SLACK, "direction": "newest_first"}
        if since:
            params["since"] = since
        url = self._gateway.base_url + path + "?" + urlencode(params)
        entries: list[LogEntry] = []
        for _ in range(_MAX_LOG_PAGES):
            body = await self._gateway.json("GET", url, tool, action, not_found_ok=True)
            data = body.get("data")
            data = data if isinstance(data, dict) else {}
            for item in _list(data, "logs"):
                entry = LogEntry.from_api(item) if isinstance(item, dict) else None
                if entry is not None and not entry.is_placeholder:
                    entries.append(entry)
            following = data.get("next")
            next_url = following.get("url") if isinstance(following, dict) else None
            if len(entries) >= lines or not next_url:
                break
            url = self._gateway.same_origin(urljoin(url, str(next_url)), action)
        return list(reversed(entries[:lines]))

    async def follow_job_logs(
        self, tool: str, job: str, *, backlog: int, since: str | None = None
    ) -> AsyncIterator[LogEntry]:
        """A job's log as it is written (``toolforge jobs logs -f``): the last ``backlog``
        entries (from ``since``, if given), then each new one. Ends when the logs
        service ends the stream; raises ToolforgeUnavailable when it is cut."""
        path = f"/logs/v1/tool/{_name(tool, 'tool name')}/job/{_name(job, 'job name')}/logs_stream"
        params = {"lines": str(backlog)}
        if since:
            params["since"] = since
        action = f"the log of {job} is no longer followed"
        async for line in self._gateway.lines(path, tool, action, params):
            try:
                item = parse_json(line) if line.strip() else None
            except ValueError:
                continue  # a partial or foreign line: the stream goes on
            entry = LogEntry.from_api(item) if isinstance(item, dict) else None
            if entry is not None and not entry.is_placeholder:
                yield entry

    async def quotas(self, tool: str) -> list[QuotaItem]:
        """The tool's quota (``toolforge jobs quota``): limits and what is used."""
        path = f"/jobs/v1/tool/{_name(tool, 'tool name')}/quotas"
        body = await self._gateway.json("GET", path, tool, f"the quota of {tool} was not read")
        return QuotaItem.from_api(body)

    async def registry_quota(self, tool: str) -> list[QuotaItem]:
        """The storage the tool's built images may take (``toolforge build quota``)."""
        path = f"/builds/v1/tool/{_name(tool, 'tool name')}/quotas"
        body = await self._gateway.json(
            "GET", path, tool, f"the image storage quota of {tool} was not read"
        )
        return QuotaItem.from_api(body)

    async def images(self, tool: str) -> dict[str, str]:
        """The images jobs may use now (short name -> full name); older ones are not listed."""
        path = f"/jobs/v1/tool/{_name(tool, 'tool name')}/images"
        body = await self._gateway.json("GET", path, tool, f"the images of {tool} were not read")
        return {
            str(i.get("shortname")): str(i.get("image"))
            for i in _list(body, "images")
            if isinstance(i, dict)
        }

    # -- builds ------------------------------------------------------------

    async def list_builds(self, tool: str) -> list[Build]:
        body = await self._gateway.json(
            "GET", _builds(tool), tool, f"the builds of {tool} were not read"
        )
        return [Build.from_api(b) for b in _list(body, "builds") if isinstance(b, dict)]

    async def latest_build(self, tool: str) -> Build | None:
        return await self._latest.read(tool, lambda: self._read_latest_build(tool))

    async def _read_latest_build(self, tool: str) -> Build | None:
        path = f"{_builds(tool)}/latest"
        action = f"the latest build of {tool} was not read"
        body = await self._gateway.json("GET", path, tool, action, not_found_ok=True)
        build = body.get("build")
        return Build.from_api(build) if isinstance(build, dict) else None

    async def get_build(self, tool: str, build_id: str) -> Build:
        path = f"{_builds(tool)}/{_name(build_id, 'build id')}"
        body = await self._gateway.json("GET", path, tool, f"build {build_id} was not read")
        build = body.get("build")
        return Build.from_api(build if isinstance(build, dict) else {})

    async def start_build(
        self,
        tool: str,
        source_url: str,
        ref: str | None = None,
        image_name: str | None = None,
        envvars: dict[str, str] | None = None,
    ) -> str:
        """Start a build; returns its id (``<tool>-buildpacks-pipelinerun-xxxxx``)."""
        params: dict[str, Any] = {"source_url": source_url}
        if ref:
            params["ref"] = ref
        if image_name:
            params["image_name"] = image_name
        if envvars:
            params["envvars"] = envvars
        body = await self._gateway.json(
            "POST", _builds(tool), tool, "no build was started", payload=params
        )
        new_build = body.get("new_build")
        build_id = new_build.get("name") if isinstance(new_build, dict) else None
        if not build_id:
            raise unreadable(_builds(tool), "the build may or may not have started")
        return str(build_id)

    async def cancel_build(self, tool: str, build_id: str) -> None:
        path = f"{_builds(tool)}/{_name(build_id, 'build id')}/cancel"
        await self._gateway.json("PUT", path, tool, "nothing was cancelled")

    async def build_logs(self, tool: str, build_id: str) -> list[str]:
        path = f"{_builds(tool)}/{_name(build_id, 'build id')}/logs"
        action = f"the logs of build {build_id} were not read"
        response = await self._gateway.send("GET", path, tool, action, params={"follow": "false"})
        lines: list[str] = []
        for raw in response.text.splitlines():
            try:
                item = parse_json(raw) if raw.strip() else None
            except ValueError:
                item = raw
            if isinstance(item, dict) and "line" in item:
                lines.append(str(item["line"]))
            elif isinstance(item, dict):
                # An error the build service reported after the stream had started.
                reason = item.get("message") or item.get("error") or item
                lines.append(f"(the build service stopped the log: {reason})")
            elif item is not None:
                lines.append(str(item))
        return lines

    # -- envvars -----------------------------------------------------------

    async def list_envvar_names(self, tool: str) -> list[str]:
        """Names only: values are secrets and stay out of chat unless asked one by one."""
        body = await self._gateway.json(
            "GET", _envvars(tool), tool, f"the envvars of {tool} were not read"
        )
        return sorted(str(e.get("name")) for e in _list(body, "envvars") if isinstance(e, dict))

    async def envvar_values(self, tool: str) -> list[str]:
        """Every envvar value of the tool, only so the redactor can hide them from logs."""
        body = await self._gateway.json(
            "GET", _envvars(tool), tool, f"the envvars of {tool} were not read"
        )
        return [
            str(e["value"])
            for e in _list(body, "envvars")
            if isinstance(e, dict) and e.get("value")
        ]

    async def get_envvar(self, tool: str, name: str) -> str:
        path = f"{_envvars(tool)}/{_name(name, 'envvar name')}"
        body = await self._gateway.json("GET", path, tool, f"envvar {name} was not read")
        envvar = body.get("envvar")
        return str(envvar.get("value", "")) if isinstance(envvar, dict) else ""

    async def set_envvar(self, tool: str, name: str, value: str) -> None:
        payload = {"name": _name(name, "envvar name"), "value": value}
        await self._gateway.json(
            "POST", _envvars(tool), tool, "nothing was changed", payload=payload, hide=(value,)
        )

    async def delete_envvar(self, tool: str, name: str) -> None:
        path = f"{_envvars(tool)}/{_name(name, 'envvar name')}"
        await self._gateway.json("DELETE", path, tool, "nothing was deleted")

    # -- health ------------------------------------------------------------

    async def healthz(self) -> bool:
        """Whether the jobs service says it is healthy (never raises)."""
        try:
            body = await self._gateway.json("GET", "/jobs/v1/healthz", None, "health unknown")
        except ToolforgeError:
            return False
        health = body.get("health")
        status = health.get("status") if isinstance(health, dict) else body.get("status")
        return status == "OK"


def _name(value: str, what: str) -> str:
    """Refuse anything that could change the path (``/``, ``..``) before it reaches the URL."""
    if not _NAME.fullmatch(value or ""):
        raise ToolforgeInvalid(f"{value!r} is not a valid {what}; nothing was sent to Toolforge.")
    return value


def _jobs(tool: str) -> str:
    return f"/jobs/v1/tool/{_name(tool, 'tool name')}/jobs"


def _builds(tool: str) -> str:
    return f"/builds/v1/tool/{_name(tool, 'tool name')}/builds"


def _envvars(tool: str) -> str:
    return f"/envvars/v1/tool/{_name(tool, 'tool name')}/envvars"


def _list(body: dict[str, Any], key: str) -> list[Any]:
    value = body.get(key)
    return value if isinstance(value, list) else []


def _info(body: dict[str, Any]) -> str:
    messages = body.get("messages")
    info = messages.get("info") if isinstance(messages, dict) else None
    return " ".join(str(m) for m in info) if isinstance(info, list) else ""
