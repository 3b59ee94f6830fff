"""Fixtures: the Tavus sandbox with every request it receives recorded and checked."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from aiohttp import web

from bot.sandbox import SANDBOX_STATE, SandboxState, build_app
from bot.tavus import TavusClient
from tests.sandbox.conftest import FAST, start_runner

from .contract import Contract, SandboxRecorder, load_contract

API_KEY = "contract-test-key"


@dataclass
class RecordedSandbox:
    tavus: TavusClient
    state: SandboxState
    recorder: SandboxRecorder
    callback_url: str


async def _callback_sink() -> tuple[web.AppRunner, str]:
    """Somewhere for the sandbox's callbacks to land, so none waits on a dead address."""

    async def accept(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/callbacks/{token}", accept)
    runner, url = await start_runner(app)
    return runner, f"{url}/callbacks/contract"


@pytest.fixture
def contract() -> Contract:
    return load_contract()


@pytest.fixture
async def recorded_sandbox(contract: Contract) -> AsyncIterator[RecordedSandbox]:
    """A TavusClient on the sandbox; at teardown every request it sent must fit the spec."""
    app = build_app(api_key=API_KEY, **FAST)
    recorder = SandboxRecorder()
    recorder.install(app)
    runner, url = await start_runner(app)
    sink, callback_url = await _callback_sink()
    tavus = TavusClient(api_key=API_KEY, base_url=url, max_retries=0)
    try:
        yield RecordedSandbox(tavus, app[SANDBOX_STATE], recorder, callback_url)
    finally:
        await tavus.aclose()
        await runner.cleanup()
        await sink.cleanup()
    contract.check(recorder.requests)
