"""`/tavus videos`, `video show`, `rename` and `delete [--hard]` through the real route."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.blocks.listing import DELETE_ACTION, MORE_ACTION
from bot.sandbox import SEED_REPLICA_ID
from tests.fakes.signing import block_action_payload
from tests.fakes.slack import FakeSlack
from tests.harness import (
    ADMIN_ID,
    TAVUS_KEY,
    Harness,
    Sandbox,
    app_settings,
    free_port,
    harness,
    tavus_sandbox,
)

OWNER = "U123"
STRANGER = "U999"


@pytest.fixture(params=[0, 1], ids=["pages-from-0", "pages-from-1"])
async def world(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[tuple[Harness, Sandbox]]:
    port = free_port()
    options = {"video_delay": 0.2, "video_first_page": request.param}
    async with FakeSlack() as slack, tavus_sandbox(**options) as sandbox:
        settings = app_settings(
            slack=slack,
            tavus_url=sandbox.url,
            database_path=tmp_path / "t.db",
            port=port,
            public_url=f"http://127.0.0.1:{port}",
            default_replica_id=SEED_REPLICA_ID,
        )
        async with harness(slack, settings) as h:
            yield h, sandbox


async def make_videos(sandbox: Sandbox, count: int) -> list[str]:
    ids = []
    async with httpx.AsyncClient(base_url=sandbox.url, headers={"x-api-key": TAVUS_KEY}) as http:
        for number in range(count):
            body = {"replica_id": SEED_REPLICA_ID, "script": "Hi", "video_name": f"Clip {number}"}
            answer = await http.post("/v2/videos", json=body)
            ids.append(answer.json()["video_id"])
    return ids


async def started_video(running: Harness, sandbox: Sandbox) -> str:
    await running.command("video Hello from the owner", user_id=OWNER)
    await running.slack.wait_for("chat.postMessage", count=2, timeout=10)  # card, ready
    (video,) = sandbox.state.videos.values()
    return video.video_id


def click_on(running: Harness, action_id: str, value: str, user_id: str = OWNER) -> dict[str, Any]:
    return block_action_payload(
        action_id, value=value, user_id=user_id, response_url=running.slack.response_url
    )


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for b in message.get("blocks") or [] if b["type"] == "actions" for e in b["elements"]]


async def test_videos_are_listed_ten_at_a_time_however_tavus_counts_pages(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world
    ids = await make_videos(sandbox, 12)
    newest_first = list(reversed(ids))

    await running.command("videos")

    (first,) = await running.slack.wait_for_response(count=1)
    listed = json.dumps(first["blocks"])
    assert "(1–10 of 12)" in first["text"]
    assert [i for i in newest_first if i in listed] == newest_first[:10]
    (more,) = buttons(first)
    click = click_on(running, MORE_ACTION, more["value"])
    await running.interact(click)
    second = (await running.slack.wait_for_response(count=2))[1]
    assert "(11–12 of 12)" in second["text"]
    listed = json.dumps(second["blocks"])
    assert [i for i in newest_first if i in listed] == newest_first[10:]
    assert buttons(second) == []
    running.slack.assert_nothing_rejected()


@pytest.mark.parametrize("world", [0], indirect=True)
async def test_show_has_the_links_and_the_thumbnail(world: tuple[Harness, Sandbox]) -> None:
    running, sandbox = world
    video_id = await started_video(running, sandbox)
    video = sandbox.state.videos[video_id]

    await running.command(f"video show {video_id}")

    (shown,) = await running.slack.wait_for_response(count=1)
    (section,) = shown["blocks"]
    assert section["accessory"]["image_url"] == video.still_image_thumbnail_url
    for url in (video.hosted_url, video.download_url, video.stream_url):
        assert url is not None and url in section["text"]["text"]


@pytest.mark.parametrize("world", [0], indirect=True)
async def test_only_the_owner_or_an_admin_renames_and_the_card_follows(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world
    video_id = await started_video(running, sandbox)

    await running.command(f"video rename {video_id} Stolen", user_id=STRANGER)
    (refused,) = await running.slack.wait_for_response(count=1)
    assert "Only <@U123>" in refused["text"]
    assert sandbox.state.videos[video_id].video_name != "Stolen"

    await running.command(f"video rename {video_id} Quarterly <hello>", user_id=OWNER)
    await running.slack.wait_for_response(count=2)
    assert sandbox.state.videos[video_id].video_name == "Quarterly <hello>"
    await running.slack.wait_for(
        "chat.update", predicate=lambda c: "Quarterly &lt;hello&gt;" in json.dumps(c.args)
    )


@pytest.mark.parametrize("world", [0], indirect=True)
async def test_a_hard_delete_says_what_it_destroys_and_removes_the_video(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world
    video_id = await started_video(running, sandbox)

    await running.command(f"video delete {video_id} --hard", user_id=OWNER)

    (ask,) = await running.slack.wait_for_response(count=1)
    assert "Permanently delete" in ask["text"]
    assert "thumbnails" in ask["text"] and "cannot be undone" in ask["text"]
    assert video_id in sandbox.state.videos  # nothing happens before the click
    (delete,) = buttons(ask)
    assert delete["action_id"] == DELETE_ACTION
    await running.interact(click_on(running, DELETE_ACTION, delete["value"]))
    (_, done) = await running.slack.wait_for_response(count=2)
    assert done["text"].startswith(":wastebasket: Permanently deleted video")
    assert video_id not in sandbox.state.videos
    (resource,) = await running.app.services.store.list_resources(kind="video")
    assert (resource.status, resource.finished) == ("deleted", True)


@pytest.mark.parametrize("world", [0], indirect=True)
async def test_a_soft_delete_by_an_admin_leaves_the_video_marked_deleted(
    world: tuple[Harness, Sandbox],
) -> None:
    running, sandbox = world
    (video_id,) = await make_videos(sandbox, 1)

    await running.command(f"video delete {video_id}", user_id=STRANGER)
    (refused,) = await running.slack.wait_for_response(count=1)
    assert "Only an admin" in refused["text"]

    await running.command(f"video delete {video_id}", user_id=ADMIN_ID)
    (_, ask) = await running.slack.wait_for_response(count=2)
    assert "thumbnails" not in ask["text"]
    (delete,) = buttons(ask)
    click = click_on(running, DELETE_ACTION, delete["value"], user_id=ADMIN_ID)
    await running.interact(click)
    await running.slack.wait_for_response(count=3)
    assert sandbox.state.videos[video_id].status == "deleted"
