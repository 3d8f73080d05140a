"""Configuration: one TOML file for settings, the environment for secrets.

Every table of the file is a typed model of one family (:class:`Section`):
an unknown key or a value of the wrong type is an error that names the file
and the key path (``forgebot.toml: irc.port: expected an integer``), and a
secret written into the file is refused. Secrets (API tokens, chat passwords)
come only from the environment, as Toolforge envvars provide them. Every
setting has an embedded default, so ``forgebot console --sandbox`` runs with
no file at all.

The core reads its own tables here; each chat adapter declares the model of
its table next to its code (``adapters/<name>/config.py``) and the loader is
handed those models, so this module never imports an adapter.
"""

from __future__ import annotations

import os
import tomllib
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, Strict, ValidationError, field_validator

DEFAULT_TOOLFORGE_URL = "https://api.svc.tools.eqiad1.wikimedia.cloud:30003"
LaxPath = Annotated[Path, Strict(False)]


class ConfigError(ValueError):
    """A setting is wrong; the message names the file (when there is one) and the key."""


class Section(BaseModel):
    """One table of the configuration file.

    ``SECRETS`` maps a field to the environment variable it is read from; such
    a field may not appear in the file.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
    SECRETS: ClassVar[Mapping[str, str]] = {}

    @classmethod
    def secret_env(cls, table: Mapping[str, Any]) -> Mapping[str, str]:
        """Which environment variable each secret field comes from (a table may choose)."""
        return cls.SECRETS

    @classmethod
    def from_table(
        cls, table: Mapping[str, Any], env: Mapping[str, str], where: str = ""
    ) -> Self:
        """The section from a TOML table, with its secrets from ``env``."""
        data = {key: _tuples(value) for key, value in table.items()}
        for name, variable in cls.secret_env(table).items():
            if name in table:
                raise ConfigError(
                    f"{_join(where, name)}: keep secrets out of the file; "
                    f"set the environment variable {variable} instead"
                )
            data[name] = env.get(variable, "").strip()
        try:
            return cls.model_validate(data)
        except ValidationError as error:
            raise ConfigError(describe(error, cls, where)) from None

    @classmethod
    def from_toml(cls, table: Mapping[str, Any], env: Mapping[str, str]) -> Self:
        return cls.from_table(table, env)

    def replace(self, **changes: Any) -> Self:
        """A copy with ``changes``, validated like the original."""
        return type(self)(**{**dict(self), **changes})


class AdapterSection(Section):
    """The table of a chat adapter; ``enabled = false`` keeps it without starting it."""

    enabled: bool = True


class BotSettings(Section):
    name: str = "forgebot"
    prefix: str = "!tf"
    admins: tuple[str, ...] = ()  # developer accounts
    confirm_ttl_seconds: int = Field(120, ge=10, le=3600)
    log_lines_default: int = Field(20, ge=1)
    log_lines_max: int = Field(200, ge=1)
    follow_seconds: int = Field(120, ge=1, le=3600)  # how long logs --follow sends new lines


class LimitsSettings(Section):
    """Rate limits, as ``limits`` writes them ("20/minute", "5 per 10 minutes")."""

    commands: str = "20/minute"  # per person the chat service identifies
    unidentified_commands: str = "5/minute"  # per nick not logged in
    unidentified_total: str = "30/minute"  # all of those together, per platform
    wrong_codes: str = "5 per 10 minutes"  # then confirm is locked for the rest of the window

    @field_validator("commands", "unidentified_commands", "unidentified_total", "wrong_codes")
    @classmethod
    def _rate(cls, value: str) -> str:
        from limits import parse

        try:
            parse(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a rate such as '20/minute'") from None
        return value


class StorageSettings(Section):
    url: str = ""  # empty: SQLite in data_dir
    # Relative: under $TOOL_DATA_DIR when it is set (a Toolforge tool's home, kept
    # across restarts), else next to the configuration file.
    data_dir: LaxPath = Path("data")


class ToolCertificate(Section):
    cert_file: str
    key_file: str


class ToolforgeSettings(Section):
    SECRETS: ClassVar[Mapping[str, str]] = {"token": "FORGEBOT_TOOLFORGE_TOKEN"}

    url: str = DEFAULT_TOOLFORGE_URL
    timeout: float = Field(10.0, gt=0)
    cert_file: str | None = None
    key_file: str | None = None
    ca_file: str | None = None
    token: str = Field("", repr=False)
    tools: dict[str, ToolCertificate] = {}  # self-hosted mode: one certificate per tool


class FrontSettings(Section):
    """How the tools' web front is probed (``diagnose``, ``status``)."""

    url: str = "https://{tool}.toolforge.org/"  # {tool} is the tool's name
    timeout: float = Field(5.0, gt=0)  # for the whole probe, redirects included
    user_agent: str = "forgebot/0.1 (Toolforge chat-ops bot; web front probe)"

    @field_validator("url")
    @classmethod
    def _has_tool(cls, value: str) -> str:
        if "{tool}" not in value:
            raise ValueError("must contain {tool} where the tool's name goes")
        return value


class KubernetesTool(Section):
    """Self-hosted mode: the tool's own credentials (``~/.kube/config`` or its certificate)."""

    kubeconfig: str | None = None
    cert_file: str | None = None
    key_file: str | None = None


class KubernetesSettings(Section):
    """The Kubernetes API, where classic web services (``webservice start``) live.

    Platform mode: ``url`` and a service account token (env
    ``FORGEBOT_KUBERNETES_TOKEN``, or ``token_file`` where it is mounted and
    rotated) allowed to read Deployments and Pods and to delete Pods in the
    ``tool-*`` namespaces. Self-hosted mode: a table per tool in ``tools``.
    Empty ``url`` and no tools: classic web services are not read.
    """

    SECRETS: ClassVar[Mapping[str, str]] = {"token": "FORGEBOT_KUBERNETES_TOKEN"}

    url: str = ""
    ca_file: str | None = None  # the API server's CA (Toolforge's is an internal one)
    verify: bool = True  # false: the server is not verified (as the webservice CLI does)
    timeout: float = Field(10.0, gt=0)
    token: str = Field("", repr=False)
    token_file: str | None = None
    tools: dict[str, KubernetesTool] = {}


class DirectorySettings(Section):
    file: LaxPath | None = None  # [tools.<tool>] maintainers = [...], [accounts.<name>] email


class LdapSettings(Section):
    """The developer LDAP (read-only replicas); when this table is present it is the
    maintainer directory, and ``[directory] file`` is not read."""

    SECRETS: ClassVar[Mapping[str, str]] = {"bind_password": "FORGEBOT_LDAP_BIND_PASSWORD"}

    uris: tuple[str, ...] = ("ldaps://ldap-ro.eqiad.wikimedia.org",)
    base_dn: str = "dc=wikimedia,dc=org"
    bind_dn: str = ""  # empty: anonymous bind
    bind_password: str = Field("", repr=False)
    ca_file: str | None = None  # a private CA instead of the system's, for ldaps:// or start_tls
    start_tls: bool = False
    timeout: float = Field(5.0, gt=0, le=60)  # per query, connecting included
    cache_seconds: float = Field(300.0, ge=0)  # how long an answer is believed
    negative_cache_seconds: float = Field(60.0, ge=0)  # how long "no such tool/account" is
    connections: int = Field(4, ge=1, le=64)  # queries in flight at once
    tool_prefix: str = "tools."  # cn=tools.<tool>,ou=servicegroups,<base_dn>
    admin_tool: str = "admin"  # members of cn=tools.admin are forgebot admins; "" for none


class LinkSettings(Section):
    """Self-service identity links: people log in with their developer account (OIDC)."""

    SECRETS: ClassVar[Mapping[str, str]] = {"client_secret": "FORGEBOT_OIDC_CLIENT_SECRET"}

    discovery_url: str = ""  # .../.well-known/openid-configuration; empty: no self-service
    client_id: str = ""
    client_secret: str = Field("", repr=False)
    scopes: tuple[str, ...] = ("openid", "profile")
    account_claim: str = "preferred_username"  # the claim that names the developer account
    account_attribute: str = Field("uid", pattern="^(uid|cn)$")  # what that claim holds
    ttl_seconds: int = Field(600, ge=60, le=3600)  # a link URL works once, this long
    timeout: float = Field(10.0, gt=0)  # calls to the provider

    @property
    def enabled(self) -> bool:
        return bool(self.discovery_url)


class GitLabSettings(Section):
    SECRETS: ClassVar[Mapping[str, str]] = {"token": "FORGEBOT_GITLAB_TOKEN"}

    url: str = "https://gitlab.wikimedia.org"  # the only GitLab the migration reads from chat
    token: str = Field("", repr=False)


class MigrationSettings(Section):
    guides_url: str = ""  # where migration_guides/ is published; relative links if empty


class SalDestination(Section):
    """One place SAL lines go: ``platform:destination`` as ``send`` takes it."""

    to: str  # "irc:#wikimedia-cloud-feed", "zulip:stream:toolforge>SAL", "slack:C0123"
    tools: tuple[str, ...] = ()  # only these tools' actions; empty: every tool

    @field_validator("to")
    @classmethod
    def _platform(cls, value: str) -> str:
        platform, _, where = value.partition(":")
        if not platform or not where:
            raise ValueError("expected platform:destination, such as 'irc:#wikimedia-cloud-feed'")
        return value


class SalSettings(Section):
    """The tools' Server Admin Log: each successful acting command also says
    ``!log tools.<tool> <what> (via forgebot for <account>)``; off while empty."""

    destinations: tuple[SalDestination, ...] = ()


class LogSettings(Section):
    """What the process logs, and how: one line of text or of JSON per record."""

    # env FORGEBOT_LOG_LEVEL; unset: info for `forgebot run`, warning at the console
    level: Literal["debug", "info", "warning", "error"] | None = None
    format: Literal["text", "json"] = "text"  # env FORGEBOT_LOG_FORMAT


class PagesSettings(Section):
    """Answers too long for a chat, as short-lived pages on the HTTP server; used only
    where ``[http] public_url`` says how people reach it."""

    enabled: bool = True
    ttl_seconds: int = Field(3600, ge=60, le=86400)  # how long a page (and ``more``) is kept


class HttpSettings(Section):
    host: str = "127.0.0.1"
    port: int = Field(0, ge=0, le=65535)  # 0: no HTTP server unless something needs one
    public_url: str = ""  # how people reach it (link pages); empty: http://host:port


class AnnounceSettings(Section):
    """Announcements: where they may go, how mail is sent, how the outbox is drained."""

    # Destinations an announcement may name: "irc:#wikimedia-cloud",
    # "zulip:stream:<stream>><topic>", "slack:<channel id>".
    channels: tuple[str, ...] = ()
    mail_domain: str = "toolforge.org"  # mail to <account>@<domain> reaches the address on file
    smtp_host: str = ""  # empty: no email (maintainers with no chat link are unreachable)
    smtp_port: int = Field(25, ge=1, le=65535)
    smtp_sender: str = "forgebot@toolforge.org"
    smtp_starttls: bool = False
    smtp_timeout: float = Field(30.0, gt=0)
    max_title: int = Field(120, ge=10, le=255)
    max_body: int = Field(4000, ge=100, le=20000)
    selector_concurrency: int = Field(8, ge=1, le=64)  # jobs API calls at once for a selector
    # The dispatcher: deliveries in flight per platform (the duplicate bound after a
    # crash), how long a claim lives unrenewed, retries with backoff, then "failed".
    in_flight: int = Field(8, ge=1, le=200)
    claim_timeout_seconds: float = Field(120.0, ge=1)
    retry_initial_seconds: float = Field(30.0, gt=0)
    retry_max_seconds: float = Field(1800.0, gt=0)
    max_attempts: int = Field(12, ge=1)
    poll_seconds: float = Field(5.0, gt=0)  # how often another process's new rows are looked for


class RemindersSettings(Section):
    """Reminders of announcements: to recipients who have not acknowledged, a bounded
    number ``every_hours`` apart, and one ``before_window_minutes`` before a window."""

    every_hours: float = Field(24.0, gt=0)
    most: int = Field(2, ge=0, le=10)  # 0: no reminders to the silent
    before_window_minutes: int = Field(30, ge=0, le=24 * 60)  # 0: none before windows
    poll_seconds: float = Field(60.0, gt=0)  # how often due reminders are looked for


class Config(Section):
    bot: BotSettings = BotSettings()
    limits: LimitsSettings = LimitsSettings()
    storage: StorageSettings = StorageSettings()
    toolforge: ToolforgeSettings = ToolforgeSettings()
    directory: DirectorySettings = DirectorySettings()
    ldap: LdapSettings | None = None  # present: the maintainer directory is LDAP
    link: LinkSettings = LinkSettings()
    gitlab: GitLabSettings = GitLabSettings()
    migration: MigrationSettings = MigrationSettings()
    http: HttpSettings = HttpSettings()
    sal: SalSettings = SalSettings()
    log: LogSettings = LogSettings()
    pages: PagesSettings = PagesSettings()
    front: FrontSettings = FrontSettings()
    kubernetes: KubernetesSettings = KubernetesSettings()
    announce: AnnounceSettings = AnnounceSettings()
    reminders: RemindersSettings = RemindersSettings()
    # One validated table per chat adapter configured ([irc], [zulip], [slack]).
    adapters: dict[str, AdapterSection] = {}

    @property
    def storage_url(self) -> str:
        return self.storage.url or f"sqlite:///{self.storage.data_dir / 'forgebot.sqlite3'}"


AdapterModels = Mapping[str, type[AdapterSection]]


def load_config(
    path: Path | None,
    env: Mapping[str, str] | None = None,
    adapters: AdapterModels | None = None,
) -> Config:
    """Read ``path`` (if given) and apply the environment; ``adapters`` are the models of
    the chat adapters' tables (``adapters.config_models()``)."""
    env = os.environ if env is None else env
    data: dict[str, Any] = {}
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise ConfigError(f"{path}: cannot be read ({error.strerror})") from None
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"{path}: not valid TOML ({error})") from None
    try:
        return parse_config(data, env, adapters or {}, base=path.parent if path else Path.cwd())
    except ConfigError as error:
        raise ConfigError(f"{path}: {error}" if path else str(error)) from None


def parse_config(
    data: Mapping[str, Any], env: Mapping[str, str], adapters: AdapterModels, base: Path
) -> Config:
    """The configuration from parsed TOML; relative paths are taken from ``base``."""
    tables = dict(data)
    chosen = {
        name: model.from_table(tables.pop(name), env, where=name)
        for name, model in adapters.items()
        if name in tables
    }
    sections: dict[str, Any] = {}
    for name, field in Config.model_fields.items():
        if name == "adapters" or name not in tables:
            continue
        model = _section_model(field.annotation)
        table = tables.pop(name)
        if not isinstance(table, dict):
            raise ConfigError(f"{name}: expected a table ([{name}])")
        sections[name] = model.from_table(table, env, where=name)
    if tables:
        known = sorted([*Config.model_fields.keys() - {"adapters"}, *adapters])
        raise ConfigError(f"{sorted(tables)[0]}: unknown table (known: {', '.join(known)})")
    secret_tables = (("toolforge", ToolforgeSettings), ("gitlab", GitLabSettings),
                     ("kubernetes", KubernetesSettings))  # fmt: skip
    for name, model in secret_tables:
        if name not in sections:
            sections[name] = model.from_table({}, env, where=name)
    config = Config(**sections, adapters=chosen)
    return _overridden(config, env, base)


def _section_model(annotation: Any) -> type[Section]:
    """The Section class of a field typed ``Section`` or ``Section | None``."""
    for candidate in (annotation, *typing.get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, Section):
            return candidate
    raise AssertionError(f"{annotation} is not a Section")


def _overridden(config: Config, env: Mapping[str, str], base: Path) -> Config:
    """Environment overrides, and paths relative to the file made absolute."""
    storage = config.storage
    url = env.get("FORGEBOT_DATABASE_URL") or storage.url
    data_dir = Path(env.get("FORGEBOT_DATA_DIR") or storage.data_dir)
    if not data_dir.is_absolute():
        data_dir = (_data_base(env, needed=not url) or base) / data_dir
    storage = storage.replace(url=url, data_dir=data_dir)
    toolforge = config.toolforge
    toolforge = toolforge.replace(url=env.get("TOOL_TOOLFORGE_API_URL") or toolforge.url)
    directory = config.directory
    if directory.file is not None and not directory.file.is_absolute():
        directory = directory.replace(file=base / directory.file)
    http = config.http
    if env.get("PORT"):  # Toolforge's web services listen on 0.0.0.0:$PORT
        try:
            http = http.replace(host="0.0.0.0", port=int(env["PORT"]))
        except ValueError:
            raise ConfigError(f"PORT: expected a port number, not {env['PORT']!r}") from None
    log = config.log
    for key, variable in (("level", "FORGEBOT_LOG_LEVEL"), ("format", "FORGEBOT_LOG_FORMAT")):
        if env.get(variable):
            try:
                log = log.replace(**{key: env[variable].strip().lower()})
            except ValidationError as error:
                problem = describe(error, LogSettings).split(": ", 1)[-1]
                raise ConfigError(f"{variable}: {problem}") from None
    return config.replace(
        storage=storage, toolforge=toolforge, directory=directory, http=http, log=log
    )


def _data_base(env: Mapping[str, str], *, needed: bool) -> Path | None:
    """$TOOL_DATA_DIR, where a Toolforge tool keeps files across restarts (its home on NFS).

    A build-service container's own filesystem is lost at every restart, so when
    the SQLite file is to go there and the home is not mounted, say so rather
    than keep the data where it will vanish.
    """
    tool_data = env.get("TOOL_DATA_DIR")
    if not tool_data:
        return None
    if needed and not Path(tool_data).is_dir():
        raise ConfigError(
            f"TOOL_DATA_DIR: {tool_data} is not a directory; run forgebot with the tool's "
            "home mounted (--mount=all), or set FORGEBOT_DATABASE_URL (ToolsDB)"
        )
    return Path(tool_data)


def describe(error: ValidationError, model: type[BaseModel], where: str = "") -> str:
    """A pydantic error as one sentence per problem: key path, then what is wrong."""
    sentences = []
    for problem in error.errors():
        loc = [str(part) for part in problem["loc"]]
        path = _join(where, ".".join(loc))
        kind = problem["type"]
        if kind == "extra_forbidden":
            known = _known_keys(model, loc[:-1])
            what = f"unknown key (known: {', '.join(known)})" if known else "unknown key"
        elif kind == "value_error":
            what = str(problem["ctx"]["error"]) if "ctx" in problem else problem["msg"]
        elif kind in _BOUNDS:
            what = f"must be {_BOUNDS[kind][1]} {problem['ctx'][_BOUNDS[kind][0]]}"
        else:
            what = _PHRASES.get(kind) or problem["msg"][0].lower() + problem["msg"][1:]
        sentences.append(f"{path}: {what}" if path else what)
    return "; ".join(sentences)


_BOUNDS = {
    "greater_than_equal": ("ge", "at least"),
    "less_than_equal": ("le", "at most"),
    "greater_than": ("gt", "more than"),
    "less_than": ("lt", "less than"),
}
_PHRASES = {
    "int_type": "expected an integer",
    "int_parsing": "expected an integer",
    "bool_type": "expected true or false",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "string_type": "expected a string",
    "tuple_type": "expected a list",
    "list_type": "expected a list",
    "dict_type": "expected a table",
    "model_type": "expected a table",
    "missing": "is required",
}


def _known_keys(model: type[BaseModel], loc: list[str]) -> list[str]:
    for part in loc:
        field = model.model_fields.get(part)
        annotation = field.annotation if field else None
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return []
        model = annotation
    return sorted(model.model_fields)


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where and key else where or key


def _tuples(value: Any) -> Any:
    """TOML arrays as tuples (the models are immutable), tables kept as tables."""
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    if isinstance(value, dict):
        return {k: _tuples(v) for k, v in value.items()}
    return value
