"""The burst and its checker: every family is in it, and the checker sees each kind of fault."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.kinds import KINDS
from bot.notifier.slack_ops import META_EVENT_TYPE
from storage import Store
from tests.fakes.slack import FakeSlack
from tests.faults import burst
from tests.faults.inprocess import seeded_app

SMALL = 40  # callbacks: two groups, every family


@pytest.fixture
async def seeded(slack: FakeSlack, tmp_path: Path) -> AsyncIterator[burst.Plan]:
    plan = burst.plan(SMALL, channels=3)
    async with await Store.open(tmp_path / "t.db") as store:
        await burst.seed(store, slack, plan)
    yield plan


def every_message(plan: burst.Plan) -> list[tuple[burst.Thread, burst.Expected]]:
    threads = {t.tavus_id: t for t in plan.threads}
    return [(threads[c.thread], e) for c in plan.callbacks for e in c.expects]


async def deliver(
    slack: FakeSlack, messages: Sequence[tuple[burst.Thread, burst.Expected]], *, meta: bool = True
) -> None:
    """Post as the notifier would: a reply carrying its outbox row, or a shared file."""
    client = AsyncWebClient(token=slack.token, base_url=slack.api_url)
    for number, (thread, expected) in enumerate(messages):
        if expected.file:
            await client.files_upload_v2(
                channel=thread.channel,
                thread_ts=thread.parent_ts,
                content="the whole text",
                filename="transcript.txt",
                title=expected.marker,
            )
            continue
        metadata = {"event_type": META_EVENT_TYPE, "event_payload": {"outbox_id": number}}
        await client.chat_postMessage(
            channel=thread.channel,
            thread_ts=thread.parent_ts,
            text=f"{expected.marker} (as the app says it)",
            metadata=metadata if meta else None,
        )


def everything(plan: burst.Plan) -> set[int]:
    return {c.index for c in plan.callbacks}


def test_every_kind_that_takes_callbacks_is_in_the_burst() -> None:
    plan = burst.plan(SMALL)

    kinds = {t.kind for t in plan.threads} | {s.kind for s in plan.sets}
    called = {t.kind for t in plan.threads if any(c.thread == t.tavus_id for c in plan.callbacks)}
    assert kinds == set(KINDS)
    assert called == {t.kind for t in plan.threads}
    assert len(burst.plan().callbacks) == burst.CALLBACKS
    assert len(burst.plan().channels) == burst.CHANNELS


def test_the_burst_is_the_same_every_time_but_for_its_tokens() -> None:
    first, second = burst.plan(), burst.plan()

    assert [c.body for c in first.callbacks] == [c.body for c in second.callbacks]
    assert [t.channel for t in first.threads] == [t.channel for t in second.threads]


async def test_a_faithful_delivery_passes(slack: FakeSlack, seeded: burst.Plan) -> None:
    await deliver(slack, every_message(seeded))

    report = burst.check(slack, seeded, everything(seeded))

    report.assert_exactly_once_in_order()
    assert report.expected == report.delivered == len(every_message(seeded))


async def test_the_checker_sees_a_lost_and_a_duplicated_message(
    slack: FakeSlack, seeded: burst.Plan
) -> None:
    messages = every_message(seeded)
    await deliver(slack, [messages[0], *messages[2:], messages[5]])

    report = burst.check(slack, seeded, everything(seeded))

    assert len(report.lost) == 1 and messages[1][1].marker in report.lost[0]
    assert len(report.duplicated) == 1 and messages[5][1].marker in report.duplicated[0]
    with pytest.raises(AssertionError, match="lost"):
        report.assert_exactly_once_in_order()


async def test_the_checker_sees_a_thread_out_of_order(slack: FakeSlack, seeded: burst.Plan) -> None:
    conversation = seeded.threads[0]
    in_thread = [m for m in every_message(seeded) if m[0] is conversation]
    await deliver(slack, [in_thread[1], in_thread[0], *in_thread[2:]])

    report = burst.check(slack, seeded, everything(seeded), threads=[conversation])

    assert [o.split(":")[0] for o in report.out_of_order] == [conversation.tavus_id]
    assert not report.lost and not report.duplicated


async def test_the_checker_sees_strays_unlabelled_posts_and_unanswered_callbacks(
    slack: FakeSlack, seeded: burst.Plan
) -> None:
    thread = seeded.threads[0]
    await deliver(slack, [(thread, burst.Expected("something nobody asked for"))])
    posted = [m for m in every_message(seeded) if m[0] is thread]
    await deliver(slack, posted, meta=False)
    first = next(c for c in seeded.callbacks if c.thread == thread.tavus_id)

    report = burst.check(slack, seeded, everything(seeded) - {first.index}, threads=[thread])

    assert len(report.unexpected) == 1
    assert len(report.unlabelled) == len([m for m in posted if not m[1].file]) > 0
    assert len(report.unacknowledged) == 1  # posted for a callback never answered 200


async def test_the_checker_sees_a_card_that_does_not_show_its_resource(
    slack: FakeSlack, seeded: burst.Plan, tmp_path: Path
) -> None:
    async with await Store.open(tmp_path / "t.db") as store:
        resources = await burst.stored_resources(store, seeded)

    report = burst.check(slack, seeded, set(), resources=resources)

    assert len(report.stale_cards) == len(seeded.threads)  # still the seeded "(card)" text


async def test_a_calm_burst_is_delivered_exactly_once_in_order(
    slack: FakeSlack, tmp_path: Path
) -> None:
    async with seeded_app(slack, tmp_path) as app:
        sent = await app.send()
        await app.until_drained()

        report = await app.report(sent)

    assert (len(sent.accepted), sent.refused) == (burst.CALLBACKS, {})
    report.assert_exactly_once_in_order()
    assert report.expected == report.delivered == app.plan.expected_messages()
    slack.assert_nothing_rejected()
