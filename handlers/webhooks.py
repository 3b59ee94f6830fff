"""``POST /tavus/callbacks/{token}``: where Tavus reports on the resources we started.

Tavus does not sign callbacks, so the per-resource token in the URL is the credential:
look it up, compare in constant time, then parse. Any JSON object for a known token is stored
(with its Slack posts, in one transaction) before the 200, unless it names another resource;
the notifier delivers the posts afterwards. When the database cannot take the event, Tavus
gets a 503 so that it can try again, never a 200 for something that was not stored.
"""

from __future__ import annotations

import hmac
import json
import logging
import sqlite3
from typing import Any

from aiohttp import web

from bot.callback_tokens import TOKEN_SHAPE
from bot.events import MalformedEvent
from bot.ingest import ingest, named_id
from bot.kinds import UnknownKind, kind_of
from bot.services import Services
from storage import Resource, StoreError

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
# Real callbacks nest three or four levels; far deeper is an attack on the parser.
MAX_JSON_DEPTH = 64


def register(web_app: web.Application, services: Services) -> None:
    async def handle_callback(request: web.Request) -> web.Response:
        return await receive_callback(request, services)

    web_app.router.add_post("/tavus/callbacks/{token}", handle_callback)


async def receive_callback(request: web.Request, services: Services) -> web.Response:
    try:
        return await _receive(request, services)
    except (sqlite3.Error, StoreError) as exc:
        logger.error("could not store a Tavus callback (%s); answered 503 so Tavus retries", exc)
        return _answer(503, "storage unavailable; try again")


async def _receive(request: web.Request, services: Services) -> web.Response:
    resource = await _authenticate(request, services)
    if resource is None:
        return _answer(404, "unknown callback token")
    if (request.content_length or 0) > MAX_BODY_BYTES:
        return _answer(413, "body over 1 MiB")
    raw = await _read_limited(request)
    if raw is None:
        return _answer(413, "body over 1 MiB")
    body = _parse(raw)
    if not isinstance(body, dict):
        return _answer(400, body)
    try:
        resource = await _adopt_if_pending(services, resource, body)
        await ingest(
            store=services.store,
            notifier=services.notifier,
            resource=resource,
            body=body,
            choices=services.choices,
        )
    except MalformedEvent as exc:
        logger.warning("rejected callback for %s %s: %s", resource.kind, resource.tavus_id, exc)
        return _answer(400, str(exc))
    return _answer(200, "ok")


async def _authenticate(request: web.Request, services: Services) -> Resource | None:
    token = request.match_info["token"]
    if not TOKEN_SHAPE.match(token):
        return None
    resource = await services.store.get_resource_by_token(token=token)
    if resource is None or not hmac.compare_digest(
        (resource.callback_token or "").encode(), token.encode()
    ):
        return None
    try:
        kind_of(resource)
    except UnknownKind:
        return None  # a kind this version does not know: as good as unknown
    return resource


def _parse(raw: bytes) -> dict[str, Any] | str:
    """The JSON object, or the reason it is not one."""
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, ValueError):
        return "body is not JSON"
    except RecursionError:
        return "body is nested too deeply"
    if not isinstance(body, dict):
        return "body must be a JSON object"
    if _depth(body) > MAX_JSON_DEPTH:
        return "body is nested too deeply"
    return body


def _depth(value: Any) -> int:
    """Iterative, so a hostile body cannot exhaust the stack here either."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_JSON_DEPTH:
            return depth
        children = (
            item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        )
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return deepest


async def _adopt_if_pending(
    services: Services, resource: Resource, body: dict[str, Any]
) -> Resource:
    """The create call never answered, but Tavus calls back with its id: the job started."""
    if not resource.is_pending:
        return resource
    kind = kind_of(resource)
    named = named_id(kind, body)
    tavus_id = named[1] if named is not None else None
    if not tavus_id:
        return resource
    if not kind.noun.is_id(tavus_id):
        raise MalformedEvent(f"{kind.id_key} is not a {kind.name} id")
    adopted = await services.store.adopt_tavus_id(resource_id=resource.id, tavus_id=tavus_id)
    if adopted is None:
        raise MalformedEvent(f"{kind.id_key} names another {kind.name}")
    logger.info("learned %s %s from its first callback", resource.kind, tavus_id)
    services.notifier.wake()
    return adopted


async def _read_limited(request: web.Request) -> bytes | None:
    """Reads at most MAX_BODY_BYTES; chunked bodies carry no Content-Length to check first."""
    chunks, size = [], 0
    async for chunk in request.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _answer(status: int, message: str) -> web.Response:
    body = {"ok": True} if status == 200 else {"ok": False, "error": message}
    return web.json_response(body, status=status)
