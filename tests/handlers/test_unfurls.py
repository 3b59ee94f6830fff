"""Tavus links pasted in Slack unfurl with what Tavus says of them, and only those."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox import SEED_PERSONA_ID, SEED_REPLICA_ID
from tests.fakes.signing import signed_headers
from tests.harness import SIGNING_SECRET, Harness, Sandbox, app_world


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[Harness, Sandbox]]:
    async with app_world(tmp_path, sandbox_options={"joined_delay": 30}) as (h, sandbox):
        yield h, sandbox


async def _link_shared(running: Harness, *urls: str) -> None:
    body = json.dumps(
        {
            "type": "event_callback",
            "team_id": "T0001",
            "api_app_id": "A0001",
            "event_id": f"Ev{time.time_ns()}",
            "event_time": int(time.time()),
            "event": {
                "type": "link_shared",
                "channel": "C123",
                "user": "U123",
                "message_ts": "1700000000.000100",
                "links": [{"domain": url.split("/")[2], "url": url} for url in urls],
            },
        }
    )
    headers = signed_headers(SIGNING_SECRET, body, content_type="application/json")
    response = await running.http.post(f"{running.url}/slack/events", content=body, headers=headers)
    assert response.status_code == 200


async def _unfurls(running: Harness) -> dict[str, Any]:
    (call,) = await running.slack.wait_for("chat.unfurl")
    unfurls = call.args["unfurls"]
    return json.loads(unfurls) if isinstance(unfurls, str) else dict(unfurls)


async def test_a_conversation_link_unfurls_with_its_status_and_replica(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world
    conversation = await running.app.services.tavus.conversations.create(
        persona_id=SEED_PERSONA_ID, test_mode=True
    )
    url = f"https://tavus.daily.co/{conversation.conversation_id}"

    await _link_shared(running, url, "https://example.com/not-tavus")

    unfurls = await _unfurls(running)
    assert list(unfurls) == [url]
    shown = json.dumps(unfurls[url])
    assert "*Status:* ended" in shown and "Replica: Anna" in shown
    running.slack.assert_nothing_rejected()


async def test_a_video_link_unfurls_with_its_thumbnail(world: tuple[Harness, Sandbox]) -> None:
    running, sandbox = world
    sandbox.state.configure(video_delay=0.05)
    video = await running.app.services.tavus.videos.generate(
        replica_id=SEED_REPLICA_ID, script="Hello team"
    )
    for _ in range(100):
        if (await running.app.services.tavus.videos.get(video.video_id)).status == "ready":
            break
        await asyncio.sleep(0.02)

    url = f"https://videos.tavus.io/video/{video.video_id}"
    await _link_shared(running, url)

    shown = json.dumps((await _unfurls(running))[url])
    assert "*Status:* ready" in shown and '"type": "image"' in shown


async def test_a_link_tavus_does_not_know_is_left_alone(world: tuple[Harness, Sandbox]) -> None:
    running, _ = world
    await _link_shared(
        running, "https://tavus.daily.co/c0000000000", "https://videos.tavus.io/video/deadbeef01"
    )
    await asyncio.sleep(0.3)
    assert running.slack.calls_to("chat.unfurl") == []
