"""Builds the Bolt app and the one aiohttp server, wires the services, starts the workers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import httpx
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from bot import __version__
from bot.config import Settings
from bot.home import publish_home
from bot.kinds import render_card
from bot.notifier import Notifier
from bot.poller import Poller
from bot.services import Services
from bot.tavus import TavusClient
from bot.workers import Supervisor, Worker
from handlers import register_all, webhooks
from handlers.guards import GuardedApp
from handlers.shared.replies import CANNOT_SAVE
from storage import Store, is_storage_fault

logger = logging.getLogger(__name__)

SLACK_RATE_LIMIT_RETRIES = 3
SLACK_TIMEOUT_SECONDS = 15
# Slack never sends more than this to /slack/events; a bigger body is not Slack.
MAX_SLACK_BODY_BYTES = 1024 * 1024
# On SIGTERM: listeners still running get this long to finish, then the workers as long.
SHUTDOWN_GRACE_SECONDS = 5.0
# A request still open (stuck reading its body, say) is cut off after this.
CONNECTION_SHUTDOWN_SECONDS = 2.0
SOMETHING_WENT_WRONG = (
    ":warning: Something went wrong on our side and the request was not completed. "
    "Please try again; if it keeps happening, ask your Slack admin to check the app's logs."
)


def build_slack_client(
    settings: Settings, *, session: aiohttp.ClientSession | None = None, retries: bool = True
) -> AsyncWebClient:
    """``retries=False`` for the notifier: it handles 429s per channel and must never block
    inside the client, nor repeat a post that may have gone through."""
    handlers = (
        [
            AsyncConnectionErrorRetryHandler(),
            AsyncRateLimitErrorRetryHandler(max_retry_count=SLACK_RATE_LIMIT_RETRIES),
        ]
        if retries
        else []
    )
    return AsyncWebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=SLACK_TIMEOUT_SECONDS,
        session=session,
        retry_handlers=handlers,
    )


class _NoTokenNotice(logging.Filter):
    """Bolt warns that its `token` goes unused whenever SLACK_BOT_TOKEN is in the environment
    and it is handed a client; here the client is built with that very token."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


_BOLT_LOGGER = logging.getLogger("slack_bolt")
_BOLT_LOGGER.addFilter(_NoTokenNotice())


def build_bolt_app(services: Services) -> AsyncApp:
    app = GuardedApp(
        client=services.slack,
        signing_secret=services.settings.slack_signing_secret or "",
        request_verification_enabled=not services.settings.socket_mode,
        logger=_BOLT_LOGGER,
    )
    register_all(app, services)
    app.error(handle_error)
    return app


async def handle_error(error: Exception, body: dict[str, Any], respond: AsyncRespond) -> None:
    """The one place an unexplained failure lands: logged with its stack, the user told.
    A storage fault is not unexplained: the store logged it once, and the user hears that."""
    if is_storage_fault(error):
        logger.info("a Slack request failed on a storage fault: %s", error)
        text = CANNOT_SAVE
    else:
        logger.error("unhandled error in a Slack listener", exc_info=error)
        text = SOMETHING_WENT_WRONG
    if body.get("response_url"):
        try:
            await respond(text=text, response_type="ephemeral", replace_original=False)
        except Exception as exc:  # noqa: BLE001 - already failing; the log line is what is left
            logger.warning("could not tell the user about that error: %r", exc)


def build_web_app(
    services: Services, bolt: AsyncApp, supervisor: Supervisor | None = None
) -> web.Application:
    web_app = web.Application(client_max_size=webhooks.MAX_BODY_BYTES + 1)

    async def healthz(request: web.Request) -> web.Response:
        return await health(services, supervisor)

    if not services.settings.socket_mode:  # (Socket Mode needs no signing secret)
        verifier = SignatureVerifier(services.settings.slack_signing_secret or "")

        async def slack_events(request: web.Request) -> web.Response:
            return await receive_slack(request, bolt, verifier)

        web_app.router.add_post("/slack/events", slack_events)
    web_app.router.add_get("/healthz", healthz)
    webhooks.register(web_app, services)
    return web_app


async def receive_slack(
    request: web.Request, bolt: AsyncApp, verifier: SignatureVerifier
) -> web.Response:
    """Verify Slack's signature before anything parses the body; then hand it to Bolt."""
    if (request.content_length or 0) > MAX_SLACK_BODY_BYTES:
        return web.json_response({"error": "body too large"}, status=413)
    raw = await request.read()
    if not _signed(verifier, raw, request.headers):
        return web.json_response({"error": "invalid request"}, status=401)
    try:
        bolt_request = await to_bolt_request(request)
    except Exception as exc:  # noqa: BLE001 - Bolt's parser raises whatever the body provokes
        logger.warning("a signed Slack request could not be parsed: %r", exc)
        return web.json_response({"error": "malformed body"}, status=400)
    return await to_aiohttp_response(await bolt.async_dispatch(bolt_request))


def _signed(verifier: SignatureVerifier, raw: bytes, headers: Any) -> bool:
    timestamp = headers.get("X-Slack-Request-Timestamp", "")
    signature = headers.get("X-Slack-Signature", "")
    # Epoch seconds have ten digits; a longer "number" is an attack on int() itself.
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12) or not signature:
        return False
    return verifier.is_valid(body=raw, timestamp=timestamp, signature=signature)


async def health(services: Services, supervisor: Supervisor | None) -> web.Response:
    """200 while the database answers and takes writes and the notifier runs; 503 (with why)
    otherwise."""
    store = services.store
    answering = await store.ping()
    # While writes fail, each check tries one: the fault clearing shows here by itself.
    database = answering and await store.recheck_writable()
    problem = None if database else store.write_problem if answering else "it does not answer"
    workers = supervisor.status() if supervisor is not None else {}
    notifier_alive = supervisor is None or supervisor.alive("notifier")
    body: dict[str, Any] = {
        "ok": database and notifier_alive,
        "version": __version__,
        "database": database,
        "database_problem": problem,
        "workers": workers,
        "notifier": services.notifier.status(),
        "outbox": await store.outbox_backlog() if answering else None,
    }
    return web.json_response(body, status=200 if body["ok"] else 503)


@dataclass
class Running:
    services: Services
    bolt: AsyncApp
    port: int
    supervisor: Supervisor

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextlib.asynccontextmanager
async def running_app(
    settings: Settings, *, tavus_transport: httpx.AsyncBaseTransport | None = None
) -> AsyncIterator[Running]:
    """Everything the app needs, started in order and stopped in reverse: on the way out,
    the server stops accepting first, then listeners and workers finish, then the clients
    and the database close."""
    store = await Store.open(settings.database_path)
    try:
        async with (
            # slack_sdk applies its `timeout` only to sessions it opens itself: on a shared
            # one the session's own limit is the only one (aiohttp's default is 5 minutes).
            aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=SLACK_TIMEOUT_SECONDS)
            ) as session,
            TavusClient(
                api_key=settings.tavus_api_key,
                base_url=settings.tavus_api_url,
                transport=tavus_transport,
            ) as tavus,
        ):
            notifier = Notifier(
                store=store,
                slack=build_slack_client(settings, session=session, retries=False),
                render_card=render_card,
            )
            services = Services(
                settings=settings,
                store=store,
                tavus=tavus,
                slack=build_slack_client(settings, session=session),
                notifier=notifier,
            )
            bolt = build_bolt_app(services)
            supervisor = Supervisor()
            async with _serving(services, bolt, supervisor) as port:
                yield Running(services=services, bolt=bolt, port=port, supervisor=supervisor)
    finally:
        await store.close()


@contextlib.asynccontextmanager
async def _serving(
    services: Services, bolt: AsyncApp, supervisor: Supervisor
) -> AsyncIterator[int]:
    settings = services.settings
    runner = web.AppRunner(
        build_web_app(services, bolt, supervisor),
        access_log=None,  # the paths carry callback tokens
        shutdown_timeout=CONNECTION_SHUTDOWN_SECONDS,
    )
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.port)
    await site.start()
    port = runner.addresses[0][1] if runner.addresses else settings.port
    _start_workers(services, supervisor)
    logger.info("serving on %s:%s (%s mode)", settings.host, port, _mode(settings))
    socket_handler = None
    try:
        if settings.slack_app_token:
            socket_handler = AsyncSocketModeHandler(
                bolt, settings.slack_app_token, web_client=services.slack
            )
            # slack_sdk's connect() retries a refused app token forever; asking for the URL
            # first makes a wrong SLACK_APP_TOKEN fail start-up at once, with Slack's error.
            client = socket_handler.client
            client.wss_uri = await client.issue_new_wss_url()
            await socket_handler.connect_async()
        yield port
    finally:
        if socket_handler is not None:
            await socket_handler.close_async()
        await site.stop()  # stop accepting first
        await _drain_listeners()
        await supervisor.stop(grace=SHUTDOWN_GRACE_SECONDS)
        await runner.cleanup()  # requests still open are cut off after a short grace


def _start_workers(services: Services, supervisor: Supervisor) -> None:
    notifier, poller = services.notifier, Poller(services=services)
    supervisor.start(
        Worker("notifier", run=notifier.run, stop=notifier.stop, healthy=lambda: notifier.alive)
    )
    supervisor.start(Worker("poller", run=poller.run, stop=poller.stop))
    homes = services.homes
    supervisor.start(Worker("homes", run=lambda: _refresh_homes(services), stop=homes.stop))


async def _refresh_homes(services: Services) -> None:
    async def publish(team_id: str, user_id: str) -> None:
        await publish_home(services, team_id=team_id, user_id=user_id)

    await services.homes.run(publish)


def _mode(settings: Settings) -> str:
    return "Socket Mode" if settings.socket_mode else "HTTP"


async def _drain_listeners() -> None:
    """Bolt runs listeners as tasks after the ack; give them time to finish their work."""
    current = asyncio.current_task()
    pending = [
        t for t in asyncio.all_tasks() if t is not current and not t.done() and _is_listener(t)
    ]
    if pending:
        logger.info("waiting for %d listener(s) to finish", len(pending))
        await asyncio.wait(pending, timeout=SHUTDOWN_GRACE_SECONDS)


def _is_listener(task: asyncio.Task[Any]) -> bool:
    coro = task.get_coro()
    # Bolt's asyncio runner names the task's coroutine this way (slack_bolt/listener/asyncio_runner)
    return "run_ack_function_asynchronously" in getattr(coro, "__qualname__", "")


async def run(settings: Settings) -> None:
    """Serves until SIGTERM or SIGINT, then shuts down cleanly."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with running_app(settings):
        await stop.wait()
        logger.info("shutting down")
