"""The real app on loopback, between the fake Slack Web API and the Tavus sandbox."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
from aiohttp import web

from bot.app import Running, running_app
from bot.config import Settings
from bot.sandbox import SANDBOX_STATE, SandboxState, build_app
from tests.fakes.signing import (
    event_body,
    interaction_body,
    signed_headers,
    slash_command_body,
)
from tests.fakes.slack import FakeSlack

SIGNING_SECRET = "test-signing-secret"
TAVUS_KEY = "sandbox-test-key"
ADMIN_ID = "UADMIN"


@dataclass
class Sandbox:
    url: str
    state: SandboxState


@contextlib.asynccontextmanager
async def tavus_sandbox(**options: Any) -> AsyncIterator[Sandbox]:
    app = build_app(api_key=TAVUS_KEY, **options)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield Sandbox(url=f"http://127.0.0.1:{port}", state=app[SANDBOX_STATE])
    finally:
        await runner.cleanup()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def app_settings(
    *, slack: FakeSlack, tavus_url: str, database_path: Path, **overrides: Any
) -> Settings:
    settings = Settings(
        slack_bot_token=slack.token,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack.api_url,
        tavus_api_key=TAVUS_KEY,
        tavus_api_url=tavus_url,
        host="127.0.0.1",
        port=0,
        database_path=database_path,
        poll_interval_seconds=0.2,
        admins=frozenset({ADMIN_ID}),
    )
    return replace(settings, **overrides)


@dataclass
class Harness:
    app: Running
    slack: FakeSlack
    http: httpx.AsyncClient

    @property
    def url(self) -> str:
        return self.app.base_url

    async def command(self, text: str, **fields: Any) -> httpx.Response:
        fields.setdefault("response_url", self.slack.response_url)
        body = slash_command_body(text, **fields)
        return await self.post_slack(body)

    async def interact(self, payload: dict[str, Any]) -> httpx.Response:
        payload.setdefault("response_url", self.slack.response_url)
        return await self.post_slack(interaction_body(payload))

    async def event(self, event: dict[str, Any]) -> httpx.Response:
        body = event_body(event)
        headers = signed_headers(SIGNING_SECRET, body, content_type="application/json")
        return await self.http.post(f"{self.url}/slack/events", content=body, headers=headers)

    async def post_slack(self, body: str, *, secret: str = SIGNING_SECRET) -> httpx.Response:
        headers = signed_headers(secret, body)
        return await self.http.post(f"{self.url}/slack/events", content=body, headers=headers)

    async def callback(self, token: str, body: Any) -> httpx.Response:
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        return await self.http.post(f"{self.url}/tavus/callbacks/{token}", content=content)


@contextlib.asynccontextmanager
async def harness(slack: FakeSlack, settings: Settings) -> AsyncIterator[Harness]:
    async with running_app(settings) as running, httpx.AsyncClient(timeout=10) as http:
        yield Harness(app=running, slack=slack, http=http)


@contextlib.asynccontextmanager
async def app_world(
    tmp_path: Path,
    *,
    called_back: bool = False,
    sandbox_options: dict[str, Any] | None = None,
    **overrides: Any,
) -> AsyncIterator[tuple[Harness, Sandbox]]:
    """The app on a fresh database between a fake Slack and the Tavus sandbox.
    ``called_back``: PUBLIC_URL points at the app, so Tavus calls it back (else it polls)."""
    async with FakeSlack() as slack, tavus_sandbox(**(sandbox_options or {})) as sandbox:
        # Chosen after the fakes have bound their own ports, as close to the app's as can be.
        port = free_port()
        if called_back:
            overrides = {"port": port, "public_url": f"http://127.0.0.1:{port}", **overrides}
        settings = app_settings(
            slack=slack, tavus_url=sandbox.url, database_path=tmp_path / "t.db", **overrides
        )
        async with harness(slack, settings) as running:
            yield running, sandbox


async def take_write_lock(path: Path) -> sqlite3.Connection:
    """Another process's write lock, taken between the app's own writes (a workers' write may
    be in flight: wait for it without blocking the loop that would finish it)."""
    blocker = sqlite3.connect(path, timeout=0)
    for _ in range(100):
        try:
            blocker.execute("BEGIN IMMEDIATE")
            return blocker
        except sqlite3.OperationalError:
            await asyncio.sleep(0.02)
    blocker.close()
    raise AssertionError("the app never let go of the write lock")
