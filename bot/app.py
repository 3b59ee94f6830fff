"""Builds the Bolt app and the one aiohttp server, wires the services, starts the workers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

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
from slack_sdk.web.async_client import AsyncWebClient

from bot import __version__
from bot.blocks.cards import render_parent
from bot.config import Settings
from bot.notifier import Notifier
from bot.poller import Poller
from bot.services import Services
from bot.tavus import TavusClient
from handlers import register_all, webhooks
from storage import Store

logger = logging.getLogger(__name__)

SLACK_RATE_LIMIT_RETRIES = 3
SLACK_TIMEOUT_SECONDS = 15
# On SIGTERM, listeners still running get this long to finish before the store closes.
SHUTDOWN_GRACE_SECONDS = 10.0
SOMETHING_WENT_WRONG = (
    ":warning: Something went wrong on our side and the request was not completed. "
    "Please try again; if it keeps happening, ask your Slack admin to check the app's logs."
)


def build_slack_client(settings: Settings) -> AsyncWebClient:
    return AsyncWebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=SLACK_TIMEOUT_SECONDS,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(),
            AsyncRateLimitErrorRetryHandler(max_retry_count=SLACK_RATE_LIMIT_RETRIES),
        ],
    )


def build_bolt_app(services: Services) -> AsyncApp:
    app = AsyncApp(
        client=services.slack,
        signing_secret=services.settings.slack_signing_secret or "",
        request_verification_enabled=not services.settings.socket_mode,
        logger=logging.getLogger("slack_bolt"),
    )
    register_all(app, services)
    app.error(handle_error)
    return app


async def handle_error(error: Exception, body: dict[str, Any], respond: AsyncRespond) -> None:
    """The one place an unexplained failure lands: logged with its stack, the user told."""
    logger.error("unhandled error in a Slack listener", exc_info=error)
    if body.get("response_url"):
        with contextlib.suppress(Exception):
            await respond(
                text=SOMETHING_WENT_WRONG, response_type="ephemeral", replace_original=False
            )


def build_web_app(services: Services, bolt: AsyncApp) -> web.Application:
    web_app = web.Application(client_max_size=webhooks.MAX_BODY_BYTES + 1)

    async def slack_events(request: web.Request) -> web.Response:
        bolt_response = await bolt.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(bolt_response)

    async def healthz(request: web.Request) -> web.Response:
        healthy = await services.store.ping()
        body = {"ok": healthy, "version": __version__, "outbox_pending": None}
        if healthy:
            body["outbox_pending"] = await services.store.pending_outbox_count()
        return web.json_response(body, status=200 if healthy else 503)

    if not services.settings.socket_mode:
        web_app.router.add_post("/slack/events", slack_events)
    web_app.router.add_get("/healthz", healthz)
    webhooks.register(web_app, services)
    return web_app


@dataclass
class Running:
    services: Services
    bolt: AsyncApp
    port: int

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextlib.asynccontextmanager
async def running_app(
    settings: Settings, *, tavus_transport: httpx.AsyncBaseTransport | None = None
) -> AsyncIterator[Running]:
    """Everything the app needs, started in order and stopped in reverse."""
    store = await Store.open(settings.database_path)
    slack = build_slack_client(settings)
    try:
        async with TavusClient(
            api_key=settings.tavus_api_key,
            base_url=settings.tavus_api_url,
            transport=tavus_transport,
        ) as tavus:
            notifier = Notifier(store=store, slack=slack, render_parent=render_parent)
            services = Services(
                settings=settings, store=store, tavus=tavus, slack=slack, notifier=notifier
            )
            bolt = build_bolt_app(services)
            async with _serving(services, bolt) as port, _workers(services):
                yield Running(services=services, bolt=bolt, port=port)
    finally:
        await store.close()


@contextlib.asynccontextmanager
async def _serving(services: Services, bolt: AsyncApp) -> AsyncIterator[int]:
    settings = services.settings
    runner = web.AppRunner(build_web_app(services, bolt), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.port)
    await site.start()
    port = runner.addresses[0][1] if runner.addresses else settings.port
    logger.info("serving on %s:%s (%s mode)", settings.host, port, _mode(settings))
    socket_handler = None
    if settings.slack_app_token:
        socket_handler = AsyncSocketModeHandler(
            bolt, settings.slack_app_token, web_client=services.slack
        )
        await socket_handler.connect_async()
    try:
        yield port
    finally:
        if socket_handler is not None:
            await socket_handler.close_async()
        await site.stop()  # stop accepting; requests in progress finish
        await _drain_listeners()
        await runner.cleanup()


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


@contextlib.asynccontextmanager
async def _workers(services: Services) -> AsyncIterator[None]:
    poller = Poller(services=services)
    tasks = [
        asyncio.create_task(services.notifier.run(), name="notifier"),
        asyncio.create_task(poller.run(), name="poller"),
    ]
    try:
        yield
    finally:
        services.notifier.stop()
        poller.stop()
        await asyncio.wait(tasks, timeout=SHUTDOWN_GRACE_SECONDS)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def run(settings: Settings) -> None:
    """Serves until SIGTERM or SIGINT, then shuts down cleanly."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with running_app(settings):
        await stop.wait()
        logger.info("shutting down")
