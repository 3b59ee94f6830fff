"""Polling replicas: training takes hours, so a training replica is asked about less as it ages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings
from bot.domain import replicas as domain
from bot.kinds import REPLICA, PollSpacing, render_card
from bot.notifier import Notifier
from bot.poller import Poller
from bot.services import Services
from bot.tavus import TavusClient
from storage import Resource, Store
from tests.fakes.clock import Clock
from tests.fakes.slack import FakeSlack

TOKEN = "xoxb-test-token"
API_KEY = "tavus-test-key"
CHANNEL = "C0123"
REPLICA_ID = "r783537ef5"


@dataclass
class FakeReplicas:
    """Answers GET /v2/replicas/{id} with the replica as it stands now."""

    body: dict[str, Any] = field(
        default_factory=lambda: {
            "replica_id": REPLICA_ID,
            "status": "started",
            "training_progress": "10/100",
        }
    )
    requests: list[httpx.Request] = field(default_factory=list)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        assert request.url.path == f"/v2/replicas/{REPLICA_ID}"
        return httpx.Response(200, json=self.body)


@pytest.fixture
def tavus_api() -> FakeReplicas:
    return FakeReplicas()


@pytest.fixture
async def services(
    tmp_path: Path, clock: Clock, tavus_api: FakeReplicas, slack: FakeSlack
) -> AsyncIterator[Services]:
    settings = Settings.from_env(
        {
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": "secret",
            "TAVUS_API_KEY": API_KEY,
            "SLACK_API_URL": slack.api_url,
        }
    )
    store = await Store.open(tmp_path / "t.db", clock=clock)
    client = AsyncWebClient(token=TOKEN, base_url=settings.slack_api_url)

    async def no_sleep(seconds: float) -> None:
        return None

    tavus = TavusClient(
        api_key=API_KEY, transport=httpx.MockTransport(tavus_api.handle), sleep=no_sleep
    )
    notifier = Notifier(store=store, slack=client, render_card=render_card, clock=clock)
    try:
        yield Services(settings=settings, store=store, tavus=tavus, slack=client, notifier=notifier)
    finally:
        await tavus.aclose()
        await store.close()


async def training(services: Services) -> Resource:
    card = await services.slack.chat_postMessage(channel=CHANNEL, text="card")
    return await services.store.create_resource(
        kind=domain.KIND,
        tavus_id=REPLICA_ID,
        team_id="T0001",
        owner_user_id="U0123ABCD",
        channel_id=CHANNEL,
        message_ts=str(card["ts"]),
        status=domain.TRAINING,
    )


@pytest.mark.parametrize(
    ("age", "gap"), [(0, 0.0), (20, 2.0), (600, 60.0), (3000, 300.0), (6 * 3600, 300.0)]
)
def test_the_replica_gap_grows_with_age_up_to_five_minutes(age: float, gap: float) -> None:
    assert REPLICA.poll_spacing == PollSpacing(fraction=0.1, cap_seconds=300.0)
    assert REPLICA.poll_spacing.gap(age) == gap


async def test_a_young_training_is_polled_often_an_old_one_every_five_minutes(
    services: Services, clock: Clock, tavus_api: FakeReplicas
) -> None:
    await training(services)
    poller = Poller(services=services, clock=clock)

    await poller.poll_once()
    clock.advance(20)
    await poller.poll_once()
    assert len(tavus_api.requests) == 2  # 20 s old: a gap of 2 s has passed

    clock.advance(3600)
    await poller.poll_once()
    assert len(tavus_api.requests) == 3
    clock.advance(100)
    await poller.poll_once()
    assert len(tavus_api.requests) == 3  # an hour old: not before five minutes
    clock.advance(200)
    await poller.poll_once()
    assert len(tavus_api.requests) == 4


async def test_progress_refreshes_the_card_and_ready_threads_once_and_stops_polling(
    services: Services, clock: Clock, tavus_api: FakeReplicas, slack: FakeSlack
) -> None:
    replica = await training(services)
    poller = Poller(services=services, clock=clock)

    assert await poller.poll_once() == 1
    tavus_api.body = {**tavus_api.body, "training_progress": "60/100"}
    clock.advance(3600)
    assert await poller.poll_once() == 1
    await services.notifier.deliver_due()
    (update,) = slack.calls_to("chat.update")
    assert "60%" in str(update.args["blocks"])

    tavus_api.body = {**tavus_api.body, "status": "completed", "training_progress": "100/100"}
    clock.advance(300)
    assert await poller.poll_once() == 1
    await services.notifier.deliver_due()
    assert replica.message_ts is not None
    thread = [m["text"] for m in slack.messages(CHANNEL, thread_ts=replica.message_ts)]
    assert len(thread) == 1 and "is trained and ready" in thread[0]
    after = await services.store.get_resource_by_id(resource_id=replica.id)
    assert after is not None and after.finished and after.status == domain.READY

    clock.advance(3600)
    await poller.poll_once()
    assert len(tavus_api.requests) == 3
    slack.assert_nothing_rejected()
