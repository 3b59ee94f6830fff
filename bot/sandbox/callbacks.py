"""Delivery of callbacks to `callback_url`: best effort, short timeout, never raises.

`deliver` keeps each resource's callbacks in the order they happened, batch after batch, and
applies the delivery faults Tavus is known for (no ordering promised, the same event may come
twice): `duplicate` posts every payload twice, `reorder` posts a batch last-first.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

import aiohttp

logger = logging.getLogger(__name__)

CALLBACK_TIMEOUT = 5.0

SentCallback = tuple[str, dict[str, Any], int | None]
"""(url, payload, HTTP status); the status is None when the POST failed."""


class CallbackSender:
    """Owns one ClientSession, opened and closed with the sandbox app."""

    def __init__(self, sent: list[SentCallback], *, timeout: float = CALLBACK_TIMEOUT) -> None:
        self._sent = sent
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None
        self._order: dict[str, asyncio.Lock] = {}

    async def open(self) -> None:
        self._session = aiohttp.ClientSession(timeout=self._timeout)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def post(self, url: str, payload: dict[str, Any]) -> int | None:
        status: int | None = None
        try:
            if self._session is None:
                raise RuntimeError("callback sender is not open")
            async with self._session.post(url, json=payload) as response:
                status = response.status
        except (aiohttp.ClientError, TimeoutError, RuntimeError) as exc:
            logger.warning("callback to %s failed: %r", url, exc)
        self._sent.append((url, payload, status))
        return status

    async def deliver(
        self,
        url: str,
        payloads: Sequence[dict[str, Any]],
        *,
        key: str,
        duplicate: bool = False,
        reorder: bool = False,
    ) -> None:
        """Post one batch after the batches `key` (a resource id) sent before it."""
        lock = self._order.setdefault(key, asyncio.Lock())
        async with lock:
            for payload in reversed(payloads) if reorder else payloads:
                for _ in range(2 if duplicate else 1):
                    await self.post(url, payload)
