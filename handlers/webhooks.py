"""``POST /tavus/callbacks/{token}``: where Tavus reports on the resources we started.

Tavus does not sign callbacks, so the per-resource token in the URL is the credential:
look it up, compare in constant time, then parse. The event and its Slack posts are stored
in one transaction before the 200, and the notifier delivers them afterwards.
"""

from __future__ import annotations

import hmac
import json
import logging

from aiohttp import web

from bot.callback_tokens import TOKEN_SHAPE
from bot.events import MalformedEvent, ingest
from bot.services import Services

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024


def register(web_app: web.Application, services: Services) -> None:
    async def handle_callback(request: web.Request) -> web.Response:
        return await receive_callback(request, services)

    web_app.router.add_post("/tavus/callbacks/{token}", handle_callback)


async def receive_callback(request: web.Request, services: Services) -> web.Response:
    token = request.match_info["token"]
    resource = None
    if TOKEN_SHAPE.match(token):
        resource = await services.store.get_resource_by_token(token=token)
    if resource is None or not hmac.compare_digest(
        (resource.callback_token or "").encode(), token.encode()
    ):
        return _answer(404, "unknown callback token")
    if (request.content_length or 0) > MAX_BODY_BYTES:
        return _answer(413, "body over 1 MiB")
    raw = await _read_limited(request)
    if raw is None:
        return _answer(413, "body over 1 MiB")
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, ValueError):
        return _answer(400, "body is not JSON")
    if not isinstance(body, dict):
        return _answer(400, "body must be a JSON object")
    try:
        await ingest(store=services.store, notifier=services.notifier, resource=resource, body=body)
    except MalformedEvent as exc:
        logger.warning("rejected callback for %s %s: %s", resource.kind, resource.tavus_id, exc)
        return _answer(400, str(exc))
    return _answer(200, "ok")


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
