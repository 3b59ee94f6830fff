"""The real app as a subprocess (`python -m bot run`), for tests that kill it or stop it.

Configured by environment variables as an operator would; talks to the fake Slack and the
Tavus sandbox running in the test's process.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import httpx

from tests.fakes.slack import FakeSlack
from tests.harness import SIGNING_SECRET

HEALTH_TRIES = 200
HEALTH_POLL_SECONDS = 0.05
EXIT_TIMEOUT_SECONDS = 10.0


def environment(
    slack: FakeSlack, tavus_url: str, database: Path, port: int, **extra: str
) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TAVUS_"))}
    return {
        **keep,
        "SLACK_BOT_TOKEN": slack.token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack.api_url,
        "TAVUS_API_KEY": "sandbox-test-key",
        "TAVUS_API_URL": tavus_url,
        "DATABASE_URL": f"sqlite:///{database}",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "LOG_LEVEL": "DEBUG",
        **extra,
    }


@contextmanager
def app_process(
    env: dict[str, str], log: Path, *, on_start: Callable[[int], None] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """The app, killed on the way out if the test did not stop it. ``on_start`` gets its pid
    as soon as it is spawned (a benchmark pins it to a CPU)."""
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"], env=env, stdout=out, stderr=out
        )
    if on_start is not None:
        on_start(process.pid)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=EXIT_TIMEOUT_SECONDS)


async def until_healthy(base_url: str) -> None:
    async with httpx.AsyncClient() as http:
        for _ in range(HEALTH_TRIES):
            try:
                if (await http.get(f"{base_url}/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(HEALTH_POLL_SECONDS)
    raise AssertionError("the app did not become healthy")


async def until_drained(database: Path, *, timeout: float = 60.0) -> None:  # noqa: ASYNC109
    """Wait (up to ``timeout``, a failure deadline) until no outbox row is left undone."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while (left := pending(database)) > 0:
        if loop.time() >= deadline:
            raise AssertionError(f"{left} outbox row(s) still undone after {timeout}s")
        await asyncio.sleep(HEALTH_POLL_SECONDS)


def pending(database: Path) -> int:
    with closing(sqlite3.connect(database)) as db:
        return int(db.execute("SELECT COUNT(*) FROM outbox WHERE done_at IS NULL").fetchone()[0])


async def post_parent(slack: FakeSlack, channel: str = "C123", text: str = "card") -> str:
    """A message for a resource's thread to hang under, as its card would be; its ts."""
    async with httpx.AsyncClient() as http:
        response = await http.post(
            f"{slack.api_url}chat.postMessage",
            headers={"Authorization": f"Bearer {slack.token}"},
            json={"channel": channel, "text": text},
        )
    body = response.json()
    if not body.get("ok"):
        raise AssertionError(f"the fake Slack refused the parent message: {body}")
    return str(body["ts"])
