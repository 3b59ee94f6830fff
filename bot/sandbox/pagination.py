"""1-based `limit`/`page` pagination answering `{"data": [...], "total_count": N}`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aiohttp import web

from bot.sandbox.errors import bad_request

DEFAULT_LIMIT = 10
MAX_LIMIT = 100


def _positive_int(request: web.Request, name: str, default: int) -> int:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise bad_request(f"Invalid {name}")
    return value


def paginate(request: web.Request, items: Sequence[dict[str, Any]]) -> dict[str, Any]:
    limit = min(_positive_int(request, "limit", DEFAULT_LIMIT), MAX_LIMIT)
    page = _positive_int(request, "page", 1)
    start = (page - 1) * limit
    return {"data": list(items[start : start + limit]), "total_count": len(items)}
