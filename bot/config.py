"""Settings: the only module that reads the environment.

Every setting of the contract is read once, checked, and frozen. A missing or malformed
value raises ``ConfigError`` with one line naming the variable and what to put there.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_TAVUS_API_URL = "https://tavusapi.com"
DEFAULT_DATABASE_URL = "sqlite:///tavus_slack.db"
DEFAULT_POLL_INTERVAL_SECONDS = 20.0
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class ConfigError(ValueError):
    """A setting is missing or malformed; the message is one line meant for the operator."""


@dataclass(frozen=True)
class Settings:
    slack_bot_token: str = field(repr=False)
    tavus_api_key: str = field(repr=False)
    slack_signing_secret: str | None = field(default=None, repr=False)
    slack_app_token: str | None = field(default=None, repr=False)
    slack_api_url: str = DEFAULT_SLACK_API_URL
    tavus_api_url: str = DEFAULT_TAVUS_API_URL
    default_persona_id: str | None = None
    default_replica_id: str | None = None
    public_url: str | None = None
    host: str = "0.0.0.0"
    port: int = 3000
    database_path: Path = Path("tavus_slack.db")
    poll_interval_seconds: float = DEFAULT_POLL_INTERVAL_SECONDS
    admins: frozenset[str] = frozenset()
    log_level: str = "INFO"

    @property
    def socket_mode(self) -> bool:
        return self.slack_app_token is not None

    @property
    def reconcile_interval_seconds(self) -> float:
        """With callbacks arriving, polling only catches the ones that never came."""
        return self.poll_interval_seconds * 10

    def callback_url(self, token: str) -> str | None:
        if self.public_url is None:
            return None
        return f"{self.public_url}/tavus/callbacks/{token}"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = _Env(os.environ if environ is None else environ)
        app_token = env.optional("SLACK_APP_TOKEN")
        return cls(
            slack_bot_token=env.token("SLACK_BOT_TOKEN", "xoxb-", _BOT_TOKEN_HINT),
            slack_signing_secret=_signing_secret(env, socket_mode=app_token is not None),
            slack_app_token=_app_token(app_token),
            slack_api_url=_with_slash(env.url("SLACK_API_URL", DEFAULT_SLACK_API_URL)),
            tavus_api_key=env.required("TAVUS_API_KEY", _TAVUS_KEY_HINT),
            tavus_api_url=env.url("TAVUS_API_URL", DEFAULT_TAVUS_API_URL).rstrip("/"),
            default_persona_id=env.tavus_id("TAVUS_DEFAULT_PERSONA_ID", "p"),
            default_replica_id=env.tavus_id("TAVUS_DEFAULT_REPLICA_ID", "r"),
            public_url=_public_url(env),
            host=env.optional("HOST") or "0.0.0.0",
            port=_port(env),
            database_path=_database_path(env),
            poll_interval_seconds=_poll_interval(env),
            admins=_admins(env),
            log_level=_log_level(env),
        )


_BOT_TOKEN_HINT = (
    "copy the Bot User OAuth Token (xoxb-...) from your Slack app's OAuth & Permissions page"
)
_SIGNING_HINT = "copy the Signing Secret from your Slack app's Basic Information page"
_APP_TOKEN_HINT = (
    "create an app-level token (xapp-...) with connections:write under Basic Information, "
    "or unset it to use HTTP mode"
)
_TAVUS_KEY_HINT = "create an API key in the Tavus Developer Portal (API Key page) and paste it"


class _Env:
    """Reads raw values; blank counts as unset."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = environ

    def optional(self, name: str) -> str | None:
        value = self._environ.get(name, "").strip()
        return value or None

    def required(self, name: str, hint: str) -> str:
        value = self.optional(name)
        if value is None:
            raise ConfigError(f"{name} is missing: {hint}")
        return value

    def token(self, name: str, prefix: str, hint: str) -> str:
        value = self.required(name, hint)
        if not value.startswith(prefix):
            raise ConfigError(f"{name} must start with {prefix}: {hint}")
        return value

    def url(self, name: str, default: str) -> str:
        value = self.optional(name) or default
        if not _is_http_url(value):
            raise ConfigError(f"{name} must be an http(s) URL such as {default}, not {value!r}")
        return value

    def tavus_id(self, name: str, prefix: str) -> str | None:
        value = self.optional(name)
        if value is not None and not (value.startswith(prefix) and value.isalnum()):
            raise ConfigError(
                f"{name} must be a Tavus id starting with '{prefix}' "
                f"(copy it from the Tavus dashboard), not {value!r}"
            )
        return value


def _is_http_url(value: str) -> bool:
    parsed = urlparse(value)
    return parsed.scheme in ("http", "https") and bool(parsed.netloc)


def _with_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def _signing_secret(env: _Env, *, socket_mode: bool) -> str | None:
    if socket_mode:
        return env.optional("SLACK_SIGNING_SECRET")
    return env.required("SLACK_SIGNING_SECRET", _SIGNING_HINT + " (or set SLACK_APP_TOKEN)")


def _app_token(value: str | None) -> str | None:
    if value is not None and not value.startswith("xapp-"):
        raise ConfigError(f"SLACK_APP_TOKEN must start with xapp-: {_APP_TOKEN_HINT}")
    return value


def _public_url(env: _Env) -> str | None:
    value = env.optional("PUBLIC_URL")
    if value is None:
        return None
    parsed = urlparse(value)
    if not _is_http_url(value) or parsed.query or parsed.fragment:
        raise ConfigError(
            "PUBLIC_URL must be the https:// address where Tavus can reach this app, "
            f"such as https://tavus-bot.example.com, not {value!r}"
        )
    return value.rstrip("/")


def _port(env: _Env) -> int:
    raw = env.optional("PORT") or "3000"
    if not (raw.isascii() and raw.isdigit()) or not 0 < int(raw) < 65536:
        raise ConfigError(f"PORT must be a TCP port number between 1 and 65535, not {raw!r}")
    return int(raw)


def _database_path(env: _Env) -> Path:
    raw = env.optional("DATABASE_URL") or DEFAULT_DATABASE_URL
    prefix = "sqlite:///"
    if not raw.startswith(prefix) or len(raw) == len(prefix):
        raise ConfigError(
            "DATABASE_URL must look like sqlite:///path/to/file.db "
            f"(four slashes for an absolute path), not {raw!r}"
        )
    return Path(raw[len(prefix) :])


def _poll_interval(env: _Env) -> float:
    raw = env.optional("POLL_INTERVAL_SECONDS")
    if raw is None:
        return DEFAULT_POLL_INTERVAL_SECONDS
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if not 0 < value <= 3600:
        raise ConfigError(
            f"POLL_INTERVAL_SECONDS must be a number of seconds between 0 and 3600, not {raw!r}"
        )
    return value


def _admins(env: _Env) -> frozenset[str]:
    raw = env.optional("TAVUS_SLACK_ADMINS") or ""
    ids = frozenset(part.strip() for part in raw.split(",") if part.strip())
    bad = sorted(i for i in ids if not (i[:1] in ("U", "W") and i.isalnum()))
    if bad:
        raise ConfigError(
            "TAVUS_SLACK_ADMINS must be comma-separated Slack user IDs such as U0123ABCD "
            f"(profile > ... > Copy member ID), not {', '.join(bad)}"
        )
    return ids


def _log_level(env: _Env) -> str:
    value = (env.optional("LOG_LEVEL") or "INFO").upper()
    if value not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {value!r}")
    return value


# Libraries whose DEBUG lines carry what must not be logged: aiosqlite logs every statement
# with its parameters (callback tokens among them).
_QUIET_LOGGERS = ("aiosqlite",)


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for name in _QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.INFO, logging.getLogger().level))
