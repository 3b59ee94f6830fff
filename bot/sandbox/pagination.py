"""`limit`/`page` pagination answering `{"data": [...], "total_count": N}`.

Pages count from 1 unless the resource says otherwise (the videos spec counts from 0).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aiohttp import web

from bot.sandbox.errors import bad_request

DEFAULT_LIMIT = 10
MAX_LIMIT = 100


def _int_param(request: web.Request, name: str, default: int, minimum: int) -> int:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = minimum - 1
    if value < minimum:
        raise bad_request(f"Invalid {name}")
    return value


def paginate(
    request: web.Request,
    items: Sequence[dict[str, Any]],
    *,
    first_page: int = 1,
    echo: bool = False,
) -> dict[str, Any]:
    """One page of `items`; `echo` adds the `page` and `limit` used, as some lists do."""
    limit = min(_int_param(request, "limit", DEFAULT_LIMIT, 1), MAX_LIMIT)
    page = _int_param(request, "page", first_page, first_page)
    start = (page - first_page) * limit
    answer = {"data": list(items[start : start + limit]), "total_count": len(items)}
    if echo:
        answer.update(page=page, limit=limit)
    return answer
