"""The app in the test's process (``tests.harness``), seeded with a burst's resources."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from tests.fakes.slack import FakeSlack
from tests.faults import burst
from tests.harness import Harness, app_settings, harness, tavus_sandbox

# No reconcile pass during a test: the callbacks are what is tested (the sandbox does not know
# the seeded resources, and a poll would mark them gone).
POLL_INTERVAL_SECONDS = 3600.0


@dataclass
class Seeded:
    app: Harness
    plan: burst.Plan

    async def send(self, callbacks: list[burst.Callback] | None = None) -> burst.Sent:
        chosen = self.plan.callbacks if callbacks is None else callbacks
        return await burst.send(self.app.url, chosen)

    async def report(self, sent: burst.Sent, *, cards: bool = True) -> burst.Report:
        store = self.app.app.services.store
        resources = await burst.stored_resources(store, self.plan) if cards else None
        return burst.check(self.app.slack, self.plan, set(sent.accepted), resources=resources)

    async def until_drained(self, *, timeout: float = 30.0) -> None:  # noqa: ASYNC109
        """Every outbox row done (a failure deadline, not a timing)."""
        store = self.app.app.services.store
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (left := await store.pending_outbox_count()) > 0:
            if loop.time() >= deadline:
                raise AssertionError(f"{left} outbox row(s) undone after {timeout}s")
            await asyncio.sleep(0.02)


@contextlib.asynccontextmanager
async def seeded_app(
    slack: FakeSlack,
    tmp_path: Path,
    *,
    callbacks: int = burst.CALLBACKS,
    channels: int = burst.CHANNELS,
) -> AsyncIterator[Seeded]:
    plan = burst.plan(callbacks, channels=channels)
    async with tavus_sandbox() as sandbox:
        settings = app_settings(
            slack=slack,
            tavus_url=sandbox.url,
            database_path=tmp_path / "app.db",
            poll_interval_seconds=POLL_INTERVAL_SECONDS,
        )
        async with harness(slack, settings) as app:
            await burst.seed(app.app.services.store, slack, plan)
            yield Seeded(app=app, plan=plan)
