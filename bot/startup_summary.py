"""What the process started from, in a few log lines an operator can check, with no secret.

The configuration file and every setting it changes from the defaults, per
table; then the environment forgebot reads. A secret (a field the
configuration takes from the environment) is never shown, nor any value an
unknown variable holds: only that it is set. Passwords inside database URLs
are hidden, and the lines are redacted with the secret values themselves on
top of that, so that a secret pasted into an ordinary key does not show either.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bot.config import Config, Section

# Variables whose values say where things are, never what a credential is.
SHOWN = ("PORT", "TOOL_DATA_DIR", "TOOL_TOOLFORGE_API_URL", "FORGEBOT_CONFIG",
         "FORGEBOT_DATA_DIR", "FORGEBOT_LOG_LEVEL", "FORGEBOT_LOG_FORMAT")  # fmt: skip
URLS = ("FORGEBOT_DATABASE_URL",)  # shown with their password hidden


def summary(config: Config, path: Path | None, env: Mapping[str, str]) -> list[str]:
    """Log lines: the file, the settings it changes, the environment read."""
    where = str(path) if path else "no file (the embedded defaults)"
    lines = [f"configuration: {where}"]
    tables: dict[str, Section | None] = {
        name: getattr(config, name) for name in Config.model_fields if name != "adapters"
    }
    tables.update(config.adapters)
    # Tables whose mere presence changes what runs: said even when all their keys are defaults.
    present = {"ldap", *config.adapters}
    secret_names: set[str] = set()
    for name, table in tables.items():
        if table is None:
            continue
        secret_names.update(type(table).secret_env(_raw(table)).values())
        changed = _changed(table)
        if changed:
            lines.append(f"[{name}] " + ", ".join(f"{k} = {v}" for k, v in changed.items()))
        elif name in present:
            lines.append(f"[{name}] (the defaults)")
    lines.append("environment: " + _environment(env, secret_names))
    secrets = [env[name] for name in secret_names if env.get(name)]
    from bot.redact import redact_lines

    return redact_lines(lines, secrets)


def _raw(table: Section) -> dict[str, Any]:
    return table.model_dump()


def _changed(table: Section) -> dict[str, str]:
    """The settings of ``table`` that differ from its defaults, secrets left out."""
    model = type(table)
    secret_fields = set(model.secret_env(_raw(table))) | {
        name for name, field in model.model_fields.items() if not field.repr
    }
    changed = {}
    for name, field in model.model_fields.items():
        if name in secret_fields:
            continue
        value = getattr(table, name)
        if not field.is_required() and value == field.get_default(call_default_factory=True):
            continue
        changed[name] = _show(name, value)
    return changed


def _show(name: str, value: Any) -> str:
    if isinstance(value, Section):
        return "{" + ", ".join(f"{k} = {v}" for k, v in _changed(value).items()) + "}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_show(k, v)}" for k, v in value.items()) + "}"
    if isinstance(value, tuple):
        return "[" + ", ".join(str(v) for v in value) + "]"
    if name == "url" and isinstance(value, str):
        return _hide_password(value)
    return str(value)


def _environment(env: Mapping[str, str], secret_names: set[str]) -> str:
    parts = []
    for name in sorted(env):
        if not env[name]:
            continue
        if name in SHOWN:
            parts.append(f"{name}={env[name]}")
        elif name in URLS:
            parts.append(f"{name}={_hide_password(env[name])}")
        elif name in secret_names or name.startswith("FORGEBOT_"):
            parts.append(f"{name} (set)")
    return ", ".join(parts) or "none of forgebot's variables"


def _hide_password(url: str) -> str:
    if "://" not in url or "@" not in url:
        return url
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.rsplit('@', 1)[1]}"
