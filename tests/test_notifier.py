from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks.cards import render_parent
from bot.blocks.conversations import STATUS_LIVE
from bot.events.base import REFRESH_PARENT, reply, upload
from bot.notifier import PARENT_WAIT_SECONDS, Notifier
from storage import OutboxDraft, OutboxItem, Resource, Store
from tests.fakes.clock import Clock
from tests.fakes.slack import FakeSlack

pytestmark = pytest.mark.usefixtures("no_channel_pacing")

TOKEN = "xoxb-test-token"
CHANNEL = "C0123"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "t.db"


@pytest.fixture
async def store(db_path: Path, clock: Clock) -> AsyncIterator[Store]:
    opened = await Store.open(db_path, clock=clock)
    yield opened
    await opened.close()


@pytest.fixture
def client(slack: FakeSlack) -> AsyncWebClient:
    # Without a session the client opens and closes one per request: nothing to close.
    return AsyncWebClient(token=TOKEN, base_url=slack.api_url)


def make_notifier(store: Store, client: AsyncWebClient, clock: Clock) -> Notifier:
    return Notifier(store=store, slack=client, render_parent=render_parent, clock=clock)


@pytest.fixture
def notifier(store: Store, client: AsyncWebClient, clock: Clock) -> Notifier:
    return make_notifier(store, client, clock)


async def post_parent(client: AsyncWebClient, channel: str = CHANNEL) -> str:
    response = await client.chat_postMessage(channel=channel, text="parent card")
    return str(response["ts"])


async def conversation(
    store: Store, *, channel_id: str = CHANNEL, message_ts: str | None = None
) -> Resource:
    return await store.create_resource(
        kind="conversation",
        tavus_id="c123abc456",
        team_id="T0001",
        owner_user_id="U0123ABCD",
        channel_id=channel_id,
        message_ts=message_ts,
        status=STATUS_LIVE,
        details={"conversation_url": "https://tavus.daily.co/c123abc456"},
    )


async def enqueue(store: Store, resource: Resource, *drafts: OutboxDraft) -> list[OutboxItem]:
    return await store.enqueue(resource_id=resource.id, drafts=drafts)


async def row(store: Store, item: OutboxItem) -> OutboxItem:
    found = await store.get_outbox(outbox_id=item.id)
    assert found is not None
    return found


def replies_in_thread(slack: FakeSlack, thread_ts: str) -> list[str]:
    return [m["text"] for m in slack.messages(CHANNEL, thread_ts=thread_ts)]


async def test_reply_is_posted_in_the_thread(
    store: Store, client: AsyncWebClient, slack: FakeSlack, notifier: Notifier
) -> None:
    parent_ts = await post_parent(client)
    resource = await conversation(store, message_ts=parent_ts)
    (item,) = await enqueue(store, resource, reply("hello <thread>"))

    handled = await notifier.deliver_due()

    assert handled == 1
    assert replies_in_thread(slack, parent_ts) == ["hello <thread>"]
    (call,) = slack.calls_to("chat.postMessage")[1:]
    assert call.args["thread_ts"] == parent_ts
    done = await row(store, item)
    assert done.done_at is not None
    assert done.result == {
        "ts": slack.messages(CHANNEL, thread_ts=parent_ts)[0]["ts"],
        "channel": CHANNEL,
    }
    assert await store.pending_outbox_count() == 0


async def test_reply_keeps_its_blocks(
    store: Store, client: AsyncWebClient, slack: FakeSlack, notifier: Notifier
) -> None:
    parent_ts = await post_parent(client)
    resource = await conversation(store, message_ts=parent_ts)
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]
    await enqueue(store, resource, reply("hi", blocks))

    await notifier.deliver_due()

    (posted,) = slack.messages(CHANNEL, thread_ts=parent_ts)
    assert posted["blocks"] == blocks


async def test_refresh_parent_updates_the_card(
    store: Store, client: AsyncWebClient, slack: FakeSlack, notifier: Notifier
) -> None:
    parent_ts = await post_parent(client)
    resource = await conversation(store, message_ts=parent_ts)
    (item,) = await enqueue(store, resource, REFRESH_PARENT)

    await notifier.deliver_due()

    (update,) = slack.calls_to("chat.update")
    assert update.args["ts"] == parent_ts
    expected_text, expected_blocks = render_parent(resource)
    (parent,) = slack.messages(CHANNEL)
    assert parent["text"] == expected_text
    assert parent["blocks"] == expected_blocks
    assert (await row(store, item)).result == {"updated": parent_ts}


async def test_refresh_parent_waits_for_the_card_then_updates_it(
    store: Store, client: AsyncWebClient, slack: FakeSlack, notifier: Notifier, clock: Clock
) -> None:
    # A callback can land between storing the resource and posting its card: the status it
    # brings must still reach the card once the card exists.
    resource = await conversation(store)
    (item,) = await enqueue(store, resource, REFRESH_PARENT)

    await notifier.deliver_due()

    assert slack.calls_to("chat.update") == []
    assert (await row(store, item)).done_at is None
    parent_ts = await post_parent(client)
    await store.update_resource(resource_id=resource.id, message_ts=parent_ts)
    clock.advance(PARENT_WAIT_SECONDS)
    await notifier.deliver_due()

    (update,) = slack.calls_to("chat.update")
    assert update.args["ts"] == parent_ts
    assert (await row(store, item)).done_at is not None


async def test_upload_goes_into_the_thread(
    store: Store, client: AsyncWebClient, slack: FakeSlack, notifier: Notifier
) -> None:
    parent_ts = await post_parent(client)
    resource = await conversation(store, message_ts=parent_ts)
    draft = upload(content="User: hi\n", filename="transcript.txt", title="Transcript")
    (item,) = await enqueue(store, resource, draft)

    await notifier.deliver_due()

    (uploaded,) = slack.uploaded_files
    assert uploaded["content"] == b"User: hi\n"
    assert uploaded["filename"] == "transcript.txt"
    assert uploaded["title"] == "Transcript"
    assert uploaded["channel_id"] == CHANNEL
    assert uploaded["thread_ts"] == parent_ts
    assert (await row(store, item)).result == {"file_ids": [uploaded["id"]]}


async def test_reply_waits_for_the_parent_card(
    store: Store, client: AsyncWebClient, slack: FakeSlack, notifier: Notifier, clock: Clock
) -> None:
    resource = await conversation(store)
    (item,) = await enqueue(store, resource, reply("too early"))

    await notifier.deliver_due()

    assert slack.calls_to("chat.postMessage") == []
    waiting = await row(store, item)
    assert waiting.done_at is None
    assert waiting.attempts == 1
    assert waiting.next_attempt_at == clock.now + PARENT_WAIT_SECONDS
    assert await notifier.deliver_due() == 0

    parent_ts = await post_parent(client)
    await store.update_resource(resource_id=resource.id, message_ts=parent_ts)
    clock.advance(PARENT_WAIT_SECONDS)
    await notifier.deliver_due()

    assert replies_in_thread(slack, parent_ts) == ["too early"]


async def test_rate_limited_reply_is_rescheduled_and_posted_once(
    store: Store, client: AsyncWebClient, slack: FakeSlack, notifier: Notifier, clock: Clock
) -> None:
    parent_ts = await post_parent(client)
    resource = await conversation(store, message_ts=parent_ts)
    (item,) = await enqueue(store, resource, reply("after the limit"))
    slack.fail_next("chat.postMessage", status=429, retry_after=7)

    await notifier.deliver_due()

    limited = await row(store, item)
    assert limited.done_at is None
    assert limited.last_error == "slack: ratelimited"
    assert limited.next_attempt_at == clock.now + 7
    assert replies_in_thread(slack, parent_ts) == []

    clock.advance(6)
    assert await notifier.deliver_due() == 0
    clock.advance(1)
    assert await notifier.deliver_due() == 1
    assert await notifier.deliver_due() == 0

    assert replies_in_thread(slack, parent_ts) == ["after the limit"]
    assert (await row(store, item)).done_at is not None


async def test_permanent_error_drops_the_row(
    store: Store, slack: FakeSlack, notifier: Notifier
) -> None:
    resource = await conversation(store, channel_id="X123", message_ts="1700000000.000100")
    (item,) = await enqueue(store, resource, reply("nowhere to go"))

    await notifier.deliver_due()

    dropped = await row(store, item)
    assert dropped.done_at is not None
    assert dropped.result == {"error": "channel_not_found"}
    assert slack.messages() == []
    assert await store.pending_outbox_count() == 0


async def test_server_error_is_retried_with_backoff(
    store: Store, client: AsyncWebClient, slack: FakeSlack, notifier: Notifier, clock: Clock
) -> None:
    parent_ts = await post_parent(client)
    resource = await conversation(store, message_ts=parent_ts)
    (item,) = await enqueue(store, resource, reply("eventually"))
    slack.fail_next("chat.postMessage", status=500, error="internal_error")

    await notifier.deliver_due()

    failed = await row(store, item)
    assert failed.done_at is None
    assert failed.attempts == 1
    assert failed.next_attempt_at > clock.now


async def test_pending_rows_survive_a_crash_and_are_delivered_once(
    db_path: Path, client: AsyncWebClient, slack: FakeSlack, clock: Clock
) -> None:
    parent_ts = await post_parent(client)
    first = await Store.open(db_path, clock=clock)
    try:
        resource = await conversation(first, message_ts=parent_ts)
        await enqueue(first, resource, reply("one"), reply("two"), reply("three"))
        slack.fail_next("chat.postMessage", status=500, error="internal_error")
        await make_notifier(first, client, clock).deliver_due()
    finally:
        await first.close()  # the process dies here: "one" was never accepted by Slack
    assert "one" not in replies_in_thread(slack, parent_ts)

    clock.advance(3600)
    reopened = await Store.open(db_path, clock=clock)
    try:
        restarted = make_notifier(reopened, client, clock)
        # "two" and "three" waited behind "one", so all three are still pending.
        assert await restarted.deliver_due() == 3
        assert await restarted.deliver_due() == 0
        assert await reopened.pending_outbox_count() == 0
    finally:
        await reopened.close()

    assert replies_in_thread(slack, parent_ts) == ["one", "two", "three"]
