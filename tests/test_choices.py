from __future__ import annotations

import asyncio

import pytest

from bot.choices import Choice, ChoiceCache
from tests.fakes.clock import Clock


async def test_choices_are_fetched_once_while_fresh(clock: Clock) -> None:
    cache, calls = ChoiceCache(seconds=30, clock=clock), 0

    async def load() -> list[Choice]:
        nonlocal calls
        calls += 1
        return [("Anna", "r1")]

    assert await cache.get("replicas", load) == [("Anna", "r1")]
    assert await cache.get("replicas", load) == [("Anna", "r1")]
    assert calls == 1
    clock.advance(31)
    await cache.get("replicas", load)
    assert calls == 2


async def test_a_fetch_that_outlives_the_deadline_serves_the_next_keystroke() -> None:
    cache, release, calls = ChoiceCache(), asyncio.Event(), 0

    async def slow() -> list[Choice]:
        nonlocal calls
        calls += 1
        await release.wait()
        return [("Sales Coach", "p1")]

    with pytest.raises(TimeoutError):
        await asyncio.wait_for(cache.get("personas", slow), 0.01)
    release.set()
    assert await cache.get("personas", slow) == [("Sales Coach", "p1")]
    assert calls == 1


async def test_a_failed_fetch_is_not_kept() -> None:
    cache, attempts = ChoiceCache(), 0

    async def flaky() -> list[Choice]:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            raise RuntimeError("Tavus is down")
        return [("Anna", "r1")]

    with pytest.raises(RuntimeError):
        await cache.get("replicas", flaky)
    assert await cache.get("replicas", flaky) == [("Anna", "r1")]
