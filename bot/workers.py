"""Background workers (the notifier, the poller): kept running, restarted when they die.

A worker that raises is logged with its stack and started again after a backoff; its
liveness is what ``/healthz`` reports.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger(__name__)

RESTART_FIRST_SECONDS = 1.0
RESTART_CAP_SECONDS = 30.0


@dataclass
class Worker:
    name: str
    run: Callable[[], Awaitable[None]]
    stop: Callable[[], None]
    # Beyond "its task is running": e.g. the notifier's heartbeat. None: the task suffices.
    healthy: Callable[[], bool] | None = None
    restarts: int = 0
    task: asyncio.Task[None] | None = field(default=None, repr=False)
    running: bool = False

    @property
    def alive(self) -> bool:
        if not self.running or self.task is None or self.task.done():
            return False
        return self.healthy() if self.healthy is not None else True


class Supervisor:
    def __init__(self) -> None:
        self._workers: dict[str, Worker] = {}
        self._stopping = False

    def start(self, worker: Worker) -> None:
        self._workers[worker.name] = worker
        worker.task = asyncio.create_task(self._keep_running(worker), name=worker.name)

    def worker(self, name: str) -> Worker:
        return self._workers[name]

    def alive(self, name: str) -> bool:
        worker = self._workers.get(name)
        return worker is not None and worker.alive

    def status(self) -> dict[str, dict[str, Any]]:
        return {
            name: {"alive": worker.alive, "restarts": worker.restarts}
            for name, worker in self._workers.items()
        }

    async def stop(self, *, grace: float) -> None:
        """Ask every worker to stop, give them ``grace`` seconds, then cancel the rest."""
        self._stopping = True
        for worker in self._workers.values():
            worker.stop()
        tasks = [w.task for w in self._workers.values() if w.task is not None]
        if not tasks:
            return
        _, late = await asyncio.wait(tasks, timeout=grace)
        for task in late:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _keep_running(self, worker: Worker) -> None:
        delay = RESTART_FIRST_SECONDS
        while not self._stopping:
            worker.running = True
            try:
                await worker.run()
            except Exception:
                logger.exception("the %s worker died; restarting it in %.0fs", worker.name, delay)
            else:
                if self._stopping:
                    break
                logger.error("the %s worker stopped by itself; restarting it", worker.name)
            finally:
                worker.running = False
            worker.restarts += 1
            await asyncio.sleep(delay)
            delay = min(delay * 2, RESTART_CAP_SECONDS)
