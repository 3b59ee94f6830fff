"""Slack's retries run once: a command, an interaction and an event, each sent again.

Slack resends a request it thinks went unanswered (a slow ack) byte for byte, signed anew,
with ``X-Slack-Retry-Num`` and ``X-Slack-Retry-Reason``; the same ``trigger_id`` or
``event_id`` inside. A retried `/tavus call` or Start form must not start (and bill) a
second call. Each test also sends a fresh request afterwards: it runs, so a count that
stayed put proves the retry was refused, not that nothing happens at all.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.blocks import start_modal as modal
from bot.sandbox import SEED_PERSONA_ID
from tests.fakes.signing import (
    USER_ID,
    event_body,
    interaction_body,
    new_trigger_id,
    signed_headers,
    slash_command_body,
    view_submission_payload,
)
from tests.fakes.slack import FakeSlack
from tests.fuzz.catalog import settle
from tests.harness import SIGNING_SECRET, Harness, Sandbox, app_settings, harness, tavus_sandbox


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[Harness, Sandbox]]:
    async with FakeSlack() as slack, tavus_sandbox() as sandbox:
        settings = app_settings(slack=slack, tavus_url=sandbox.url, database_path=tmp_path / "t.db")
        async with harness(slack, settings) as running:
            yield running, sandbox


async def _deliver(
    running: Harness, body: str, *, retry: int = 0, content_type: str | None = None
) -> httpx.Response:
    """One delivery of ``body``, signed now; ``retry``: Slack's retry number (0: the first)."""
    kind = {"content_type": content_type} if content_type else {}
    headers = signed_headers(SIGNING_SECRET, body, **kind)
    if retry:
        headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
    response = await running.http.post(f"{running.url}/slack/events", content=body, headers=headers)
    await settle()
    return response


async def test_a_retried_command_starts_one_call(world: tuple[Harness, Sandbox]) -> None:
    running, sandbox = world

    def call(trigger_id: str) -> str:
        text, url = f"call {SEED_PERSONA_ID}", running.slack.response_url
        return slash_command_body(text, trigger_id=trigger_id, response_url=url)

    body = call("retried.command")
    for retry in range(3):
        assert (await _deliver(running, body, retry=retry)).status_code == 200
    assert len(sandbox.state.conversations) == 1

    await _deliver(running, call(new_trigger_id()))
    assert len(sandbox.state.conversations) == 2


def _start_values() -> dict[str, Any]:
    return {
        modal.B_PERSONA: {
            modal.PERSONA_ACTION: {
                "type": "external_select",
                "selected_option": {"value": SEED_PERSONA_ID},
            }
        },
        modal.B_REPLICA: {
            modal.REPLICA_ACTION: {"type": "external_select", "selected_option": None}
        },
        modal.B_CHANNEL: {
            modal.B_CHANNEL: {"type": "conversations_select", "selected_conversation": "C123"}
        },
    }


async def test_a_retried_form_submission_starts_one_call(world: tuple[Harness, Sandbox]) -> None:
    running, sandbox = world
    view = modal.start_modal(channel_id="C123", max_call_duration=600, participant_left_timeout=60)
    opened = await running.app.services.slack.views_open(trigger_id="tr.open", view=view)

    def submit(trigger_id: str) -> str:
        payload = view_submission_payload(
            modal.CALLBACK_ID,
            values=_start_values(),
            view_id=opened["view"]["id"],
            user_id=USER_ID,
            trigger_id=trigger_id,
        )
        return interaction_body(payload)

    body = submit("retried.submission")
    first = await _deliver(running, body)
    assert json.loads(first.text)["response_action"] == "update"
    for retry in (1, 2):
        assert (await _deliver(running, body, retry=retry)).status_code == 200
    assert len(sandbox.state.conversations) == 1

    await _deliver(running, submit(new_trigger_id()))
    assert len(sandbox.state.conversations) == 2


async def test_a_retried_event_is_handled_once(world: tuple[Harness, Sandbox]) -> None:
    running, _ = world
    home_opened = {"type": "app_home_opened", "user": USER_ID, "tab": "home"}
    body = event_body(home_opened)
    for retry in range(3):
        response = await _deliver(running, body, retry=retry, content_type="application/json")
        assert response.status_code == 200
    assert len(running.slack.calls_to("views.publish")) == 1

    fresh = event_body(home_opened)  # a new event_id: another opening of the tab
    assert json.loads(fresh)["event_id"] != json.loads(body)["event_id"]
    await _deliver(running, fresh, content_type="application/json")
    assert len(running.slack.calls_to("views.publish")) == 2
