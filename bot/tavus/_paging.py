"""Walking a list whose first page Tavus documents both as page 0 and as page 1."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any, TypeVar

from .errors import BadRequest
from .models import Page

T = TypeVar("T")
Fetch = Callable[[int], Awaitable[Mapping[str, Any]]]


async def walk_either_numbering(
    fetch: Fetch, parse: Callable[[Mapping[str, Any]], T], key: Callable[[T], str], *, limit: int
) -> AsyncIterator[T]:
    """Yield every item once, in order, whether pages count from 0 or from 1.

    Starts at page 0 and skips items already seen: with 1-based pages, page 0 is refused,
    empty or a copy of page 1. Stops once `total_count` items were seen; without a total,
    at a short page (the server may cap `limit`, so a short page proves nothing when a total
    says more remain). A page that brings nothing new ends the walk, so a server that
    ignores `page` cannot loop it forever.
    """
    seen: set[str] = set()
    number = 0
    while True:
        data = await _fetch(fetch, number)
        rows = Page.from_api(data, parse, page=number, limit=limit).items
        fresh = 0
        for row in rows:
            if key(row) not in seen:
                seen.add(key(row))
                fresh += 1
                yield row
        if _finished(number, _total(data), len(seen), len(rows), fresh, limit):
            return
        number += 1


async def _fetch(fetch: Fetch, number: int) -> Mapping[str, Any]:
    try:
        return await fetch(number)
    except BadRequest:
        if number != 0:
            raise
        return {}  # 1-based pages: "Invalid page" for 0 just means start at 1


def _total(data: Mapping[str, Any]) -> int | None:
    total = data.get("total_count")
    return total if isinstance(total, int) and not isinstance(total, bool) else None


def _finished(number: int, total: int | None, seen: int, rows: int, fresh: int, limit: int) -> bool:
    if total is not None:
        if seen >= total:
            return True
    elif number > 0 and rows < limit:
        return True
    # Page 1 may repeat page 0 (1-based numbering); past that, nothing new means the end.
    return number > 0 and fresh == 0 and (rows == 0 or number > 1)
