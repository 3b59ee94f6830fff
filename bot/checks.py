"""``tavus-slack check``: real calls that prove the configuration works, one line each."""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import urlparse

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.app import build_slack_client
from bot.config import Settings
from bot.scopes import BOT_SCOPES
from bot.tavus import TavusClient, TavusError
from storage import Store

Check = Callable[[Settings], Awaitable[str]]


class CheckFailed(Exception):
    pass


async def check_slack(settings: Settings) -> str:
    client = build_slack_client(settings)
    try:
        auth = await client.auth_test()
    except SlackApiError as exc:
        raise CheckFailed(f"Slack refused the bot token: {exc.response.get('error')}") from exc
    except OSError as exc:
        raise CheckFailed(f"could not reach Slack at {settings.slack_api_url}: {exc}") from exc
    missing = missing_scopes(auth.headers)
    if missing:
        lines = "; ".join(f"{scope} ({BOT_SCOPES[scope]})" for scope in missing)
        raise CheckFailed(
            f"the bot token lacks {len(missing)} scope(s) manifest.yml asks for: {lines}. "
            "Add them under OAuth & Permissions and reinstall the app."
        )
    return f"connected to workspace {auth.get('team')} as {auth.get('user')}"


async def check_socket_mode(settings: Settings) -> str:
    """The app-level token opens a Socket Mode connection (the URL Slack hands out is left
    unused; it expires by itself)."""
    token = settings.slack_app_token
    if token is None:
        return "SLACK_APP_TOKEN unset: Slack reaches the app over HTTP at /slack/events"
    client = AsyncWebClient(token=token, base_url=settings.slack_api_url, timeout=15)
    try:
        await client.apps_connections_open(app_token=token)
    except SlackApiError as exc:
        raise CheckFailed(
            f"Slack refused SLACK_APP_TOKEN: {exc.response.get('error')}. Make an app-level "
            "token with the connections:write scope under Basic Information, App-Level Tokens."
        ) from exc
    except OSError as exc:
        raise CheckFailed(f"could not reach Slack at {settings.slack_api_url}: {exc}") from exc
    return "SLACK_APP_TOKEN opens Socket Mode connections"


def missing_scopes(headers: Mapping[str, Any]) -> list[str]:
    """The scopes the app asks for that auth.test's x-oauth-scopes header does not list."""
    raw = next((str(v) for k, v in headers.items() if k.lower() == "x-oauth-scopes"), None)
    if raw is None:
        return []  # Slack did not say: nothing to compare
    granted = {scope.strip() for scope in raw.split(",")}
    return sorted(set(BOT_SCOPES) - granted)


async def check_tavus(settings: Settings) -> str:
    async with TavusClient(
        api_key=settings.tavus_api_key, base_url=settings.tavus_api_url
    ) as tavus:
        try:
            page = await tavus.replicas.list(limit=1)
        except TavusError as exc:
            raise CheckFailed(exc.user_message) from exc
    return f"API key accepted at {settings.tavus_api_url} ({page.total_count} replicas visible)"


async def check_database(settings: Settings) -> str:
    path = settings.database_path
    if not path.parent.exists():  # a typo in DATABASE_URL shows here; nothing is created
        return f"{path} does not exist yet: `run` will create it, and its folder {path.parent}"
    try:
        store = await Store.open(path)
    except Exception as exc:
        raise CheckFailed(f"cannot open {path}: {exc}") from exc
    try:
        await store.check_writable()
    except Exception as exc:
        raise CheckFailed(f"{path} is not writable: {exc}") from exc
    finally:
        await store.close()
    return f"{path} is writable (WAL mode)"


async def check_public_url(settings: Settings) -> str:
    if settings.public_url is None:
        return f"PUBLIC_URL unset: polling Tavus every {settings.poll_interval_seconds:g} s"
    parsed = urlparse(settings.public_url)
    if parsed.scheme != "https":
        raise CheckFailed(
            f"PUBLIC_URL should be https so callbacks are encrypted: {settings.public_url}"
        )
    if not _public_host(parsed.hostname):
        raise CheckFailed(f"PUBLIC_URL must be reachable from the internet, not {parsed.hostname}")
    return f"callbacks go to {settings.public_url}/tavus/callbacks/<token>"


def _public_host(host: str | None) -> bool:
    """Whether Tavus, on the internet, could reach ``host``: not a local name, and not a
    loopback, private, link-local or reserved address."""
    if not host or host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return True  # a name: DNS decides, and the callbacks will show
    return address.is_global


CHECKS: tuple[tuple[str, Check], ...] = (
    ("slack", check_slack),
    ("socket mode", check_socket_mode),
    ("tavus", check_tavus),
    ("database", check_database),
    ("public url", check_public_url),
)


async def run_checks(settings: Settings, *, print_line: Callable[[str], None] = print) -> int:
    failed = 0
    for name, check in CHECKS:
        try:
            print_line(f"ok    {name}: {await check(settings)}")
        except CheckFailed as exc:
            failed += 1
            print_line(f"FAIL  {name}: {exc}")
    return 1 if failed else 0
