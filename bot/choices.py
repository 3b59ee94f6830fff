"""A short cache of the names type-ahead pickers offer (personas, replicas...).

Slack asks again at every keystroke; the choices are fetched once per picker and kept for a
few seconds, so typing a name costs one Tavus call, not one per letter. A fetch that outlives
Slack's deadline keeps going, so the next keystroke finds its answer; a failed fetch is not
kept.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

CACHE_SECONDS = 30.0

Choice = tuple[str | None, str]  # (name, tavus id)
Loader = Callable[[], Awaitable[list[Choice]]]


@dataclass
class ChoiceCache:
    seconds: float = CACHE_SECONDS
    clock: Callable[[], float] = time.monotonic
    _entries: dict[str, tuple[float, list[Choice]]] = field(default_factory=dict)
    _loading: dict[str, asyncio.Task[list[Choice]]] = field(default_factory=dict)

    async def get(self, key: str, load: Loader) -> list[Choice]:
        entry = self._entries.get(key)
        if entry is not None and self.clock() - entry[0] < self.seconds:
            return entry[1]
        task = self._loading.get(key)
        if task is None or task.done():
            task = asyncio.create_task(self._load(key, load))
            task.add_done_callback(_retrieve)
            self._loading[key] = task
        return await asyncio.shield(task)

    def forget(self, key: str) -> None:
        """After a change (a persona created, say), the next ask fetches afresh."""
        self._entries.pop(key, None)

    async def _load(self, key: str, load: Loader) -> list[Choice]:
        choices = await load()
        self._entries[key] = (self.clock(), choices)
        return choices


def _retrieve(task: asyncio.Task[list[Choice]]) -> None:
    """Nobody may be waiting any more: mark a failure as seen (the next keystroke retries)."""
    if not task.cancelled():
        task.exception()
