from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.config import (
    DEFAULT_POLL_INTERVAL_SECONDS,
    DEFAULT_SLACK_API_URL,
    DEFAULT_TAVUS_API_URL,
    ConfigError,
    Settings,
)

BOT_TOKEN = "xoxb-1111-secret-bot"
SIGNING_SECRET = "signing-secret-value"
APP_TOKEN = "xapp-1-secret-app"
TAVUS_KEY = "tavus-secret-key"


def http_env(**overrides: str) -> dict[str, str]:
    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "TAVUS_API_KEY": TAVUS_KEY,
    }
    env.update(overrides)
    return env


def socket_env(**overrides: str) -> dict[str, str]:
    env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN, "TAVUS_API_KEY": TAVUS_KEY}
    env.update(overrides)
    return env


def without(env: dict[str, str], name: str) -> dict[str, str]:
    return {key: value for key, value in env.items() if key != name}


def config_error(env: dict[str, str]) -> str:
    with pytest.raises(ConfigError) as info:
        Settings.from_env(env)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_autouse_fixture_cleared_slack_and_tavus_variables() -> None:
    assert not [name for name in os.environ if name.startswith(("SLACK_", "TAVUS_"))]


def test_defaults() -> None:
    settings = Settings.from_env(http_env())

    assert settings.slack_bot_token == BOT_TOKEN
    assert settings.slack_signing_secret == SIGNING_SECRET
    assert settings.tavus_api_key == TAVUS_KEY
    assert settings.slack_app_token is None
    assert settings.socket_mode is False
    assert settings.slack_api_url == DEFAULT_SLACK_API_URL
    assert settings.tavus_api_url == DEFAULT_TAVUS_API_URL
    assert settings.default_persona_id is None
    assert settings.default_replica_id is None
    assert settings.public_url is None
    assert settings.host == "0.0.0.0"
    assert settings.port == 3000
    assert settings.database_path == Path("tavus_slack.db")
    assert settings.poll_interval_seconds == DEFAULT_POLL_INTERVAL_SECONDS
    assert settings.admins == frozenset()
    assert settings.log_level == "INFO"


def test_blank_values_count_as_unset() -> None:
    settings = Settings.from_env(http_env(PORT="  ", PUBLIC_URL="", LOG_LEVEL=" "))

    assert settings.port == 3000
    assert settings.public_url is None
    assert settings.log_level == "INFO"


def test_every_setting_is_read() -> None:
    settings = Settings.from_env(
        http_env(
            SLACK_API_URL="http://127.0.0.1:9000/api",
            TAVUS_API_URL="http://127.0.0.1:9001/",
            TAVUS_DEFAULT_PERSONA_ID="p1234abcd",
            TAVUS_DEFAULT_REPLICA_ID="r1234abcd",
            PUBLIC_URL="https://bot.example.com",
            HOST="127.0.0.1",
            PORT="8080",
            DATABASE_URL="sqlite:////var/lib/tavus.db",
            POLL_INTERVAL_SECONDS="2.5",
            TAVUS_SLACK_ADMINS="U0123ABCD, W0456EFGH",
            LOG_LEVEL="debug",
        )
    )

    assert settings.tavus_api_url == "http://127.0.0.1:9001"
    assert settings.default_persona_id == "p1234abcd"
    assert settings.default_replica_id == "r1234abcd"
    assert settings.host == "127.0.0.1"
    assert settings.port == 8080
    assert settings.database_path == Path("/var/lib/tavus.db")
    assert settings.poll_interval_seconds == 2.5
    assert settings.admins == frozenset({"U0123ABCD", "W0456EFGH"})
    assert settings.log_level == "DEBUG"


@pytest.mark.parametrize("name", ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "TAVUS_API_KEY"])
def test_missing_required_variable_is_named(name: str) -> None:
    message = config_error(without(http_env(), name))

    assert message.startswith(f"{name} is missing")


def test_socket_mode_does_not_need_a_signing_secret() -> None:
    settings = Settings.from_env(socket_env())

    assert settings.socket_mode is True
    assert settings.slack_app_token == APP_TOKEN
    assert settings.slack_signing_secret is None


@pytest.mark.parametrize("name", ["SLACK_BOT_TOKEN", "TAVUS_API_KEY"])
def test_socket_mode_still_needs_the_other_secrets(name: str) -> None:
    message = config_error(without(socket_env(), name))

    assert message.startswith(f"{name} is missing")


def test_bot_token_must_be_a_bot_token() -> None:
    message = config_error(http_env(SLACK_BOT_TOKEN="xoxp-user-token"))

    assert message.startswith("SLACK_BOT_TOKEN must start with xoxb-")
    assert "xoxp-user-token" not in message


def test_app_token_must_be_an_app_token() -> None:
    message = config_error(socket_env(SLACK_APP_TOKEN="xoxb-not-an-app-token"))

    assert message.startswith("SLACK_APP_TOKEN must start with xapp-")
    assert "xoxb-not-an-app-token" not in message


@pytest.mark.parametrize("name", ["SLACK_API_URL", "TAVUS_API_URL"])
@pytest.mark.parametrize("value", ["slack.com/api", "ftp://slack.com/api/", "https://"])
def test_api_urls_must_be_http_urls(name: str, value: str) -> None:
    message = config_error(http_env(**{name: value}))

    assert message.startswith(f"{name} must be an http(s) URL")


@pytest.mark.parametrize(
    "value",
    [
        "bot.example.com",
        "https://bot.example.com/?token=1",
        "https://bot.example.com/#top",
        "ws://bot.example.com",
    ],
)
def test_public_url_must_be_a_plain_http_url(value: str) -> None:
    message = config_error(http_env(PUBLIC_URL=value))

    assert message.startswith("PUBLIC_URL must be")


@pytest.mark.parametrize("value", ["0", "70000", "abc", "-1", "³"])
def test_port_must_be_a_tcp_port(value: str) -> None:
    message = config_error(http_env(PORT=value))

    assert message.startswith("PORT must be a TCP port number")


@pytest.mark.parametrize("value", ["1", "65535"])
def test_port_bounds_are_accepted(value: str) -> None:
    assert Settings.from_env(http_env(PORT=value)).port == int(value)


@pytest.mark.parametrize(
    "value", ["postgres://db/tavus", "sqlite://relative.db", "sqlite:///", "tavus.db"]
)
def test_database_url_must_be_sqlite(value: str) -> None:
    message = config_error(http_env(DATABASE_URL=value))

    assert message.startswith("DATABASE_URL must look like sqlite:///")


def test_database_url_relative_path() -> None:
    settings = Settings.from_env(http_env(DATABASE_URL="sqlite:///data/bot.db"))

    assert settings.database_path == Path("data/bot.db")


@pytest.mark.parametrize("value", ["0", "abc", "-5", "3601", "nan"])
def test_poll_interval_must_be_a_positive_number(value: str) -> None:
    message = config_error(http_env(POLL_INTERVAL_SECONDS=value))

    assert message.startswith("POLL_INTERVAL_SECONDS must be a number")


@pytest.mark.parametrize("value", ["U0123ABCD,bob", "C0123ABCD", "U01-23"])
def test_admins_must_be_user_ids(value: str) -> None:
    message = config_error(http_env(TAVUS_SLACK_ADMINS=value))

    assert message.startswith("TAVUS_SLACK_ADMINS must be comma-separated Slack user IDs")


def test_admins_ignore_empty_items() -> None:
    settings = Settings.from_env(http_env(TAVUS_SLACK_ADMINS=",U0123ABCD,,"))

    assert settings.admins == frozenset({"U0123ABCD"})


def test_log_level_must_be_known() -> None:
    message = config_error(http_env(LOG_LEVEL="nonsense"))

    assert message.startswith("LOG_LEVEL must be one of")


@pytest.mark.parametrize("value", ["r1234abcd", "p-1234", "x1234abcd"])
def test_default_persona_must_look_like_a_persona_id(value: str) -> None:
    message = config_error(http_env(TAVUS_DEFAULT_PERSONA_ID=value))

    assert message.startswith("TAVUS_DEFAULT_PERSONA_ID must be a Tavus id starting with 'p'")


def test_default_replica_must_look_like_a_replica_id() -> None:
    message = config_error(http_env(TAVUS_DEFAULT_REPLICA_ID="p1234abcd"))

    assert message.startswith("TAVUS_DEFAULT_REPLICA_ID must be a Tavus id starting with 'r'")


@pytest.mark.parametrize("value", ["http://127.0.0.1:9000/api", "http://127.0.0.1:9000/api/"])
def test_slack_api_url_always_ends_with_one_slash(value: str) -> None:
    settings = Settings.from_env(http_env(SLACK_API_URL=value))

    assert settings.slack_api_url == "http://127.0.0.1:9000/api/"


@pytest.mark.parametrize("value", ["https://bot.example.com", "https://bot.example.com/"])
def test_public_url_loses_its_trailing_slash(value: str) -> None:
    settings = Settings.from_env(http_env(PUBLIC_URL=value))

    assert settings.public_url == "https://bot.example.com"


def test_callback_url_with_public_url() -> None:
    settings = Settings.from_env(http_env(PUBLIC_URL="https://bot.example.com/base/"))

    assert settings.callback_url("tok123") == "https://bot.example.com/base/tavus/callbacks/tok123"


def test_callback_url_without_public_url() -> None:
    assert Settings.from_env(http_env()).callback_url("tok123") is None


def test_reconcile_interval_is_ten_poll_intervals() -> None:
    settings = Settings.from_env(http_env(POLL_INTERVAL_SECONDS="7"))

    assert settings.reconcile_interval_seconds == 70


def test_repr_contains_no_secret() -> None:
    settings = Settings.from_env(socket_env(SLACK_SIGNING_SECRET=SIGNING_SECRET))

    shown = repr(settings)

    assert "Settings(" in shown
    for secret in (BOT_TOKEN, SIGNING_SECRET, APP_TOKEN, TAVUS_KEY):
        assert secret not in shown


def test_from_env_reads_os_environ_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in http_env(TAVUS_DEFAULT_PERSONA_ID="pabc1234").items():
        monkeypatch.setenv(name, value)

    assert Settings.from_env().default_persona_id == "pabc1234"
