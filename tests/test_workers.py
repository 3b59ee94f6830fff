"""Background workers are restarted when they die, and report whether they live."""

from __future__ import annotations

import asyncio

import pytest

from bot import workers
from bot.workers import Supervisor, Worker


@pytest.fixture(autouse=True)
def quick_restarts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "RESTART_FIRST_SECONDS", 0.01)


class Flaky:
    """Dies the first ``deaths`` times it runs, then runs until stopped."""

    def __init__(self, deaths: int) -> None:
        self.deaths = deaths
        self.runs = 0
        self.stopped = asyncio.Event()

    async def run(self) -> None:
        self.runs += 1
        if self.runs <= self.deaths:
            raise RuntimeError("worker bug")
        await self.stopped.wait()

    def stop(self) -> None:
        self.stopped.set()


async def test_a_worker_that_dies_is_logged_and_restarted(
    caplog: pytest.LogCaptureFixture,
) -> None:
    supervisor, flaky = Supervisor(), Flaky(deaths=2)
    supervisor.start(Worker("flaky", run=flaky.run, stop=flaky.stop))

    for _ in range(100):
        await asyncio.sleep(0.01)
        if flaky.runs == 3:
            break

    assert supervisor.alive("flaky")
    assert supervisor.status()["flaky"] == {"alive": True, "restarts": 2}
    assert caplog.text.count("the flaky worker died") == 2
    await supervisor.stop(grace=1)
    assert not supervisor.alive("flaky")


async def test_an_unhealthy_worker_is_not_alive() -> None:
    supervisor, flaky = Supervisor(), Flaky(deaths=0)
    healthy = True
    supervisor.start(Worker("w", run=flaky.run, stop=flaky.stop, healthy=lambda: healthy))
    await asyncio.sleep(0.01)
    assert supervisor.alive("w")
    healthy = False
    assert not supervisor.alive("w")
    await supervisor.stop(grace=1)


async def test_stop_cancels_a_worker_that_will_not_stop() -> None:
    supervisor = Supervisor()

    async def stubborn() -> None:
        await asyncio.Event().wait()

    supervisor.start(Worker("stubborn", run=stubborn, stop=lambda: None))
    await asyncio.sleep(0.01)
    await supervisor.stop(grace=0.05)
    assert not supervisor.alive("stubborn")
