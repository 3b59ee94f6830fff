"""Delivery of callbacks to `callback_url`: best effort, short timeout, never raises."""

from __future__ import annotations

import logging
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
