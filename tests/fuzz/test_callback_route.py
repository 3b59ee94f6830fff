"""``POST /tavus/callbacks/<token>`` through the real app: any body gets a 2xx or a 4xx.

With the store healthy, nothing a caller sends makes the route fail (5xx), log an error, or
(when it is refused with a 4xx) change the store. Every kind is tried, with a resource whose
id Tavus has told us and with one still waiting for its create call's answer.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import event, example, given
from hypothesis import strategies as st

from bot.callback_tokens import new_callback_token
from bot.kinds import KINDS
from tests.fakes.slack import FakeSlack
from tests.fuzz.callbacks import bodies
from tests.fuzz.strategies import ids_of, scalars
from tests.harness import Harness, app_settings, harness, tavus_sandbox

DEEP = 200  # far deeper than the route's limit (64): refused, never a RecursionError


@dataclass(frozen=True)
class Target:
    kind: str
    token: str
    tavus_id: str | None  # None: the create call has not answered yet


class World:
    """Not a dataclass: hypothesis prints a failing example's dataclass arguments field by
    field, the whole app included."""

    def __init__(self, running: Harness, database: Path, targets: list[Target]) -> None:
        self.running, self.database, self.targets = running, database, targets

    def __repr__(self) -> str:
        return f"World(app at {self.running.url})"


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with FakeSlack() as slack, tavus_sandbox() as sandbox:
        settings = app_settings(slack=slack, tavus_url=sandbox.url, database_path=tmp_path / "t.db")
        async with harness(slack, settings) as running:
            # Only the route writes: the notifier and poller would change rows in between.
            await running.app.supervisor.stop(grace=5.0)
            targets = [
                await _stored(running, name, pending) for name in KINDS for pending in (0, 1)
            ]
            yield World(running, tmp_path / "t.db", targets)


async def _stored(running: Harness, kind: str, pending: int) -> Target:
    store, token = running.app.services.store, new_callback_token()
    if pending:
        await store.begin_job(
            kind=kind,
            team_id="T0001",
            owner_user_id="U123",
            channel_id="C123",
            callback_token=token,
        )
        return Target(kind, token, None)
    tavus_id = KINDS[kind].noun.id_example
    await store.create_resource(
        kind=kind,
        tavus_id=tavus_id,
        team_id="T0001",
        owner_user_id="U123",
        channel_id="C123",
        message_ts="1700000000.000100",
        callback_token=token,
    )
    return Target(kind, token, tavus_id)


def _nested(depth: int) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


raw_bodies = st.one_of(
    st.binary(max_size=300),
    st.builds(lambda value: json.dumps(value).encode(), scalars | st.lists(scalars, max_size=4)),
    st.just(_nested(DEEP)),
    st.just(b"[" * DEEP + b"]" * DEEP),
    st.builds(lambda text: text.encode("utf-8", "surrogatepass"), st.text(max_size=100)),
)


@st.composite
def requests(draw: st.DrawFn, targets: list[Target]) -> tuple[Target, bytes]:
    target = draw(st.sampled_from(targets))
    kind = KINDS[target.kind]
    if draw(st.integers(0, 4)) == 0:
        return target, draw(raw_bodies)
    named = target.tavus_id or draw(st.none() | ids_of(kind.noun))
    body = draw(bodies(kind, named))
    return target, json.dumps(body).encode()  # NaN and lone surrogates included, as Python writes


@given(data=st.data())
@example(data=None)  # a body just over 1 MiB, and one nested past the limit
async def test_any_callback_body_is_answered_2xx_or_4xx_and_a_refusal_changes_nothing(
    world: World, data: st.DataObject | None, caplog: pytest.LogCaptureFixture
) -> None:
    if data is None:
        for body in (b'{"pad": "' + b"x" * (1024 * 1024) + b'"}', _nested(DEEP)):
            await _send(world, world.targets[0], body, caplog)
        return
    target, body = data.draw(requests(world.targets), label="target, body")
    await _send(world, target, body, caplog)


async def _send(
    world: World, target: Target, body: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.clear()
    before = _snapshot(world.database)
    response = await world.running.callback(target.token, body)
    event(f"{target.kind}: HTTP {response.status_code}")
    assert 200 <= response.status_code < 300 or 400 <= response.status_code < 500, response.text
    if response.status_code >= 400:
        assert _snapshot(world.database) == before, "a refused callback changed the store"
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == []


def _snapshot(path: Path) -> dict[str, Any]:
    with sqlite3.connect(path) as db:
        return {
            table: db.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
            for table in ("resources", "events", "outbox")
        }
