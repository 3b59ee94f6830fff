"""No secret leaves the app: not in its logs at DEBUG, not in what it sends Slack, not in what
it answers.

One scenario touches as many surfaces as practical (a call and its callbacks, a video, a
replica trained, a document, listings and details, App Home, a Tavus 401 and a Slack 429,
`tavus-slack check`), with every library's logging at DEBUG as `LOG_LEVEL=DEBUG` sets it up.
Then the bot token, the signing secret, the Tavus API key and every callback token are looked
for, whole, URL-encoded and as any 12-character piece, in every log line, every request the
fake Slack received (its Authorization header excepted: that is where the bot token belongs)
and every answer the app gave.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp
import httpx
import pytest
from aiohttp import web

from bot.app import running_app
from bot.blocks import start_modal
from bot.checks import run_checks
from bot.config import Settings, configure_logging
from bot.sandbox import SANDBOX_STATE, SEED_PERSONA_ID, SEED_REPLICA_ID, SandboxState, build_app
from tests.fakes.signing import event_body, signed_headers
from tests.fakes.slack import FakeSlack
from tests.fakes.socket_mode import FakeSocketMode, slash_command_payload
from tests.handlers.replica_forms import submit, suggestion
from tests.harness import Harness, app_settings, free_port, harness

# Distinctive values, so that any 12 characters of one found anywhere is that secret.
BOT_TOKEN = "xoxb-7305118-Qm4TzW9vKc2LpR8sYd1N"
SIGNING_SECRET = "5f0c9e7a31d84b26ae90c3f1d7b25e84"
TAVUS_KEY = "tvk_9d41c7e08a2f4b6c93e1f05a7d28c4b1"
# A key `tavus-slack check` is given and Tavus refuses: a secret all the same.
WRONG_TAVUS_KEY = "tvk_0a8e3f51c29d47b6a1e5c08f39d72e6b"
WRONG_BOT_TOKEN = "xoxb-7305118-Zx3HnB6tUw0QaE5gJk7V"
APP_TOKEN = "xapp-1-A0001-6650213-b7e24c90f1a35d86"
PIECE = 12  # a secret's shortest part that still counts as a leak
CHANNEL = "C123"
LIBRARY_LOGGERS = ("httpx", "httpcore", "aiohttp", "slack_sdk", "slack_bolt", "aiosqlite")


# -- the world -------------------------------------------------------------------------------


@dataclass
class Answers:
    """Every answer the app gave (status line, headers, body), for the search."""

    texts: list[str] = field(default_factory=list)

    def add(self, status: int, headers: Iterable[tuple[str, str]], body: str) -> None:
        self.texts.append(f"{status} {list(headers)} {body}")


class SecretHarness(Harness):
    """The shared harness, signing with this test's own secret."""

    async def post_slack(self, body: str, *, secret: str = SIGNING_SECRET) -> httpx.Response:
        return await super().post_slack(body, secret=secret)

    async def event(self, event: dict[str, Any]) -> httpx.Response:
        body = event_body(event)
        headers = signed_headers(SIGNING_SECRET, body, content_type="application/json")
        return await self.http.post(f"{self.url}/slack/events", content=body, headers=headers)


@dataclass
class World:
    running: SecretHarness
    sandbox: SandboxState
    answers: Answers
    callback_session: aiohttp.ClientSession

    @property
    def slack(self) -> FakeSlack:
        return self.running.slack

    @property
    def settings(self) -> Settings:
        return self.running.app.services.settings

    async def callback(self, token: str, body: dict[str, Any]) -> int:
        """Posts as Tavus would; aiohttp, unlike httpx, logs no URL on the test's side."""
        url = f"{self.running.url}/tavus/callbacks/{token}"
        async with self.callback_session.post(url, json=body) as response:
            self.answers.add(response.status, response.headers.items(), await response.text())
            return response.status


@contextlib.contextmanager
def debug_logging() -> Iterator[io.StringIO]:
    """What `LOG_LEVEL=DEBUG` sets up (`bot.cli` calls `configure_logging`), written here."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    quieted = {name: logging.getLogger(name).level for name in LIBRARY_LOGGERS}
    root.handlers = []  # basicConfig configures nothing when a handler is already there
    try:
        configure_logging("DEBUG")
        (handler,) = root.handlers
        stream = io.StringIO()
        assert isinstance(handler, logging.StreamHandler)
        handler.setStream(stream)
        for logger in _lone_loggers():
            logger.addHandler(handler)
        yield stream
    finally:
        for logger in _lone_loggers():
            logger.handlers = [h for h in logger.handlers if h not in root.handlers]
        root.handlers, _ = saved
        root.setLevel(saved[1])
        for name, level in quieted.items():
            logging.getLogger(name).setLevel(level)


def _lone_loggers() -> list[logging.Logger]:
    """Loggers that do not pass their records up to the root: heard directly."""
    return [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger) and not logger.propagate
    ]


@contextlib.asynccontextmanager
async def sandbox_with_key(**options: Any) -> AsyncIterator[tuple[str, SandboxState]]:
    app = build_app(api_key=TAVUS_KEY, **options)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}", app[SANDBOX_STATE]
    finally:
        await runner.cleanup()


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    options = {"joined_delay": 0.05, "video_delay": 0.2, "training_delay": 0.2}
    async with (
        FakeSlack(token=BOT_TOKEN) as slack,
        sandbox_with_key(document_delay=0.2, **options) as (tavus_url, sandbox),
        aiohttp.ClientSession() as session,
    ):
        port = free_port()
        settings = app_settings(
            slack=slack,
            tavus_url=tavus_url,
            database_path=tmp_path / "t.db",
            port=port,
            public_url=f"http://127.0.0.1:{port}",
            slack_signing_secret=SIGNING_SECRET,
            tavus_api_key=TAVUS_KEY,
            default_replica_id=SEED_REPLICA_ID,
        )
        async with harness(slack, settings) as plain:
            answers = Answers()
            plain.http.event_hooks["response"].append(_recorder(answers))
            running = SecretHarness(app=plain.app, slack=slack, http=plain.http)
            yield World(running, sandbox, answers, session)


def _recorder(answers: Answers) -> Callable[[httpx.Response], Awaitable[None]]:
    async def record(response: httpx.Response) -> None:
        await response.aread()
        answers.add(response.status_code, response.headers.items(), response.text)

    return record


# -- the search ------------------------------------------------------------------------------


def forms_of(secret: str) -> set[str]:
    """The secret, URL-encoded, and every piece of PIECE characters of either."""
    found: set[str] = set()
    for whole in {secret, quote(secret, safe=""), quote(quote(secret, safe=""), safe="")}:
        found.add(whole)
        found.update(whole[i : i + PIECE] for i in range(len(whole) - PIECE + 1))
    return found


def leaks(secrets: dict[str, str], texts: dict[str, str]) -> list[str]:
    """`where: which secret (the piece found)` for each secret a text holds a form of."""
    found = []
    for where, text in texts.items():
        for name, secret in secrets.items():
            piece = next((p for p in forms_of(secret) if p in text), None)
            if piece is not None:
                found.append(f"{where}: {name} ({piece!r})")
    return found


def sent_to_slack(slack: FakeSlack) -> str:
    """Every request Slack received, but the Authorization header (the bot token's place)."""
    calls = [
        {
            "method": call.method,
            "args": call.args,
            "headers": {k: v for k, v in call.headers.items() if k.lower() != "authorization"},
        }
        for call in slack.calls
    ]
    files = [repr(f) for f in slack.uploaded_files]
    return json.dumps([calls, files, slack.responses, slack.unfurls], default=repr)


async def callback_tokens(world: World) -> dict[str, str]:
    """Every token the app handed out, from its database and from what Tavus was sent."""
    resources = await world.running.app.services.store.list_resources(limit=1000)
    tokens = {r.callback_token for r in resources if r.callback_token}
    prefix = f"{world.settings.public_url}/tavus/callbacks/"
    for request in world.sandbox.requests:
        body = json.dumps(request.body)
        tokens.update(part.split('"')[0] for part in body.split(prefix)[1:])
    return {f"callback token {t[:4]}…": t for t in tokens}


# -- the scenario ----------------------------------------------------------------------------


async def until(check: Callable[[], Awaitable[bool]], what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 15
    while not await check():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


async def settled(world: World, kind: str, *statuses: str) -> list[str]:
    """Waits until every `kind` resource has one of `statuses`; answers their Tavus ids."""
    store = world.running.app.services.store

    async def done() -> bool:
        found = await store.list_resources(kind=kind)
        return bool(found) and all(r.status in statuses for r in found)

    await until(done, f"every {kind} to be {'/'.join(statuses)}")
    return [r.tavus_id for r in await store.list_resources(kind=kind) if r.tavus_id]


async def responses_after(world: World, count: int) -> None:
    await world.slack.wait_for_response(count=count, timeout=10)


async def start_everything(world: World) -> dict[str, str]:
    """A call, a video (its first post rate-limited), a trained replica, a document."""
    running = world.running
    await running.command(f"call {SEED_PERSONA_ID} about pricing")
    (conversation_id,) = await settled(world, "conversation", "live")
    world.slack.fail_next("chat.postMessage", status=429, retry_after=1)
    await running.command("video Hello team, meet the new replica")
    await submit(running, name="Rio")
    await running.command("document add https://docs.example.com/handbook.pdf Handbook")
    (video_id,) = await settled(world, "video", "ready")
    (replica_id,) = await settled(world, "replica", "ready")
    (document_id,) = await settled(world, "document", "ready")
    return {
        "conversation": conversation_id,
        "video": video_id,
        "replica": replica_id,
        "document": document_id,
    }


async def look_around(world: World, ids: dict[str, str]) -> None:
    """Listings, details and App Home: what a curious member sees."""
    running, seen = world.running, len(world.slack.responses)
    for family in ("conversations", "videos", "replicas", "documents"):
        await running.command(family)
        seen += 1
        await responses_after(world, seen)
    for kind, tavus_id in ids.items():
        await running.command(f"{kind} show {tavus_id}")
        seen += 1
        await responses_after(world, seen)
    await running.command("help")
    await running.interact(suggestion(start_modal.REPLICA_ACTION, "", start_modal.CALLBACK_ID))
    await running.event({"type": "app_home_opened", "user": "U123", "tab": "home"})
    await world.slack.wait_for("views.publish")


async def fail_on_purpose(world: World) -> None:
    """Tavus refuses the key (echoing it, as some APIs do); Slack rate-limits App Home."""
    faults = world.sandbox.faults
    echo = f"Invalid access token {TAVUS_KEY}"
    faults.fail("POST", "/v2/conversations", 401, message=echo)
    faults.fail("GET", "/v2/replicas", 401, message=echo)
    seen = len(world.slack.responses)
    await world.running.command(f"call {SEED_PERSONA_ID}")
    await world.running.command("replicas")
    await responses_after(world, seen + 2)
    before = len(world.slack.calls_to("views.publish"))
    world.slack.fail_next("views.publish", status=429, retry_after=1)
    await world.running.event({"type": "app_home_opened", "user": "U123", "tab": "home"})
    await world.slack.wait_for("views.publish", count=before + 1)


async def talk_back(world: World, conversation_id: str) -> None:
    """The call ends (Tavus's callbacks follow); a callback repeated by hand, one with a token
    nobody was given, /healthz."""
    await world.running.command(f"end {conversation_id}")
    await settled(world, "conversation", "ended")
    store = world.running.app.services.store
    resource = await store.get_resource(kind="conversation", tavus_id=conversation_id)
    assert resource is not None and resource.callback_token
    event = {"conversation_id": conversation_id, "event_type": "system.shutdown"}
    assert await world.callback(resource.callback_token, event) == 200
    assert await world.callback(resource.callback_token[::-1], event) == 404
    await world.running.http.get(f"{world.running.url}/healthz")


async def check_command(world: World) -> list[str]:
    """`tavus-slack check`, in process: as configured, then with a wrong key and token."""
    lines: list[str] = []
    await run_checks(world.settings, print_line=lines.append)
    wrong = replace(world.settings, tavus_api_key=WRONG_TAVUS_KEY, slack_bot_token=WRONG_BOT_TOKEN)
    await run_checks(wrong, print_line=lines.append)
    verdicts = [line.split(":")[0].split()[:2] for line in lines]
    assert verdicts[:4] + verdicts[5:8] == [
        ["ok", "slack"],
        ["ok", "socket"],
        ["ok", "tavus"],
        ["ok", "database"],
        ["FAIL", "slack"],
        ["ok", "socket"],
        ["FAIL", "tavus"],
    ], lines
    return lines


async def test_no_secret_reaches_logs_slack_or_answers(world: World) -> None:
    with debug_logging() as log:
        ids = await start_everything(world)
        await look_around(world, ids)
        await fail_on_purpose(world)
        await talk_back(world, ids["conversation"])
        check_lines = await check_command(world)
    secrets = {
        "bot token": BOT_TOKEN,
        "signing secret": SIGNING_SECRET,
        "Tavus API key": TAVUS_KEY,
        "wrong Tavus API key": WRONG_TAVUS_KEY,
        "wrong bot token": WRONG_BOT_TOKEN,
        **await callback_tokens(world),
    }
    texts = {
        "the log": log.getvalue(),
        "requests to Slack": sent_to_slack(world.slack),
        "the app's answers": "\n".join(world.answers.texts),
        "tavus-slack check": "\n".join(check_lines),
    }

    assert leaks(secrets, texts) == []
    _assert_the_search_could_find_them(world, secrets, log.getvalue())


def _assert_the_search_could_find_them(world: World, secrets: dict[str, str], log: str) -> None:
    """The scenario did what it says, and each secret sits where it belongs: else a search
    finding nothing proves nothing."""
    assert len([name for name in secrets if name.startswith("callback token")]) >= 4
    bearer = {c.headers.get("Authorization", "") for c in world.slack.calls}
    assert leaks({"bot token": BOT_TOKEN}, {"Authorization": " ".join(bearer)})
    tavus_bodies = json.dumps([r.body for r in world.sandbox.requests])
    callback = {k: v for k, v in secrets.items() if k.startswith("callback token")}
    assert len(leaks(callback, {"Tavus": tavus_bodies})) == len(callback)
    for name in (
        "httpx",
        "httpcore",
        "aiohttp.access",
        "slack_sdk",
        "slack_bolt",
        "bot.",
        "handlers.",
    ):
        assert f" {name}" in log, f"nothing logged by {name}"
    assert " DEBUG " in log
    assert "[redacted]" in log  # Tavus's 401 echoed the key, and the app heard it
    assert any("Tavus says" in str(r.get("text")) for r in world.slack.responses)
    assert any(c.failed and c.error == "ratelimited" for c in world.slack.calls)
    assert [status for _, _, status in world.sandbox.callbacks_sent].count(200) >= 4


async def test_socket_mode_keeps_the_app_token_out_of_the_log(tmp_path: Path) -> None:
    """Socket Mode asks Slack for its WebSocket with the app-level token: at DEBUG too, the
    log never holds it (nor the bot token)."""
    async with (
        FakeSlack(token=BOT_TOKEN) as slack,
        FakeSocketMode(app_token=APP_TOKEN) as socket_mode,
        sandbox_with_key(joined_delay=0.05) as (tavus_url, _),
    ):
        slack.attach_socket_mode(socket_mode)
        settings = app_settings(
            slack=slack,
            tavus_url=tavus_url,
            database_path=tmp_path / "t.db",
            slack_app_token=APP_TOKEN,
            slack_signing_secret=SIGNING_SECRET,
            tavus_api_key=TAVUS_KEY,
        )
        with debug_logging() as log:
            async with running_app(settings):
                await socket_mode.wait_connected()
                command = slash_command_payload(
                    f"call {SEED_PERSONA_ID}", response_url=slack.response_url
                )
                await socket_mode.send_slash_command(command)
                await slack.wait_for("chat.postMessage")
    secrets = {
        "app token": APP_TOKEN,
        "bot token": BOT_TOKEN,
        "signing secret": SIGNING_SECRET,
        "Tavus API key": TAVUS_KEY,
    }
    assert leaks(secrets, {"the log": log.getvalue(), "Slack": sent_to_slack(slack)}) == []
    # The request that carries the app token was logged at DEBUG (its headers redacted).
    assert "apps.connections.open" in log.getvalue()
    assert slack.calls_to("apps.connections.open")
