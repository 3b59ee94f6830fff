"""The outbox worker against the fake Slack: lanes, leases, failures, exactly once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.conversations import LIVE
from bot.events.base import REFRESH_PARENT, reply, upload
from bot.kinds import render_card
from bot.notifier import Notifier, Pacer
from bot.notifier import worker as notifier_worker
from bot.notifier.slack_ops import META_EVENT_TYPE
from storage import CARD_ACTION, OutboxDraft, OutboxItem, Resource, Store
from tests.fakes.clock import Clock
from tests.fakes.slack import FakeSlack

pytestmark = pytest.mark.usefixtures("no_channel_pacing")

TOKEN = "xoxb-test-token"
CHANNEL = "C0123"
OTHER = "C0456"
OWNER = "U0123ABCD"


@pytest.fixture
async def store(tmp_path: Path, clock: Clock) -> AsyncIterator[Store]:
    opened = await Store.open(tmp_path / "t.db", clock=clock)
    yield opened
    await opened.close()


def slack_client(slack: FakeSlack, *, timeout: int = 30) -> AsyncWebClient:
    # The notifier's client has no retry handlers: it decides about retries itself.
    return AsyncWebClient(token=TOKEN, base_url=slack.api_url, timeout=timeout, retry_handlers=[])


def make_notifier(store: Store, slack: FakeSlack, clock: Clock, **kwargs: Any) -> Notifier:
    client = kwargs.pop("client", None) or slack_client(slack)
    return Notifier(store=store, slack=client, render_card=render_card, clock=clock, **kwargs)


@pytest.fixture
def notifier(store: Store, slack: FakeSlack, clock: Clock) -> Notifier:
    return make_notifier(store, slack, clock)


async def post_parent(slack: FakeSlack, channel: str = CHANNEL) -> str:
    response = await slack_client(slack).chat_postMessage(channel=channel, text="parent card")
    return str(response["ts"])


async def conversation(
    store: Store,
    *,
    tavus_id: str = "c123abc456",
    channel_id: str = CHANNEL,
    message_ts: str | None = None,
) -> Resource:
    return await store.create_resource(
        kind="conversation",
        tavus_id=tavus_id,
        team_id="T0001",
        owner_user_id=OWNER,
        channel_id=channel_id,
        message_ts=message_ts,
        status=LIVE,
        details={"conversation_url": "https://tavus.daily.co/c123abc456"},
    )


async def threaded(store: Store, slack: FakeSlack, **kwargs: Any) -> Resource:
    """A conversation whose card is already in the channel."""
    channel = kwargs.get("channel_id", CHANNEL)
    return await conversation(store, message_ts=await post_parent(slack, channel), **kwargs)


async def enqueue(store: Store, resource: Resource, *drafts: OutboxDraft) -> list[OutboxItem]:
    return await store.enqueue(resource_id=resource.id, drafts=drafts)


async def row(store: Store, item: OutboxItem) -> OutboxItem:
    found = await store.get_outbox(outbox_id=item.id)
    assert found is not None
    return found


def texts(slack: FakeSlack, thread_ts: str, channel: str = CHANNEL) -> list[str]:
    return [m["text"] for m in slack.messages(channel, thread_ts=thread_ts)]


def posts_to(slack: FakeSlack, channel: str) -> list[Any]:
    return [c for c in slack.calls_to("chat.postMessage") if c.args.get("channel") == channel]


# -- delivering -----------------------------------------------------------------------------


async def test_a_reply_goes_into_the_thread_with_its_row_in_metadata(
    store: Store, slack: FakeSlack, notifier: Notifier
) -> None:
    resource = await threaded(store, slack)
    (item,) = await enqueue(store, resource, reply("hello <thread>"))

    assert await notifier.deliver_due() == 1

    assert texts(slack, str(resource.message_ts)) == ["hello <thread>"]
    call = slack.calls_to("chat.postMessage")[-1]
    assert call.args["metadata"]["event_type"] == META_EVENT_TYPE
    assert call.args["metadata"]["event_payload"]["outbox_id"] == item.id
    done = await row(store, item)
    assert done.done_at is not None and done.lease_owner is None
    assert done.result is not None and done.result["channel"] == CHANNEL
    slack.assert_nothing_rejected()


async def test_the_card_is_posted_then_the_thread_hangs_under_it(
    store: Store, slack: FakeSlack, notifier: Notifier
) -> None:
    pending, card = await store.begin_job(
        kind="conversation",
        team_id="T0001",
        owner_user_id=OWNER,
        channel_id=CHANNEL,
        callback_token="t" * 43,
    )
    await enqueue(store, pending, reply("early reply"))  # a callback that beat the create
    assert await notifier.deliver_due() == 0  # the card waits for the create call

    await store.confirm_job(
        resource_id=pending.id,
        tavus_id="c123abc456",
        status=LIVE,
        details={"conversation_url": "https://tavus.daily.co/c123abc456"},
    )
    await notifier.deliver_due()

    resource = await store.get_resource_by_id(resource_id=pending.id)
    assert resource is not None and resource.message_ts is not None
    (top,) = [m for m in slack.messages(CHANNEL) if m["thread_ts"] is None]
    assert top["ts"] == resource.message_ts
    assert texts(slack, resource.message_ts) == ["early reply"]
    placed = await notifier.wait_delivered(card.id, within=1)
    assert placed is not None and placed.result is not None
    assert placed.result["ts"] == resource.message_ts


async def test_a_card_for_a_channel_the_bot_is_not_in_goes_to_the_owner(
    store: Store, clock: Clock
) -> None:
    async with FakeSlack(bot_channels={"D0123ABCD"}) as slack:
        pending, card = await store.begin_job(
            kind="conversation",
            team_id="T0001",
            owner_user_id=OWNER,
            channel_id=CHANNEL,
            callback_token="t" * 43,
        )
        await store.confirm_job(resource_id=pending.id, tavus_id="c123abc456", status=LIVE)
        await make_notifier(store, slack, clock).deliver_due()

        done = await row(store, card)
        assert done.result is not None
        assert (done.result["channel"], done.result["moved_because"]) == (
            "D0123ABCD",
            "not_in_channel",
        )
        moved = await store.get_resource_by_id(resource_id=pending.id)
        assert moved is not None and moved.channel_id == "D0123ABCD"


async def test_refresh_parent_updates_the_card(
    store: Store, slack: FakeSlack, notifier: Notifier
) -> None:
    resource = await threaded(store, slack)
    await enqueue(store, resource, REFRESH_PARENT)

    await notifier.deliver_due()

    (update,) = slack.calls_to("chat.update")
    assert update.args["ts"] == resource.message_ts
    (card,) = slack.messages(CHANNEL)
    assert "c123abc456" in str(card["blocks"])


async def test_an_upload_goes_into_the_thread(
    store: Store, slack: FakeSlack, notifier: Notifier
) -> None:
    resource = await threaded(store, slack)
    (item,) = await enqueue(
        store, resource, upload(content="line\n" * 500, filename="t.txt", title="Transcript")
    )

    await notifier.deliver_due()

    (shared,) = slack.uploaded_files
    assert (shared["channel_id"], shared["thread_ts"]) == (CHANNEL, resource.message_ts)
    assert shared["content"] == ("line\n" * 500).encode()
    assert (await row(store, item)).file_id == shared["id"]


# -- channels are independent ----------------------------------------------------------------


async def test_a_rate_limited_channel_does_not_hold_up_another(
    store: Store, slack: FakeSlack, notifier: Notifier
) -> None:
    busy = await threaded(store, slack, tavus_id="c111111111")
    calm = await threaded(store, slack, tavus_id="c222222222", channel_id=OTHER)
    (limited,) = await enqueue(store, busy, reply("to the busy channel"))
    await enqueue(store, calm, reply("to the calm channel"))
    slack.fail_next("chat.postMessage", channel=CHANNEL, status=429, retry_after=30)

    await notifier.deliver_due()

    assert texts(slack, str(calm.message_ts), OTHER) == ["to the calm channel"]
    waiting = await row(store, limited)
    assert waiting.done_at is None
    assert (waiting.attempts, waiting.transient_failures) == (0, 1)
    assert notifier.status()["rate_limited_channels"] == 1


async def test_a_429_storm_delays_posts_and_drops_none(
    store: Store, slack: FakeSlack, clock: Clock
) -> None:
    notifier = make_notifier(store, slack, clock, pacer=Pacer(interval=0, clock=clock))
    resource = await threaded(store, slack)
    items = await enqueue(store, resource, reply("one"), reply("two"))
    slack.fail_next("chat.postMessage", status=429, retry_after=60, times=60)

    for _ in range(60):  # an hour of Retry-After: 60
        await notifier.deliver_due()
        clock.advance(61)
    await notifier.deliver_due()
    clock.advance(61)
    await notifier.deliver_due()

    assert texts(slack, str(resource.message_ts)) == ["one", "two"]
    assert [(await row(store, i)).attempts for i in items] == [0, 0]


async def test_an_outage_drops_nothing_and_posts_once(
    store: Store, slack: FakeSlack, clock: Clock, notifier: Notifier
) -> None:
    resource = await threaded(store, slack)
    (item,) = await enqueue(store, resource, reply("after the outage"))
    slack.fail_next("chat.postMessage", status=503, error="service_unavailable", times=40)

    for _ in range(40):  # 40 minutes of 5xx: backoff is capped at a minute
        await notifier.deliver_due()
        clock.advance(61)
    await notifier.deliver_due()

    assert texts(slack, str(resource.message_ts)) == ["after the outage"]
    done = await row(store, item)
    assert done.done_at is not None and done.attempts == 0
    # Each 5xx may have posted: the thread was checked before every retry.
    assert len(slack.calls_to("conversations.replies")) == 40


# -- exactly once ----------------------------------------------------------------------------


async def test_a_post_that_timed_out_but_landed_is_not_posted_again(
    store: Store, slack: FakeSlack, clock: Clock
) -> None:
    notifier = make_notifier(store, slack, clock, client=slack_client(slack, timeout=1))
    resource = await threaded(store, slack)
    (item,) = await enqueue(store, resource, reply("slow but real"))
    slack.delay("chat.postMessage", 1.5)  # Slack posts it, but answers after our timeout

    await notifier.deliver_due()
    slack.delay("chat.postMessage", 0)
    assert (await row(store, item)).unsure
    await asyncio.sleep(0.7)  # the slow request lands in the fake
    clock.advance(10)
    await notifier.deliver_due()

    assert texts(slack, str(resource.message_ts)) == ["slow but real"]
    done = await row(store, item)
    assert done.result is not None and done.result.get("found") is True


class _ForgetfulStore(Store):
    """A store whose marking of rows as done fails a given number of times."""

    failures = 0

    async def complete_outbox(self, **kwargs: Any) -> None:
        if self.failures:
            self.failures -= 1
            raise OSError("disk full")
        await super().complete_outbox(**kwargs)


@pytest.fixture
async def forgetful(tmp_path: Path, clock: Clock) -> AsyncIterator[_ForgetfulStore]:
    opened = await _ForgetfulStore.open(tmp_path / "f.db", clock=clock)
    assert isinstance(opened, _ForgetfulStore)
    yield opened
    await opened.close()


async def test_a_failure_to_mark_done_never_reposts(
    forgetful: _ForgetfulStore, slack: FakeSlack, clock: Clock
) -> None:
    notifier = make_notifier(forgetful, slack, clock)
    resource = await threaded(forgetful, slack)
    (item,) = await enqueue(forgetful, resource, reply("posted once"))
    forgetful.failures = 3

    for _ in range(5):
        await notifier.deliver_due()
        clock.advance(5)

    assert texts(slack, str(resource.message_ts)) == ["posted once"]
    assert (await row(forgetful, item)).done_at is not None


async def test_a_deliverer_that_died_after_posting_is_not_repeated(
    forgetful: _ForgetfulStore, slack: FakeSlack, clock: Clock
) -> None:
    resource = await threaded(forgetful, slack)
    (item,) = await enqueue(forgetful, resource, reply("posted before the crash"))
    forgetful.failures = 1000
    first = make_notifier(forgetful, slack, clock)
    await first.deliver_due()  # posted, but the process "dies" before recording it
    del first
    forgetful.failures = 0

    clock.advance(notifier_worker.LEASE_SECONDS + 1)
    await make_notifier(forgetful, slack, clock).deliver_due()

    assert texts(slack, str(resource.message_ts)) == ["posted before the crash"]
    done = await row(forgetful, item)
    assert done.result is not None and done.result.get("found") is True


async def test_a_dead_processes_lease_is_taken_over_at_once(
    store: Store, slack: FakeSlack, clock: Clock, notifier: Notifier
) -> None:
    resource = await threaded(store, slack)
    await enqueue(store, resource, reply("left behind"))
    # A notifier on this host whose process no longer exists holds the row.
    await store.claim_outbox(
        owner=f"{notifier_worker.socket.gethostname()}:999999999:dead",
        lease_seconds=3600,
        limit=10,
    )

    await notifier.deliver_due()

    assert texts(slack, str(resource.message_ts)) == ["left behind"]


async def test_two_notifiers_on_one_database_post_each_row_once(
    store: Store, slack: FakeSlack, clock: Clock
) -> None:
    resources = [
        await threaded(store, slack, tavus_id=f"c{n:09d}", channel_id=f"C{n:04d}") for n in range(8)
    ]
    for resource in resources:
        await enqueue(store, resource, *(reply(f"{resource.tavus_id} #{i}") for i in range(3)))
    first, second = make_notifier(store, slack, clock), make_notifier(store, slack, clock)

    await asyncio.gather(first.deliver_due(), second.deliver_due(), first.deliver_due())

    for resource in resources:
        expected = [f"{resource.tavus_id} #{i}" for i in range(3)]
        channel = str(resource.channel_id)
        assert texts(slack, str(resource.message_ts), channel) == expected


# -- what cannot be retried ------------------------------------------------------------------


async def test_blocks_slack_refuses_are_posted_as_plain_text(
    store: Store, slack: FakeSlack, notifier: Notifier
) -> None:
    resource = await threaded(store, slack)
    too_long = {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}
    (item,) = await enqueue(store, resource, reply("the fallback text", [too_long]))

    await notifier.deliver_due()

    assert texts(slack, str(resource.message_ts)) == ["the fallback text"]
    done = await row(store, item)
    assert done.result is not None and done.result["degraded"] == "invalid_blocks"


async def test_a_row_that_cannot_render_is_set_aside_and_the_thread_goes_on(
    store: Store, slack: FakeSlack, notifier: Notifier
) -> None:
    resource = await threaded(store, slack)
    broken, fine = await enqueue(
        store, resource, OutboxDraft("reply", {"blocks": "not a list"}), reply("next")
    )

    await notifier.deliver_due()

    assert texts(slack, str(resource.message_ts)) == ["next"]
    set_aside = await row(store, broken)
    assert set_aside.result is not None and "set_aside" in set_aside.result
    assert (await row(store, fine)).done_at is not None


async def test_an_unknown_error_is_retried_a_few_times_then_set_aside(
    store: Store, slack: FakeSlack, clock: Clock, notifier: Notifier
) -> None:
    resource = await threaded(store, slack)
    (item,) = await enqueue(store, resource, reply("never"))
    slack.fail_next("chat.postMessage", status=200, error="something_new", times=100)

    for _ in range(notifier_worker.MAX_ATTEMPTS + 1):
        await notifier.deliver_due()
        clock.advance(120)

    done = await row(store, item)
    assert done.attempts == notifier_worker.MAX_ATTEMPTS - 1
    assert done.result == {"set_aside": "something_new"}


async def test_a_thread_whose_channel_went_away_moves_to_the_owners_dm(
    store: Store, clock: Clock
) -> None:
    async with FakeSlack(bot_channels={CHANNEL, "D0123ABCD"}) as slack:
        resource = await threaded(store, slack)
        slack.bot_channels = {"D0123ABCD"}  # the bot was removed from the channel
        await enqueue(store, resource, reply("still reaches the owner"))

        await make_notifier(store, slack, clock).deliver_due()

        moved = await store.get_resource_by_id(resource_id=resource.id)
        assert moved is not None and moved.channel_id == "D0123ABCD"
        assert texts(slack, str(moved.message_ts), "D0123ABCD") == ["still reaches the owner"]


# -- the running worker ------------------------------------------------------------------------


@pytest.fixture
def running(notifier: Notifier) -> Iterator[Notifier]:
    task = asyncio.get_event_loop().create_task(notifier.run())
    yield notifier
    notifier.stop()
    task.cancel()


async def test_the_worker_beats_and_stops(
    store: Store, slack: FakeSlack, notifier: Notifier
) -> None:
    task = asyncio.create_task(notifier.run())
    resource = await threaded(store, slack)
    (item,) = await enqueue(store, resource, reply("live"))
    notifier.wake()

    done = await notifier.wait_delivered(item.id, within=5)

    assert done is not None and done.done_at is not None
    assert notifier.alive
    notifier.stop()
    await asyncio.wait_for(task, 5)
    assert not notifier.alive


async def test_a_backlog_in_one_channel_does_not_delay_another(
    store: Store, slack: FakeSlack, clock: Clock
) -> None:
    paced = make_notifier(store, slack, clock, pacer=Pacer(burst=1, interval=0.2))
    backlog = [await threaded(store, slack, tavus_id=f"c{n:09d}") for n in range(6)]
    calm = await threaded(store, slack, tavus_id="c999999999", channel_id=OTHER)
    for resource in backlog:
        await enqueue(store, resource, reply("busy"))
    (other,) = await enqueue(store, calm, reply("calm"))
    task = asyncio.create_task(paced.run())

    await paced.wait_delivered(other.id, within=5)
    busy_posted = len([m for m in slack.messages(CHANNEL) if m["thread_ts"]])
    paced.stop()
    await asyncio.wait_for(task, 5)

    assert texts(slack, str(calm.message_ts), OTHER) == ["calm"]
    assert busy_posted < len(backlog)  # the calm channel did not wait for the busy one


def test_card_action_is_the_stores() -> None:
    assert CARD_ACTION == "post_parent"


async def test_a_cards_updates_are_spaced(
    store: Store, slack: FakeSlack, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(notifier_worker, "CARD_UPDATE_SPACING_SECONDS", 60)
    notifier = make_notifier(store, slack, clock)
    resource = await threaded(store, slack)
    first, second = await enqueue(store, resource, REFRESH_PARENT, REFRESH_PARENT)

    await notifier.deliver_due()

    assert len(slack.calls_to("chat.update")) == 1
    waiting = await row(store, second)
    assert waiting.done_at is None and waiting.attempts == 0
    assert waiting.next_attempt_at > clock.now + 50


async def test_a_job_started_from_a_message_hangs_its_card_in_that_thread(
    store: Store, slack: FakeSlack, notifier: Notifier
) -> None:
    source = await post_parent(slack)  # the message a shortcut was used on
    pending, card = await store.begin_job(
        kind="conversation",
        team_id="T0001",
        owner_user_id=OWNER,
        channel_id=CHANNEL,
        callback_token="t" * 43,
        thread_ts=source,
    )
    await store.confirm_job(resource_id=pending.id, tavus_id="c123abc456", status=LIVE)
    await notifier.deliver_due()
    resource = await store.get_resource_by_id(resource_id=pending.id)
    assert resource is not None
    assert resource.message_ts == source and resource.card_ts != source
    await enqueue(store, resource, reply("result"), REFRESH_PARENT)

    await notifier.deliver_due()

    assert len(texts(slack, source)) == 2  # the card and the result, both in the thread
    assert texts(slack, source)[1] == "result"
    (update,) = slack.calls_to("chat.update")
    assert update.args["ts"] == resource.card_ts


# -- found in review: each of these once lost or doubled a post -------------------------------


async def test_a_reply_moved_to_the_dm_is_posted_even_if_its_next_try_fails(
    store: Store, clock: Clock
) -> None:
    async with FakeSlack(bot_channels={"D0123ABCD"}) as slack:
        resource = await conversation(store, message_ts="1700000000.000100")
        (item,) = await enqueue(store, resource, reply("the transcript is ready"))
        slack.fail_next("chat.postMessage", status=500, error="internal_error", channel="D0123ABCD")
        notifier = make_notifier(store, slack, clock)

        for _ in range(3):  # moved to the DM; the reply's post fails; the retry looks first
            await notifier.deliver_due()
            clock.advance(120)

        moved = await store.get_resource_by_id(resource_id=resource.id)
        assert moved is not None
        assert texts(slack, str(moved.message_ts), "D0123ABCD") == ["the transcript is ready"]
        assert (await row(store, item)).result.get("found") is not True  # type: ignore[union-attr]


async def test_an_upload_cut_off_before_its_bytes_arrived_is_uploaded_again(
    store: Store, slack: FakeSlack, clock: Clock, notifier: Notifier
) -> None:
    resource = await threaded(store, slack)
    (item,) = await enqueue(
        store, resource, upload(content="x\n" * 2000, filename="t.txt", title="T")
    )
    slack.fail_uploads(times=1)

    for _ in range(3):
        await notifier.deliver_due()
        clock.advance(120)

    (shared,) = slack.uploaded_files
    assert shared["content"] == ("x\n" * 2000).encode()
    assert (await row(store, item)).done_at is not None


async def test_a_card_sent_to_the_owner_whose_answer_was_lost_is_not_sent_again(
    store: Store, clock: Clock
) -> None:
    async with FakeSlack(bot_channels={"D0123ABCD"}) as slack:
        pending, card = await store.begin_job(
            kind="conversation",
            team_id="T0001",
            owner_user_id=OWNER,
            channel_id=CHANNEL,
            callback_token="t" * 43,
        )
        await store.confirm_job(resource_id=pending.id, tavus_id="c123abc456", status=LIVE)
        slack.delay("chat.postMessage", 1.5, channel=OWNER)  # posted, but answered too late
        notifier = make_notifier(store, slack, clock, client=slack_client(slack, timeout=1))

        await notifier.deliver_due()
        slack.delay("chat.postMessage", 0, channel=OWNER)
        await asyncio.sleep(0.7)
        clock.advance(120)
        await notifier.deliver_due()

        cards = [m for m in slack.messages("D0123ABCD") if m["thread_ts"] is None]
        assert len(cards) == 1
        done = await row(store, card)
        assert done.result is not None and done.result.get("found") is True
