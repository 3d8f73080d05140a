"""The body of ``POST``/``PATCH /jobs`` checked as the jobs API's pydantic models check it.

Three models are tried in turn (one-off, scheduled, continuous); unknown keys
are refused; numbers and booleans are read leniently ("8080" is a port, as
pydantic's lax mode reads it, and jobs-cli sends it so). A body that fits no
model is a 422 with one FastAPI ``detail`` entry per model and problem. The
job name is checked first and its error is a 400, as in the real service,
where that validator raises the API's own error from inside pydantic.
"""

from __future__ import annotations

import re
from typing import Any

from bot.toolforge.sandbox._state import ApiError

NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
NAME_MAX = 52
_QUANTITY = re.compile(r"^([+-]?[0-9.]+)(Ki|Mi|Gi|Ti|Pi|Ei|k|K|M|G|T|P|E|m|u|n)?$")
_TRUE = {"true", "1", "yes", "on", "t", "y"}
_FALSE = {"false", "0", "no", "off", "f", "n"}
_COMMON = ("name", "cmd", "imagename", "filelog", "filelog_stdout", "filelog_stderr", "emails",
           "mount", "memory", "cpu")  # fmt: skip
MODELS: dict[str, tuple[str, ...]] = {
    "one-off": (*_COMMON, "job_type", "retry", "continuous"),
    "scheduled": (*_COMMON, "schedule", "job_type", "retry", "timeout", "continuous"),
    "continuous": (*_COMMON, "job_type", "continuous", "replicas", "port", "port_protocol",
                   "publish", "health_check"),
}  # fmt: skip
_MODEL_NAMES = {"one-off": "NewOneOffJob", "scheduled": "NewScheduledJob",
                "continuous": "NewContinuousJob"}  # fmt: skip


class Invalid(Exception):
    def __init__(self, kind: str, field: str, message: str, value: Any, **ctx: Any) -> None:
        super().__init__(message)
        self.entry = {"type": kind, "field": field, "msg": message, "input": value, "ctx": ctx}


def check_name(name: Any) -> str:
    if not isinstance(name, str) or not name:
        raise ApiError(
            400,
            "Job name is required. See the documentation for the naming rules: https://w.wiki/6YL8",
        )
    if not NAME.match(name):
        raise ApiError(
            400, "Invalid job name. See the documentation for the naming rules: https://w.wiki/6YL8"
        )
    if len(name) > NAME_MAX:
        raise ApiError(
            400,
            f"Invalid job name, it can't be longer than {NAME_MAX} characters. "
            "See the documentation for the naming rules: https://w.wiki/6YL8",
        )
    return name


def quantity(value: Any) -> float:
    """A Kubernetes quantity in base units (bytes, cores); ValueError like weld's parser."""
    found = _QUANTITY.match(str(value).strip())
    if not found:
        raise ValueError(f"{value} is not a valid kubernetes quantity")
    number, unit = float(found.group(1)), found.group(2) or ""
    scale = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60,
             "k": 1e3, "K": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18,
             "m": 1e-3, "u": 1e-6, "n": 1e-9}.get(unit, 1)  # fmt: skip
    return number * scale


def _string(field: str, value: Any) -> str:
    if not isinstance(value, str):
        raise Invalid("string_type", field, "Input should be a valid string", value)
    return value


def _int(field: str, value: Any, low: int | None = None, high: int | None = None) -> int:
    number: int | None = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+\s*", value):
        number = int(value)
    if number is None:
        raise Invalid(
            "int_parsing",
            field,
            "Input should be a valid integer, unable to parse string as an integer"
            if isinstance(value, str)
            else "Input should be a valid integer",
            value,
        )
    if low is not None and number < low:
        raise Invalid("greater_than_equal", field, f"Input should be greater than or equal to "
                      f"{low}", value, ge=low)  # fmt: skip
    if high is not None and number > high:
        raise Invalid("less_than_equal", field, f"Input should be less than or equal to {high}",
                      value, le=high)  # fmt: skip
    return number


def _bool(field: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.lower() in _TRUE | _FALSE:
        return value.lower() in _TRUE
    raise Invalid("bool_parsing", field, "Input should be a valid boolean", value)


def _choice(field: str, value: Any, choices: tuple[str, ...]) -> str:
    if value not in choices:
        expected = " or ".join(f"'{c}'" for c in choices)
        raise Invalid("enum", field, f"Input should be {expected}", value, expected=expected)
    return str(value)


def _literal(field: str, value: Any, expected: Any) -> Any:
    if value != expected:
        shown = f"'{expected}'" if isinstance(expected, str) else str(expected)
        raise Invalid("literal_error", field, f"Input should be {shown}", value, expected=shown)
    return value


def _path(field: str, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise Invalid("path_type", field, "Input is not a valid path", value)
    return value


def _health_check(value: Any) -> dict[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, dict) or value.get("type") not in ("script", "http"):
        tag = value.get("type") if isinstance(value, dict) else value
        message = (
            f"Input tag '{tag}' found using 'type' does not match any of the expected tags: "
            "'script', 'http'"
        )
        raise Invalid("union_tag_invalid", "health_check", message, value)
    key = "script" if value["type"] == "script" else "path"
    extra = set(value) - {"type", key}
    if extra:
        field = sorted(extra)[0]
        raise Invalid("extra_forbidden", f"health_check.{value['type']}.{field}",
                      "Extra inputs are not permitted", value[field])  # fmt: skip
    if key not in value:
        raise Invalid("missing", f"health_check.{value['type']}.{key}", "Field required", value)
    return {"type": value["type"], key: _string(f"health_check.{key}", value[key])}


def _memory(field: str, value: Any) -> str:
    text = _string(field, value)
    try:
        quantity(text)
    except ValueError as error:
        raise Invalid("value_error", field, f"Value error, {error}", value) from None
    return text


_FIELDS = {
    "cmd": _string, "imagename": _string, "schedule": _string,
    "filelog": _bool, "continuous": _bool,
    "filelog_stdout": _path, "filelog_stderr": _path,
    "memory": _memory, "cpu": _memory,
    "emails": lambda f, v: _choice(f, v, ("none", "all", "onfinish", "onfailure")),
    "mount": lambda f, v: _choice(f, v, ("all", "none")),
    "retry": lambda f, v: _int(f, v, 0, 5),
    "timeout": lambda f, v: None if v is None else _int(f, v, 0),
    "replicas": lambda f, v: _int(f, v, 0),
    "port": lambda f, v: None if v is None else _int(f, v, 1, 65535),
    "port_protocol": lambda f, v: _choice(f, v, ("tcp", "udp")),
    "health_check": lambda f, v: _health_check(v),
}  # fmt: skip


def _try(kind: str, body: dict[str, Any]) -> dict[str, Any]:
    allowed = MODELS[kind]
    extra = [key for key in body if key not in allowed]
    if extra:
        raise Invalid("extra_forbidden", extra[0], "Extra inputs are not permitted", body[extra[0]])
    for required in ("name", "cmd", "imagename") + (("schedule",) if kind == "scheduled" else ()):
        if required not in body:
            raise Invalid("missing", required, "Field required", body)
    job: dict[str, Any] = {"name": body["name"]}
    for key, value in body.items():
        if key == "job_type":
            job[key] = _literal(key, value, kind)
        elif key == "continuous":
            job[key] = _literal(key, _bool(key, value), kind == "continuous")
        elif key == "publish":
            if not isinstance(value, str) or value != "/":
                raise Invalid("string_pattern_mismatch", key, "String should match pattern '^/$'",
                              value, pattern="^/$")  # fmt: skip
            job[key] = value
        elif key != "name":
            job[key] = _FIELDS[key](key, value)
    job["job_type"] = kind
    if kind == "continuous":
        job["continuous"] = True
    return job


def parse_new_job(body: Any) -> dict[str, Any]:
    """The job the body describes, with its ``job_type``; raises :class:`ApiError`."""
    if not isinstance(body, dict):
        detail = [{"type": "model_attributes_type", "loc": ["body"],
                   "msg": "Input should be a valid dictionary or object to extract fields from",
                   "input": body}]  # fmt: skip
        raise DetailError(detail)
    check_name(body.get("name"))
    errors: list[dict[str, Any]] = []
    for kind in MODELS:
        try:
            return _try(kind, body)
        except Invalid as problem:
            entry = dict(problem.entry)
            loc = ["body", _MODEL_NAMES[kind], *str(entry.pop("field")).split(".")]
            ctx = entry.pop("ctx")
            errors.append({**entry, "loc": loc, **({"ctx": ctx} if ctx else {})})
    raise DetailError(errors)


class DetailError(ApiError):
    """FastAPI's 422 answer: ``{"detail": [...]}``."""

    def __init__(self, detail: list[dict[str, Any]]) -> None:
        super().__init__(422, "; ".join(str(d.get("msg")) for d in detail))
        self.detail = detail

    def response(self):  # type: ignore[no-untyped-def]
        from aiohttp import web

        return web.json_response({"detail": self.detail}, status=422)
