"""Replica training events: every status, odd bodies, one event per state however it came."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot import kinds
from bot.choices import Choice, ChoiceCache
from bot.domain import replicas as domain
from bot.events import MalformedEvent
from bot.events.replicas import (
    STALLED_GIVE_UP_SECONDS,
    interpret_replica,
    poll_replica,
    replica_finished,
)
from bot.ingest import ingest, interpret
from bot.notifier import Notifier
from bot.tavus import TavusClient
from storage import OutboxDraft, Resource, Store
from tests.events.stored import stored
from tests.fakes.clock import Clock

REPLICA_ID = "r783537ef5"
DURATION_ERROR = "The training video does not meet the minimum duration requirement for training"


def resource(status: str | None = domain.TRAINING, **details: Any) -> Resource:
    return stored(domain.KIND, REPLICA_ID, status=status, name="Rio", details=details)


def polled(status: str, progress: str | None = "40/100", **extra: Any) -> dict[str, Any]:
    """What GET /v2/replicas/{id} answers."""
    return {
        "replica_id": REPLICA_ID,
        "replica_name": "Rio",
        "thumbnail_video_url": None,
        "training_progress": progress,
        "status": status,
        "created_at": "2024-01-24T07:14:03.327Z",
        "updated_at": "2024-01-24T07:19:03.327Z",
        "error_message": None,
        **extra,
    }


def posted(drafts: tuple[OutboxDraft, ...]) -> str:
    return json.dumps([d.payload for d in drafts if d.action == "reply"], ensure_ascii=False)


def actions(drafts: tuple[OutboxDraft, ...]) -> list[str]:
    return [draft.action for draft in drafts]


# -- every status ----------------------------------------------------------------------------


def test_the_ready_callback_and_a_completed_poll_are_one_event() -> None:
    callback = interpret_replica(resource(), {"replica_id": REPLICA_ID, "status": "ready"})
    poll = interpret_replica(resource(), polled("completed", "100/100", replica_name="Other"))

    assert callback.dedup_key == poll.dedup_key == domain.READY
    assert callback.status == poll.status == domain.READY
    assert actions(callback.drafts) == actions(poll.drafts) == ["reply", "refresh_parent"]
    # The thread reads the same whichever came first.
    assert posted(callback.drafts) == posted(poll.drafts)
    assert "is trained and ready" in posted(callback.drafts)
    assert f"/tavus call {REPLICA_ID}" in posted(callback.drafts)


def test_ready_makes_the_ready_replica_picker_stale() -> None:
    found = interpret_replica(resource(), {"replica_id": REPLICA_ID, "status": "ready"})

    assert found.stale_choices == {domain.READY_CHOICES_KEY}
    assert found.details["progress"] == 100


def test_a_polled_thumbnail_is_kept_for_the_card() -> None:
    url = "https://cdn.tavus.io/r783537ef5/thumbnail.mp4"
    found = interpret_replica(resource(), polled("completed", thumbnail_video_url=url))

    assert found.details["thumbnail_video_url"] == url


def test_an_error_threads_the_reason_and_what_to_do() -> None:
    body = {"replica_id": REPLICA_ID, "status": "error", "error_message": DURATION_ERROR}
    callback = interpret_replica(resource(), body)
    poll = interpret_replica(resource(), polled("error", "0/100", error_message=DURATION_ERROR))

    assert callback.dedup_key == poll.dedup_key == domain.ERROR
    assert callback.status == domain.ERROR
    assert actions(callback.drafts) == ["reply", "refresh_parent"]
    text = posted(callback.drafts)
    assert "Training failed" in text and "minimum duration" in text
    assert "two minutes" in text  # what to do about it
    assert "/tavus replica train" in text
    assert callback.details == {"error_message": DURATION_ERROR}
    assert callback.stale_choices == frozenset()


def test_an_error_without_a_reason_still_says_what_to_do() -> None:
    found = interpret_replica(resource(), {"replica_id": REPLICA_ID, "status": "error"})

    assert "Tavus gave no reason" in posted(found.drafts)
    assert "training requirements" in posted(found.drafts)


@pytest.mark.parametrize(
    ("error", "advice"),
    [
        ("Consent statement not detected", "consent statement"),
        ("Could not download the training video (403)", "direct download link"),
        ("The training image does not meet the image requirements", "front-facing photo"),
        ("File too large", "750 MB"),
        ("Unsupported codec", "H.264"),
    ],
)
def test_the_advice_follows_the_reason(error: str, advice: str) -> None:
    found = interpret_replica(
        resource(), {"replica_id": REPLICA_ID, "status": "error", "error_message": error}
    )
    assert advice in posted(found.drafts)


def test_progress_only_refreshes_the_card_and_each_step_is_its_own_event() -> None:
    forty = interpret_replica(resource(), polled("started", "40/100"))
    fifty = interpret_replica(resource(), polled("started", "50/100"))

    assert (forty.dedup_key, fifty.dedup_key) == ("training:40", "training:50")
    assert forty.status == domain.TRAINING
    assert forty.details == {"progress": 40}
    assert actions(forty.drafts) == ["refresh_parent"]
    assert forty.drafts[0].merge  # the store keeps one such refresh queued


@pytest.mark.parametrize("progress", [None, "", "abc", "40/0", "x" * 10_000, True, ["40"]])
def test_training_without_a_readable_progress_is_training(progress: object) -> None:
    found = interpret_replica(resource(), polled("started", None, training_progress=progress))

    assert found.dedup_key == domain.TRAINING
    assert found.status == domain.TRAINING
    assert found.details == {}


def test_a_numeric_progress_reads_as_a_percentage() -> None:
    found = interpret_replica(resource(), polled("started", None, training_progress=55))

    assert found.dedup_key == "training:55"


@pytest.mark.parametrize("status", ["Completed", " READY ", "Started", "ERROR"])
def test_statuses_are_read_whatever_their_case(status: str) -> None:
    found = interpret_replica(resource(), {"replica_id": REPLICA_ID, "status": status})

    assert found.status in {domain.READY, domain.TRAINING, domain.ERROR}


# -- odd bodies ------------------------------------------------------------------------------


def test_an_unknown_status_is_stored_without_a_post() -> None:
    found = interpret_replica(resource(), polled("queued", "0/100"))
    again = interpret_replica(resource(), {**polled("queued", "0/100"), "updated_at": "later"})

    assert found.event_type == domain.UNKNOWN
    assert found.drafts == ()
    assert found.status is None
    assert found.dedup_key == again.dedup_key == "status:queued"


@pytest.mark.parametrize("status", [None, 42, "", "   ", ["ready"], {"ready": True}, True])
def test_a_body_without_a_readable_status_is_kept_quietly(status: object) -> None:
    found = interpret_replica(resource(), {"replica_id": REPLICA_ID, "status": status})

    assert found.event_type == domain.UNKNOWN
    assert found.drafts == ()
    assert found.status is None
    assert found.dedup_key.startswith("odd:")


def test_a_hostile_error_message_is_escaped_and_capped() -> None:
    hostile = "<!channel> <https://evil.example|click> & " + "x" * 100_000
    found = interpret_replica(
        resource(), {"replica_id": REPLICA_ID, "status": "error", "error_message": hostile}
    )

    text = posted(found.drafts)
    assert "<!channel>" not in text and "<https://evil" not in text
    assert "&lt;!channel&gt;" in text
    assert len(found.drafts[0].payload["text"]) < 4000
    assert len(found.details["error_message"]) <= 500


@pytest.mark.parametrize("error", [{"code": 7}, ["a", "b"], 12, "\ud800"])
def test_an_error_message_of_any_type_renders(error: object) -> None:
    found = interpret_replica(
        resource(), {"replica_id": REPLICA_ID, "status": "error", "error_message": error}
    )

    assert found.status == domain.ERROR
    json.dumps(found.details)  # storable
    found.drafts[0].payload["text"].encode("utf-8")  # postable


def test_a_body_naming_another_replica_is_refused() -> None:
    with pytest.raises(MalformedEvent):
        interpret(resource(), {"replica_id": "r000000000ff", "status": "ready"})


def test_the_lifecycle_keeps_an_outcome_over_a_late_training_poll() -> None:
    lifecycle = kinds.REPLICA.lifecycle

    assert lifecycle.not_after(domain.TRAINING) == {domain.READY, domain.ERROR, domain.DELETED}
    assert lifecycle.not_after(domain.READY) == {domain.DELETED}


# -- finished ----------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [domain.READY, domain.ERROR, domain.DELETED])
def test_finished_once_trained_failed_or_deleted(status: str) -> None:
    assert replica_finished(resource(status), frozenset(), None, now=10.0)


def test_training_is_not_finished_until_it_stalls_for_a_day() -> None:
    training = resource(domain.TRAINING)

    assert not replica_finished(training, frozenset(), None, now=3600.0)
    assert replica_finished(training, frozenset(), None, now=STALLED_GIVE_UP_SECONDS + 1)


# -- polling ---------------------------------------------------------------------------------


@pytest.fixture
async def tavus() -> AsyncIterator[TavusClient]:
    answers = {
        f"/v2/replicas/{REPLICA_ID}": httpx.Response(200, json=polled("started", "30/100")),
        "/v2/replicas/r000000000ff": httpx.Response(400, json={"error": "Invalid replica_id"}),
    }

    def handle(request: httpx.Request) -> httpx.Response:
        return answers[request.url.path]

    async def no_sleep(seconds: float) -> None:
        return None

    client = TavusClient(api_key="k", transport=httpx.MockTransport(handle), sleep=no_sleep)
    yield client
    await client.aclose()


async def test_a_poll_hands_over_the_replica_as_a_callback_body(tavus: TavusClient) -> None:
    found = await poll_replica(tavus, resource())

    (body,) = found.bodies
    assert found.remote_status == "started"
    assert interpret_replica(resource(), body).dedup_key == "training:30"


async def test_a_replica_tavus_no_longer_knows_is_gone(tavus: TavusClient) -> None:
    gone = replace(resource(), tavus_id="r000000000ff")

    assert (await poll_replica(tavus, gone)).gone


# -- ingest ----------------------------------------------------------------------------------


@pytest.fixture
async def store(tmp_path: Path, clock: Clock) -> AsyncIterator[Store]:
    opened = await Store.open(tmp_path / "t.db", clock=clock)
    yield opened
    await opened.close()


async def test_a_callback_and_a_poll_of_the_same_state_post_once_and_forget_the_picker(
    store: Store,
) -> None:
    client = AsyncWebClient(token="xoxb-unused", base_url="http://127.0.0.1:9/")
    notifier = Notifier(store=store, slack=client, render_card=kinds.render_card)
    choices, loads = ChoiceCache(), []

    async def load() -> list[Choice]:
        loads.append(len(loads))
        return []

    for key in (domain.READY_CHOICES_KEY, "personas"):
        await choices.get(key, load)
    replica = await store.create_resource(
        kind=domain.KIND, tavus_id=REPLICA_ID, team_id="T", owner_user_id="U", channel_id="C1"
    )

    async def take(body: dict[str, Any]) -> bool:
        current = await store.get_resource_by_id(resource_id=replica.id)
        assert current is not None
        return await ingest(
            store=store, notifier=notifier, resource=current, body=body, choices=choices
        )

    assert await take(polled("started", "40/100"))
    assert await take({"replica_id": REPLICA_ID, "status": "ready"})
    assert not await take(polled("completed", "100/100"))
    assert not await take(polled("started", "40/100"))
    assert await take(polled("started", "60/100"))  # late, and new: stored, status kept

    after = await store.get_resource_by_id(resource_id=replica.id)
    assert after is not None and after.status == domain.READY
    events = [e.dedup_key for e in await store.list_events(resource_id=replica.id)]
    assert events == ["training:40", "ready", "training:60"]
    # Only the ready replicas picker asks Tavus again.
    await choices.get(domain.READY_CHOICES_KEY, load)
    await choices.get("personas", load)
    assert len(loads) == 3
