"""The sandbox aiohttp app: middlewares (latency, errors, auth, request log, faults) and
route registration.

A resource is one module with `add_routes(app, state)`; list it in `RESOURCES`. The fault
middleware sits after auth, so only authenticated requests use up a fault, and it matches on
method and path alone, so a new resource is covered without any change here.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from bot.sandbox import (
    control,
    conversations,
    dictionaries,
    documents,
    guardrails,
    lipsync,
    objectives,
    personas,
    replicas,
    videos,
    voices,
)
from bot.sandbox.errors import ApiError
from bot.sandbox.faults import CONTROL_PREFIX, fault_middleware
from bot.sandbox.options import check_options
from bot.sandbox.recording import recording_middleware
from bot.sandbox.state import SandboxState

logger = logging.getLogger(__name__)

SANDBOX_STATE = web.AppKey("sandbox_state", SandboxState)

RESOURCES: tuple[Callable[[web.Application, SandboxState], None], ...] = (
    personas.add_routes,
    replicas.add_routes,
    voices.add_routes,
    videos.add_routes,
    lipsync.add_routes,
    conversations.add_routes,
    objectives.add_routes,
    guardrails.add_routes,
    documents.add_routes,
    dictionaries.add_routes,
    control.add_routes,
)


def _latency_middleware(state: SandboxState) -> Middleware:
    @web.middleware
    async def latency_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if state.latency > 0 and not request.path.startswith(CONTROL_PREFIX):
            await asyncio.sleep(state.latency)
        return await handler(request)

    return latency_middleware


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ApiError as exc:
        return exc.to_response()
    except web.HTTPNotFound:
        return web.json_response({"error": "Not found"}, status=404)
    except web.HTTPMethodNotAllowed:
        return web.json_response({"error": "Method not allowed"}, status=405)


def _auth_middleware(api_key: str) -> Middleware:
    expected = api_key.encode()

    @web.middleware
    async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        given = request.headers.get("x-api-key", "").encode()
        if not hmac.compare_digest(given, expected):
            raise ApiError(401, {"message": "Invalid access token"})
        return await handler(request)

    return auth_middleware


async def _lifecycle(app: web.Application) -> AsyncIterator[None]:
    state = app[SANDBOX_STATE]
    await state.sender.open()
    yield
    await state.cancel_tasks()
    await state.sender.close()


def build_app(*, api_key: str, seed: bool = True, **options: Any) -> web.Application:
    """`options`: any sandbox option (a `SandboxState` field listed in `options.py`);
    an unknown name or a refused value raises ValueError."""
    check_options(options)
    state = SandboxState(**options)
    if seed:
        state.seed()
    middlewares = [
        _latency_middleware(state),
        error_middleware,
        _auth_middleware(api_key),
        recording_middleware(state),
        fault_middleware(state.faults),
    ]
    app = web.Application(middlewares=middlewares)
    app[SANDBOX_STATE] = state
    app.cleanup_ctx.append(_lifecycle)
    for add_routes in RESOURCES:
        add_routes(app, state)
    return app


async def serve(*, host: str, port: int, api_key: str, **options: Any) -> None:
    """Serve the sandbox until cancelled; `options` are `build_app`'s keyword arguments."""
    runner = web.AppRunner(build_app(api_key=api_key, **options))
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        logger.info("Tavus sandbox listening on http://%s:%s", host, port)
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
