from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from bot.tavus import TavusClient

from .mock_api import API_KEY, Handler

MakeTavus = Callable[..., TavusClient]


class RecordingSleep:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def sleep() -> RecordingSleep:
    return RecordingSleep()


@pytest.fixture
async def make_tavus(sleep: RecordingSleep) -> AsyncIterator[MakeTavus]:
    clients: list[TavusClient] = []

    def make(handler: Handler, **options: Any) -> TavusClient:
        transport = httpx.MockTransport(handler)
        client = TavusClient(api_key=API_KEY, transport=transport, sleep=sleep, **options)
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()
