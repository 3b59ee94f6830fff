"""Fixtures: the sandbox on a real loopback port, an httpx client, a callback receiver."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from aiohttp import web

from bot.sandbox import SANDBOX_STATE, SandboxState, build_app

API_KEY = "test-key"
FAST = {
    "joined_delay": 0.05,
    "participant_delay": 0.05,
    "training_delay": 0.05,
    "video_delay": 0.05,
    "lipsync_delay": 0.05,
    "document_delay": 0.05,
    "objective_delay": 0.05,
    "guardrail_delay": 0.05,
}
# Long enough for polling to see a job's steps (0.05 s each), short enough for a test.
OBSERVABLE_JOB_SECONDS = 0.5
WAIT_SECONDS = 2.0
POLL_INTERVAL = 0.005


async def start_runner(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, host="127.0.0.1", port=0).start()
    host, port = runner.addresses[0][:2]
    return runner, f"http://{host}:{port}"


@dataclass
class Sandbox:
    state: SandboxState
    url: str
    client: httpx.AsyncClient


@dataclass
class Receiver:
    url: str
    payloads: list[dict[str, Any]] = field(default_factory=list)
    arrived: asyncio.Condition = field(default_factory=asyncio.Condition)

    async def collect(self, request: web.Request) -> web.Response:
        async with self.arrived:
            self.payloads.append(await request.json())
            self.arrived.notify_all()
        return web.Response(text="ok")

    async def wait_for(self, count: int) -> list[dict[str, Any]]:
        async with asyncio.timeout(WAIT_SECONDS), self.arrived:
            await self.arrived.wait_for(lambda: len(self.payloads) >= count)
        return self.payloads


StartSandbox = Callable[..., Awaitable[Sandbox]]


async def poll(
    client: httpx.AsyncClient, path: str, until: Callable[[dict[str, Any]], bool]
) -> list[dict[str, Any]]:
    """Every answer of `GET path`, polled until `until(answer)` holds."""
    answers: list[dict[str, Any]] = []
    async with asyncio.timeout(WAIT_SECONDS):
        while not answers or not until(answers[-1]):
            if answers:
                await asyncio.sleep(POLL_INTERVAL)
            response = await client.get(path)
            assert response.status_code == 200, response.text
            answers.append(response.json())
    return answers


def distinct(values: list[Any]) -> list[Any]:
    """`values` without consecutive repeats: the states a poller went through."""
    return [value for index, value in enumerate(values) if index == 0 or values[index - 1] != value]


def percent(progress: str) -> int:
    done, total = progress.split("/")
    assert total == "100"
    return int(done)


@pytest.fixture
async def start_sandbox() -> AsyncIterator[StartSandbox]:
    runners: list[web.AppRunner] = []
    clients: list[httpx.AsyncClient] = []

    async def start(**options: Any) -> Sandbox:
        app = build_app(api_key=API_KEY, **{**FAST, **options})
        runner, url = await start_runner(app)
        runners.append(runner)
        client = httpx.AsyncClient(base_url=url, headers={"x-api-key": API_KEY})
        clients.append(client)
        return Sandbox(app[SANDBOX_STATE], url, client)

    yield start
    for client in clients:
        await client.aclose()
    for runner in runners:
        await runner.cleanup()


@pytest.fixture
async def sandbox(start_sandbox: StartSandbox) -> Sandbox:
    return await start_sandbox()


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    received = Receiver(url="")
    app = web.Application()
    app.router.add_post("/callbacks/{token}", received.collect)
    runner, url = await start_runner(app)
    received.url = f"{url}/callbacks/token123"
    yield received
    await runner.cleanup()


# Resources other resources point at.


async def create(sandbox: Sandbox, path: str, body: dict[str, Any], id_key: str) -> str:
    response = await sandbox.client.post(path, json=body)
    assert response.status_code in (200, 201), response.text
    created: str = response.json()[id_key]
    return created


async def create_objectives(sandbox: Sandbox, *objectives: dict[str, Any]) -> str:
    data = list(objectives) or [{"objective_name": "greet", "objective_prompt": "Say hello"}]
    return await create(sandbox, "/v2/objectives", {"data": data}, "objectives_id")


async def create_guardrails(sandbox: Sandbox, *guardrails: dict[str, Any]) -> str:
    data = list(guardrails) or [{"guardrail_name": "no_advice", "guardrail_prompt": "No advice"}]
    body = {"name": "Compliance", "data": data}
    return await create(sandbox, "/v2/guardrails", body, "guardrails_id")


async def create_document(sandbox: Sandbox, **fields: Any) -> str:
    body = {"document_url": "https://docs.example.com/guide.pdf", **fields}
    return await create(sandbox, "/v2/documents", body, "document_id")


async def create_dictionary(sandbox: Sandbox, **fields: Any) -> str:
    body = {"name": "Brand Terms", **fields}
    return await create(
        sandbox, "/v2/pronunciation-dictionaries", body, "pronunciation_dictionary_id"
    )
