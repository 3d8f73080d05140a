"""Configuration: a TOML file, secrets from the environment, errors that name the key."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from adapters import config_models
from adapters.irc import IrcConfig
from bot.config import ConfigError, load_config

ROOT = Path(__file__).resolve().parents[1]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "forgebot.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_need_no_file() -> None:
    config = load_config(None, env={})
    assert config.bot.prefix == "!tf" and config.bot.confirm_ttl_seconds == 120
    assert config.storage_url.endswith("data/forgebot.sqlite3")
    assert config.toolforge.url == "https://api.svc.tools.eqiad1.wikimedia.cloud:30003"
    assert config.adapters == {}


def test_file_settings_and_env_secrets(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[bot]\nprefix = "!bot"\nadmins = ["sre1"]\n'
        '[toolforge]\ntimeout = 3\n[toolforge.tools.mytool]\n'
        'cert_file = "c.crt"\nkey_file = "c.key"\n'
        '[directory]\nfile = "maintainers.toml"\n[gitlab]\nurl = "https://gitlab.example"\n'
        '[irc]\nchannels = ["#x"]\n',
    )
    env = {
        "FORGEBOT_TOOLFORGE_TOKEN": "tok-123456",
        "FORGEBOT_GITLAB_TOKEN": "glpat-abcdefgh",
        "FORGEBOT_DATABASE_URL": "postgresql+psycopg://x@h/db",
        "TOOL_TOOLFORGE_API_URL": "https://api.example:30003",
        "FORGEBOT_IRC_PASSWORD": "irc-pw-123456",
    }
    config = load_config(path, env=env, adapters=config_models())
    assert config.bot.prefix == "!bot" and config.bot.admins == ("sre1",)
    assert config.toolforge.timeout == 3.0
    assert config.toolforge.url == "https://api.example:30003"
    assert config.toolforge.token == "tok-123456"
    assert config.toolforge.tools["mytool"].cert_file == "c.crt"
    assert config.directory.file == tmp_path / "maintainers.toml"
    assert config.storage_url == "postgresql+psycopg://x@h/db"
    assert config.gitlab.url == "https://gitlab.example"
    irc = config.adapters["irc"]
    assert isinstance(irc, IrcConfig)
    assert irc.channels == ("#x",) and irc.password == "irc-pw-123456"
    shown = repr(config)
    assert not {"tok-123456", "glpat-abcdefgh", "irc-pw-123456"} & set(shown.split("'"))
    assert "tok-123456" not in shown and "irc-pw-123456" not in shown


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[bot]\nprefx = '!x'\n", "bot.prefx: unknown key (known: admins, confirm_ttl_seconds"),
        ("[bots]\n", "bots: unknown table (known: announce, bot, directory, front, gitlab, "
                      "http, irc,"),
        ("[bot]\nconfirm_ttl_seconds = 'two'\n", "bot.confirm_ttl_seconds: expected an integer"),
        ("[bot]\nconfirm_ttl_seconds = 5\n", "bot.confirm_ttl_seconds: must be at least 10"),
        ("[http]\nport = 70000\n", "http.port: must be at most 65535"),
        ("[toolforge]\ntoken = 'x'\n", "toolforge.token: keep secrets out of the file; set "
         "the environment variable FORGEBOT_TOOLFORGE_TOKEN"),
        ("[toolforge.tools.t]\ncert_file = 'a'\n", "toolforge.tools.t.key_file: is required"),
        ("[zulip]\nsite = 'z.example'\nemail = 'b@z'\nmax_message_length = 'many'\n",
         "zulip.max_message_length: expected an integer"),
        ("[zulip]\nsite = 'z.example'\n", "zulip.email: is required"),
        ("[slack]\nmode = 'websocket'\n", "slack.mode: input should be 'socket' or 'http'"),
        ("[irc]\nport = '6697'\n", "irc.port: expected an integer"),
        ("bot = 3\n", "bot: expected a table"),
        ("[bot\n", "not valid TOML"),
    ],
)
def test_bad_settings_name_the_file_and_the_key(
    tmp_path: Path, text: str, message: str
) -> None:
    path = write(tmp_path, text)
    env = {"FORGEBOT_ZULIP_API_KEY": "k", "FORGEBOT_IRC_PASSWORD": "p",
           "FORGEBOT_SLACK_BOT_TOKEN": "b", "FORGEBOT_SLACK_APP_TOKEN": "a"}
    with pytest.raises(ConfigError) as caught:
        load_config(path, env=env, adapters=config_models())
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)


def test_the_example_configuration_loads_and_names_every_table() -> None:
    example = ROOT / "forgebot.example.toml"
    env = {"FORGEBOT_IRC_PASSWORD": "pw", "FORGEBOT_ZULIP_API_KEY": "k",
           "FORGEBOT_SLACK_BOT_TOKEN": "xoxb", "FORGEBOT_SLACK_APP_TOKEN": "xapp"}
    config = load_config(example, env=env, adapters=config_models())
    assert set(config.adapters) == {"irc", "zulip", "slack"}
    text = example.read_text(encoding="utf-8")
    for table in ("[bot]", "[limits]", "[storage]", "[toolforge]", "[directory]", "[ldap]",
                  "[link]", "[gitlab]", "[migration]", "[http]", "[irc]", "[zulip]", "[slack]"):
        assert table in text


def test_reading_the_configuration_loads_no_chat_library() -> None:
    import subprocess

    probe = (
        "import sys; from adapters import config_models; config_models(); "
        "print(sorted(m for m in ('irc', 'zulip', 'slack_bolt', 'slack_sdk') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_an_ldap_table_chooses_ldap_with_its_password_from_the_environment(
    tmp_path: Path,
) -> None:
    path = tmp_path / "forgebot.toml"
    path.write_text(
        '[ldap]\nuris = ["ldaps://ldap-ro.example"]\n'
        'bind_dn = "cn=proxyagent,ou=profile,dc=wikimedia,dc=org"\n'
        '[link]\ndiscovery_url = "https://idp.example/.well-known/openid-configuration"\n'
        'client_id = "forgebot"\n[http]\npublic_url = "https://forgebot.example"\n',
        encoding="utf-8",
    )
    env = {"FORGEBOT_LDAP_BIND_PASSWORD": "pw", "FORGEBOT_OIDC_CLIENT_SECRET": "s"}
    config = load_config(path, env=env, adapters=config_models())
    assert config.ldap is not None and config.ldap.uris == ("ldaps://ldap-ro.example",)
    assert (config.ldap.bind_password, config.link.client_secret) == ("pw", "s")
    assert config.link.enabled and config.http.public_url == "https://forgebot.example"
    assert load_config(None, env={}, adapters=config_models()).ldap is None

    path.write_text('[ldap]\nbind_password = "oops"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path, env=env, adapters=config_models())
    assert "ldap.bind_password: keep secrets out of the file" in str(caught.value)
    assert "FORGEBOT_LDAP_BIND_PASSWORD" in str(caught.value)


def test_the_data_lives_under_tool_data_dir_when_toolforge_sets_it(tmp_path: Path) -> None:
    config_file = tmp_path / "checkout" / "forgebot.toml"
    config_file.parent.mkdir()
    config_file.write_text('[storage]\ndata_dir = "forgebot"\n', encoding="utf-8")
    home = tmp_path / "home"
    home.mkdir()
    on_toolforge = load_config(config_file, {"TOOL_DATA_DIR": str(home)})
    assert on_toolforge.storage_url == f"sqlite:///{home / 'forgebot' / 'forgebot.sqlite3'}"
    # elsewhere, next to the file; an absolute data_dir or FORGEBOT_DATA_DIR wins anywhere
    assert load_config(config_file, {}).storage.data_dir == config_file.parent / "forgebot"
    own = load_config(config_file, {"TOOL_DATA_DIR": str(home), "FORGEBOT_DATA_DIR": "/srv/x"})
    assert own.storage.data_dir == Path("/srv/x")


def test_an_unmounted_tool_home_is_refused_unless_the_data_is_elsewhere(tmp_path: Path) -> None:
    missing = {"TOOL_DATA_DIR": str(tmp_path / "not-mounted")}
    with pytest.raises(ConfigError, match=r"TOOL_DATA_DIR: .* is not a directory.*--mount=all"):
        load_config(None, missing)
    toolsdb = load_config(None, {**missing, "FORGEBOT_DATABASE_URL": "mysql+pymysql://u@h/db"})
    assert toolsdb.storage_url == "mysql+pymysql://u@h/db"


def test_port_listens_on_every_interface_and_logs_can_be_json(tmp_path: Path) -> None:
    config = load_config(None, {"PORT": "8000", "FORGEBOT_LOG_FORMAT": "JSON"})
    assert (config.http.host, config.http.port, config.log.format) == ("0.0.0.0", 8000, "json")
    with pytest.raises(ConfigError, match="FORGEBOT_LOG_LEVEL: input should be 'debug'"):
        load_config(None, {"FORGEBOT_LOG_LEVEL": "loud"})


def test_the_shipped_deployment_configuration_loads_as_toolforge_runs_it(tmp_path: Path) -> None:
    env = {"TOOL_DATA_DIR": str(tmp_path), "PORT": "8000", "FORGEBOT_IRC_PASSWORD": "pw-123456"}
    config = load_config(ROOT / "forgebot.toml", env, adapters=config_models())
    assert config.storage.data_dir == tmp_path / "forgebot"
    assert (config.http.host, config.http.port) == ("0.0.0.0", 8000)
    assert set(config.adapters) == {"irc"} and config.ldap is not None
    assert (ROOT / "Procfile").read_text() == "web: forgebot run --config forgebot.toml\n"
