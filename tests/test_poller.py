from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings
from bot.domain.conversations import ENDED as STATUS_ENDED
from bot.domain.conversations import WAITING as STATUS_WAITING
from bot.events.conversations import AFTER_END_GRACE_SECONDS
from bot.kinds import render_card
from bot.notifier import Notifier
from bot.poller import Poller
from bot.services import Services
from bot.tavus import TavusClient
from storage import Resource, Store
from tests.fakes.clock import Clock
from tests.fakes.slack import FakeSlack

pytestmark = pytest.mark.usefixtures("no_channel_pacing")

TOKEN = "xoxb-test-token"
API_KEY = "tavus-test-key"
CHANNEL = "C0123"
CONVERSATION_ID = "c123abc456"
SYSTEM_PROMPT = "SECRET system prompt"

JOINED = {"event_type": "system.replica_joined", "properties": {"replica_id": "r79e1c033f"}}
SHUTDOWN = {
    "event_type": "system.shutdown",
    "timestamp": "2025-07-11T06:48:37Z",
    "properties": {"shutdown_reason": "participant_left_timeout reached"},
}
TRANSCRIPT = {
    "event_type": "application.transcription_ready",
    "properties": {
        "transcript": [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": "Hello"},
            {"role": "assistant", "content": "Hi there"},
        ]
    },
}
PERCEPTION = {
    "event_type": "application.perception_analysis",
    "properties": {"analysis": "The participant looked engaged."},
}


@dataclass
class FakeTavus:
    """Answers GET /v2/conversations/{id}?verbose=true with whatever `events` holds now."""

    events: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200
    error: str = ""
    requests: list[httpx.Request] = field(default_factory=list)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.status != 200:
            return httpx.Response(self.status, json={"error": self.error})
        assert request.method == "GET"
        assert request.url.path == f"/v2/conversations/{CONVERSATION_ID}"
        assert request.url.params.get("verbose") == "true"
        assert request.headers["x-api-key"] == API_KEY
        return httpx.Response(
            200,
            json={
                "conversation_id": CONVERSATION_ID,
                "status": "ended" if SHUTDOWN in self.events else "active",
                "events": [{"message_type": "system", **e} for e in self.events],
            },
        )


@pytest.fixture
def tavus_api() -> FakeTavus:
    return FakeTavus()


async def no_sleep(seconds: float) -> None:
    return None


@pytest.fixture
async def services(
    tmp_path: Path, clock: Clock, tavus_api: FakeTavus, slack: FakeSlack
) -> AsyncIterator[Services]:
    settings = Settings.from_env(
        {
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": "secret",
            "TAVUS_API_KEY": API_KEY,
            "SLACK_API_URL": slack.api_url,
        }
    )
    assert settings.public_url is None
    store = await Store.open(tmp_path / "t.db", clock=clock)
    client = AsyncWebClient(token=TOKEN, base_url=settings.slack_api_url)
    tavus = TavusClient(
        api_key=API_KEY, transport=httpx.MockTransport(tavus_api.handle), sleep=no_sleep
    )
    notifier = Notifier(store=store, slack=client, render_card=render_card, clock=clock)
    try:
        yield Services(settings=settings, store=store, tavus=tavus, slack=client, notifier=notifier)
    finally:
        await tavus.aclose()
        await store.close()


def poller(services: Services, clock: Clock) -> Poller:
    return Poller(services=services, clock=clock)


async def conversation(services: Services) -> Resource:
    parent = await services.slack.chat_postMessage(channel=CHANNEL, text="card")
    return await services.store.create_resource(
        kind="conversation",
        tavus_id=CONVERSATION_ID,
        team_id="T0001",
        owner_user_id="U0123ABCD",
        channel_id=CHANNEL,
        message_ts=str(parent["ts"]),
        status=STATUS_WAITING,
    )


async def current(services: Services, resource: Resource) -> Resource:
    found = await services.store.get_resource_by_id(resource_id=resource.id)
    assert found is not None
    return found


async def event_types(services: Services, resource: Resource) -> list[str]:
    return [e.event_type for e in await services.store.list_events(resource_id=resource.id)]


def thread(slack: FakeSlack, resource: Resource) -> list[str]:
    assert resource.message_ts is not None
    return [m["text"] for m in slack.messages(CHANNEL, thread_ts=resource.message_ts)]


def test_interval_without_public_url_is_the_poll_interval(services: Services) -> None:
    assert Poller(services=services).interval == services.settings.poll_interval_seconds


async def test_events_are_stored_once_across_polls(
    services: Services, clock: Clock, tavus_api: FakeTavus, slack: FakeSlack
) -> None:
    resource = await conversation(services)
    tavus_api.events = [JOINED, SHUTDOWN]

    assert await poller(services, clock).poll_once() == 2
    assert (await current(services, resource)).status == STATUS_ENDED
    assert (await current(services, resource)).finished is False

    tavus_api.events = [JOINED, SHUTDOWN, TRANSCRIPT, PERCEPTION]
    assert await poller(services, clock).poll_once() == 2

    assert await event_types(services, resource) == [
        "system.replica_joined",
        "system.shutdown",
        "application.transcription_ready",
        "application.perception_analysis",
    ]
    await services.notifier.deliver_due()
    posted = thread(slack, resource)
    assert len(posted) == 4
    assert sum("replica joined" in text for text in posted) == 1
    assert not any(SYSTEM_PROMPT in text for text in posted)


async def test_finished_after_transcript_and_perception(
    services: Services, clock: Clock, tavus_api: FakeTavus
) -> None:
    resource = await conversation(services)
    tavus_api.events = [JOINED, SHUTDOWN, TRANSCRIPT, PERCEPTION]
    polls = poller(services, clock)

    assert await polls.poll_once() == 4
    assert (await current(services, resource)).finished is True

    assert await polls.poll_once() == 0
    assert len(tavus_api.requests) == 1


async def test_ended_without_transcript_keeps_polling_until_the_grace_period(
    services: Services, clock: Clock, tavus_api: FakeTavus
) -> None:
    resource = await conversation(services)
    tavus_api.events = [SHUTDOWN, TRANSCRIPT]
    polls = poller(services, clock)

    await polls.poll_once()
    assert (await current(services, resource)).finished is False

    clock.now += AFTER_END_GRACE_SECONDS + 1
    await polls.poll_once()
    assert (await current(services, resource)).finished is True


@pytest.mark.parametrize(
    ("status", "error"), [(400, "Invalid conversation_id"), (404, "Not found")]
)
async def test_unknown_conversation_is_finished(
    services: Services, clock: Clock, tavus_api: FakeTavus, status: int, error: str
) -> None:
    resource = await conversation(services)
    tavus_api.status, tavus_api.error = status, error

    assert await poller(services, clock).poll_once() == 0

    assert (await current(services, resource)).finished is True


async def test_server_error_leaves_the_conversation_unfinished(
    services: Services, clock: Clock, tavus_api: FakeTavus
) -> None:
    resource = await conversation(services)
    tavus_api.status, tavus_api.error = 500, "Internal Server Error"

    assert await poller(services, clock).poll_once() == 0

    after = await current(services, resource)
    assert after.finished is False
    assert after.status == STATUS_WAITING
    assert await event_types(services, resource) == []
    assert len(tavus_api.requests) > 1  # retried, then given up until the next pass


async def test_an_odd_polled_event_is_kept_and_the_rest_go_on(
    services: Services, clock: Clock, tavus_api: FakeTavus
) -> None:
    resource = await conversation(services)
    odd = {"event_type": "application.transcription_ready", "properties": {"transcript": "x"}}
    tavus_api.events = [odd, JOINED]

    assert await poller(services, clock).poll_once() == 2

    assert await event_types(services, resource) == [
        "application.transcription_ready",
        "system.replica_joined",
    ]


async def test_pending_resources_are_not_polled_and_given_up_after_a_day(
    services: Services, clock: Clock, tavus_api: FakeTavus
) -> None:
    pending, _ = await services.store.begin_job(
        kind="conversation",
        team_id="T0001",
        owner_user_id="U1",
        channel_id=CHANNEL,
        callback_token="t" * 43,
    )
    assert await poller(services, clock).poll_once() == 0
    assert tavus_api.requests == []
    clock.advance(25 * 3600)
    await poller(services, clock).poll_once()
    assert await services.store.get_resource_by_id(resource_id=pending.id) is None
    assert await services.store.pending_outbox_count() == 0  # its held card is gone too


async def test_one_odd_resource_does_not_stop_the_others(
    services: Services, clock: Clock, tavus_api: FakeTavus
) -> None:
    await services.store.create_resource(
        kind="conversation", tavus_id="c 1 bad id", team_id="T", owner_user_id="U"
    )
    resource = await conversation(services)
    tavus_api.events = [JOINED]

    assert await poller(services, clock).poll_once() == 1
    assert await event_types(services, resource) == ["system.replica_joined"]


async def test_perception_turned_off_finishes_after_the_transcript(
    services: Services, clock: Clock, tavus_api: FakeTavus
) -> None:
    resource = await conversation(services)
    await services.store.update_resource(resource_id=resource.id, details={"perception": "off"})
    tavus_api.events = [JOINED, SHUTDOWN, TRANSCRIPT]

    await poller(services, clock).poll_once()

    assert (await current(services, resource)).finished


async def test_perception_unavailable_ends_the_wait(
    services: Services, clock: Clock, tavus_api: FakeTavus
) -> None:
    resource = await conversation(services)
    unavailable = {
        "event_type": "application.perception_unavailable",
        "properties": {"reason": "empty_summary"},
    }
    tavus_api.events = [JOINED, SHUTDOWN, TRANSCRIPT, unavailable]

    await poller(services, clock).poll_once()

    assert (await current(services, resource)).finished


async def test_an_id_that_cannot_go_in_a_url_is_not_polled_again_and_again(
    services: Services, clock: Clock, tavus_api: FakeTavus, caplog: pytest.LogCaptureFixture
) -> None:
    """Tavus named a job with a space in it: no GET can ask about it, so the poller says so
    once and stops, instead of logging a traceback on every pass."""
    odd = await services.store.create_resource(
        kind="video", tavus_id="v 1", team_id="T0001", owner_user_id="U1", channel_id=CHANNEL
    )
    the_poller = poller(services, clock)

    for _ in range(3):
        await the_poller.poll_once()

    assert (await current(services, odd)).finished
    assert tavus_api.requests == []
    assert [r.levelname for r in caplog.records if "cannot be polled" in r.getMessage()] == [
        "WARNING"
    ]
