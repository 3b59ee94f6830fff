"""The crash scenario: the app (a subprocess) is signalled mid-burst, restarted, and every
callback is sent again, as Tavus redelivers what it got no 200 for (all of it here, to prove
the redelivered ones post nothing twice). Shared by the tests and ``benchmarks/faults.py``.
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from storage import Store
from tests.fakes.slack import FakeSlack
from tests.faults import burst
from tests.faults.process import (
    app_process,
    environment,
    pending,
    until_drained,
    until_healthy,
)
from tests.harness import free_port, tavus_sandbox

EXIT_TIMEOUT_SECONDS = 20.0
DRAIN_TIMEOUT_SECONDS = 60.0
# Slack answers each post this late, so that some are in flight when the app dies; a post
# takes effect when answered, even if the app is gone by then (FakeSlack.delay).
POST_LATENCY_SECONDS = 0.05


@dataclass(frozen=True)
class CrashRun:
    signal: str
    sent: int  # callbacks in the burst
    accepted_before: int  # answered 200 before the app went down
    in_flight_posts: int  # posts Slack had received, not yet answered, at the signal
    exit_code: int | None
    left_in_outbox: int  # undone rows when the app was down
    accepted_after: int  # answered 200 after the restart (the whole burst again)
    refused_after: int
    recovery_seconds: float  # from the restart to an empty outbox
    report: burst.Report


async def crash_and_recover(
    workdir: Path,
    *,
    stop_with: signal.Signals,
    halt_after: int,
    callbacks: int = burst.CALLBACKS,
    channels: int = burst.CHANNELS,
    env: Mapping[str, str] | None = None,
    on_start: Callable[[int], None] | None = None,
) -> CrashRun:
    """``env``: more environment for the app; ``on_start``: told each app process's pid."""
    plan = burst.plan(callbacks, channels=channels)
    database, log, port = workdir / "app.db", workdir / "app.log", free_port()
    base_url = f"http://127.0.0.1:{port}"
    async with FakeSlack() as slack, tavus_sandbox() as sandbox:
        async with await Store.open(database) as store:
            await burst.seed(store, slack, plan)
        app_env = environment(slack, sandbox.url, database, port, **(env or {}))
        in_flight: list[int] = []
        slack.delay("chat.postMessage", POST_LATENCY_SECONDS)
        with app_process(app_env, log, on_start=on_start) as first:
            await until_healthy(base_url)

            def halt() -> None:
                first.send_signal(stop_with)
                in_flight.append(len(slack.in_flight("chat.postMessage")))

            before = await burst.send(base_url, plan.callbacks, halt_after=halt_after, on_halt=halt)
            code = await asyncio.to_thread(first.wait, EXIT_TIMEOUT_SECONDS)
        slack.delay("chat.postMessage", 0)
        await _until_answered(slack)  # the posts in flight at the signal land in Slack
        left = pending(database)

        restarted = time.perf_counter()
        with app_process(app_env, log, on_start=on_start) as second:
            await until_healthy(base_url)
            after = await burst.send(base_url, plan.callbacks)
            await until_drained(database, timeout=DRAIN_TIMEOUT_SECONDS)
            recovery = time.perf_counter() - restarted
            second.send_signal(signal.SIGTERM)
            await asyncio.to_thread(second.wait, EXIT_TIMEOUT_SECONDS)
        async with await Store.open(database) as store:
            resources = await burst.stored_resources(store, plan)
        accepted = set(before.accepted) | set(after.accepted)
        report = burst.check(slack, plan, accepted, resources=resources)
    return CrashRun(
        signal=stop_with.name,
        sent=len(plan.callbacks),
        accepted_before=len(before.accepted),
        in_flight_posts=in_flight[0] if in_flight else 0,
        exit_code=code,
        left_in_outbox=left,
        accepted_after=len(after.accepted),
        refused_after=len(after.refused),
        recovery_seconds=recovery,
        report=report,
    )


async def _until_answered(slack: FakeSlack, *, timeout: float = 10.0) -> None:  # noqa: ASYNC109
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while slack.in_flight("chat.postMessage"):
        if loop.time() >= deadline:
            raise AssertionError("Slack never answered the posts in flight")
        await asyncio.sleep(0.01)
