"""The real services' OpenAPI documents (``specs/``, vendored unchanged) and the checks on them.

Every JSON answer of the jobs and builds APIs is validated against its
document, and builds requests are validated before they are handled (as the
builds service's own request validator does). The documents contradict
themselves or the live services in places; :data:`NOTES` lists each case and
the overlay the sandbox applies to the copy it validates with (the files stay
as published). Validation uses openapi-core, imported only when a sandbox
first validates something.
"""

from __future__ import annotations

import copy
import functools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

SPECS = Path(__file__).with_name("specs")
SERVER = "http://127.0.0.1:8000"  # the first "servers" entry of both documents

NOTES = (
    "jobs: Defined*Job.status is a oneOf over three schemas that accept the same objects, so no "
    "job validates; the sandbox reads it as anyOf.",
    "jobs: a quota item's 'used' is a string, but the API's own fixture answers null for the "
    "per-job limits; the sandbox allows null.",
    "jobs: the request body is a oneOf of NewOneOffJob/NewScheduledJob/NewContinuousJob that "
    "overlap when job_type is absent (the service takes the first model that fits); anyOf.",
    "jobs: health_check is 'object or null' but its oneOf lists only objects, so null never "
    "validates; null is allowed.",
    "jobs: POST /jobs is documented as 200; the service answers 201 (same body).",
    "jobs: replicas has minimum 1; the service's model allows 0.",
    "jobs: 'publish' (jobs-api 4.12.1, after this document) is added to the continuous job.",
    "builds: POST /clean gives its schema without a media type; read as application/json.",
)


def _path(spec: dict[str, Any], *keys: str | int) -> Any:
    node: Any = spec
    for key in keys:
        node = node[key]
    return node


def _overlay_jobs(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    status = _path(schemas, "DefinedCommonJob", "allOf", 1, "properties", "status")
    status["anyOf"] = status.pop("oneOf")
    item = _path(schemas, "Quota", "properties", "categories", "items", "properties", "items")
    item["items"]["properties"]["used"]["type"] = ["string", "null"]
    for method in ("post", "patch"):
        body = spec["paths"]["/v1/tool/{tool_name}/jobs"][method]["requestBody"]
        schema = body["content"]["application/json"]["schema"]
        schema["anyOf"] = schema.pop("oneOf")
    post = spec["paths"]["/v1/tool/{tool_name}/jobs"]["post"]["responses"]
    post["201"] = copy.deepcopy(post["200"])
    publish = {"type": "string", "example": "/"}
    for name in ("NewContinuousJob", "DefinedContinuousJob"):
        properties = _path(schemas, name, "allOf", 1, "properties")
        properties["replicas"]["minimum"] = 0
        properties["publish"] = dict(publish)
        check = properties["health_check"]
        properties["health_check"] = {"anyOf": [{"type": "null"}, {
            "oneOf": check["oneOf"], "discriminator": check["discriminator"]}]}  # fmt: skip


def _overlay_builds(spec: dict[str, Any]) -> None:
    ok = spec["paths"]["/v1/tool/{toolname}/clean"]["post"]["responses"]["200"]
    if "schema" in ok.get("content", {}):
        ok["content"] = {"application/json": {"schema": ok["content"]["schema"]}}


@functools.cache
def spec_dict(service: str) -> dict[str, Any]:
    """The document as published (what ``/<service>/openapi.json`` serves)."""
    with (SPECS / f"{service}-api.openapi.yaml").open(encoding="utf-8") as handle:
        loaded: dict[str, Any] = yaml.safe_load(handle)
    return loaded


@functools.cache
def spec_json(service: str) -> str:
    return json.dumps(spec_dict(service))


@functools.cache
def _validator(service: str) -> Any:
    from openapi_core import Config, OpenAPI

    spec = copy.deepcopy(spec_dict(service))
    (_overlay_jobs if service == "jobs" else _overlay_builds)(spec)
    return OpenAPI.from_dict(spec, config=Config(spec_validator_cls=None))


def warm() -> None:
    """Load both validators now (about a second), not inside the first request."""
    for service in ("jobs", "builds"):
        _validator(service)


@dataclass
class Call:
    """One request as openapi-core reads it, on the service's own paths."""

    path: str
    method: str
    body: bytes | None
    content_type: str
    query: dict[str, str]
    headers: dict[str, str]
    host_url: str = SERVER
    parameters: Any = field(init=False)

    def __post_init__(self) -> None:
        from openapi_core.datatypes import RequestParameters
        from werkzeug.datastructures import Headers, ImmutableMultiDict

        self.parameters = RequestParameters(
            query=ImmutableMultiDict(self.query), header=Headers(self.headers),
            cookie=ImmutableMultiDict(), path={},
        )  # fmt: skip


@dataclass
class Answer:
    status_code: int
    data: bytes
    content_type: str
    headers: Any = None

    def __post_init__(self) -> None:
        from werkzeug.datastructures import Headers

        self.headers = Headers({"Content-Type": self.content_type})


def _first_error(result: Any) -> str | None:
    if not result.errors:
        return None
    error = result.errors[0]
    cause = error.__cause__
    details = getattr(cause, "schema_errors", None)
    if details:
        return f"{error}: {details[0].message}"
    return f"{error}: {cause}" if cause else str(error)


def check_request(service: str, call: Call) -> str | None:
    """Why the document refuses this request (None: it accepts it)."""
    return _first_error(_validator(service).unmarshal_request(call))


def check_response(service: str, call: Call, answer: Answer) -> str | None:
    """Why the document refuses this answer to ``call`` (None: it accepts it)."""
    key = (service, call.method, call.path, answer.status_code, answer.data)
    if key not in _CHECKED:  # the same answer again (a poll, a benchmark) is not re-checked
        if len(_CHECKED) > 2000:
            _CHECKED.clear()
        _CHECKED[key] = _first_error(_validator(service).unmarshal_response(call, answer))
    return _CHECKED[key]


_CHECKED: dict[tuple[str, str, str, int, bytes], str | None] = {}
