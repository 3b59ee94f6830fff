"""Slack storms during a burst: a quarter of the channels get 429s with Retry-After, HTTP 500s,
or answers that never come in time, for a stretch. Afterwards every message is in Slack once,
in order in its thread; and the other channels had all theirs before the storm ended.
Card updates (chat.update) and App Home publishes (views.publish) weather storms too."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import bot.app
from tests.fakes.slack import FakeSlack, Storm
from tests.faults import burst
from tests.faults.inprocess import Seeded, seeded_app

OWNER = burst.OWNER_ID
SLACK_CLIENT_TRIES = 1 + bot.app.SLACK_RATE_LIMIT_RETRIES  # the app's client retries a 429
# The app's Slack client gives up this soon in the hanging storm (15 s in production).
SHORT_CLIENT_TIMEOUT_SECONDS = 1

STORMS: dict[str, dict[str, Any]] = {
    "429": {"status": 429, "error": "ratelimited", "retry_after": 1},
    "500": {"status": 500, "error": "internal_error"},
    "hang": {"hang": True},
}


def stormed_channels(seeded: Seeded) -> list[str]:
    return seeded.plan.channels[::4]


async def weather(seeded: Seeded, storm: Storm, stormed: list[str]) -> burst.Sent:
    """Send the burst; once every calm channel has all its messages, end the storm."""
    sent = await seeded.send()
    assert not sent.refused, sent.refused  # Slack's troubles never reach Tavus
    calm = [t for t in seeded.plan.threads if t.channel not in stormed]
    await burst.until_delivered(seeded.app.slack, seeded.plan, calm)
    await storm.wait_hits(1)
    assert storm.active, "the calm channels waited for the storm to end"
    during = burst.check(seeded.app.slack, seeded.plan, set(sent.accepted), threads=calm)
    during.assert_exactly_once_in_order()
    if storm.hang:  # the app gave up on a post Slack took but never answered, and looked for it
        await seeded.app.slack.wait_for("conversations.replies", timeout=10)
    storm.end()
    await seeded.until_drained()
    return sent


@pytest.mark.parametrize("kind", list(STORMS))
async def test_a_post_storm_delays_only_its_channels_and_loses_nothing(
    kind: str, slack: FakeSlack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bot.app, "SLACK_TIMEOUT_SECONDS", SHORT_CLIENT_TIMEOUT_SECONDS)
    async with seeded_app(slack, tmp_path) as seeded:
        stormed = stormed_channels(seeded)
        storm = slack.storm("chat.postMessage", channels=stormed, **STORMS[kind])

        sent = await weather(seeded, storm, stormed)

        report = await seeded.report(sent)
        report.assert_exactly_once_in_order()
        assert report.expected == seeded.plan.expected_messages()
        slack.assert_nothing_rejected()
        if kind == "500":  # Slack may have taken the post: it was looked for before a retry
            assert slack.calls_to("conversations.replies")


@pytest.mark.parametrize("kind", ["429", "500"])
async def test_a_card_update_storm_delays_only_its_channels_and_cards_end_current(
    kind: str, slack: FakeSlack, tmp_path: Path
) -> None:
    async with seeded_app(slack, tmp_path) as seeded:
        stormed = stormed_channels(seeded)
        storm = slack.storm("chat.update", channels=stormed, **STORMS[kind])

        sent = await weather(seeded, storm, stormed)

        report = await seeded.report(sent)  # with the cards: each shows its resource as stored
        report.assert_exactly_once_in_order()
        updated = {c.args["channel"] for c in slack.calls_to("chat.update") if not c.failed}
        assert set(stormed) <= updated


async def open_home(seeded: Seeded) -> None:
    """The owner of every resource in the burst opens the app's Home: their tab is watched."""
    seeded.app.app.services.homes.gap_seconds = 0.0  # no rest between refreshes in a test
    opened = await seeded.app.event({"type": "app_home_opened", "user": OWNER, "tab": "home"})
    assert opened.status_code == 200
    await seeded.app.slack.wait_for("views.publish")


async def test_a_rate_limited_home_publish_is_retried_once_slack_allows(
    slack: FakeSlack, tmp_path: Path
) -> None:
    async with seeded_app(slack, tmp_path) as seeded:
        await open_home(seeded)
        storm = slack.storm("views.publish", status=429, error="ratelimited", retry_after=1)

        sent = await seeded.send()  # every resource is the owner's: their tab is out of date
        await seeded.until_drained()
        (await seeded.report(sent)).assert_exactly_once_in_order()
        # The refresh was refused, retried (Slack's client tries a 429 four times) and given up
        # for now: the tab stays due.
        await storm.wait_hits(SLACK_CLIENT_TRIES, timeout=15)
        published = [c for c in slack.calls_to("views.publish") if not c.failed]
        storm.end()

        publishes = await slack.wait_for("views.publish", count=len(published) + 1, timeout=10)
        assert publishes[len(published)].args["user_id"] == OWNER  # the stale tab, at last


async def test_a_hanging_home_publish_holds_back_no_post(slack: FakeSlack, tmp_path: Path) -> None:
    async with seeded_app(slack, tmp_path) as seeded:
        await open_home(seeded)
        storm = slack.storm("views.publish", hang=True)

        sent = await seeded.send()
        await storm.wait_hits(1, timeout=10)
        await burst.until_delivered(slack, seeded.plan, seeded.plan.threads)
        await seeded.until_drained()

        assert slack.in_flight("views.publish"), "the tab's refresh no longer hangs"
        (await seeded.report(sent)).assert_exactly_once_in_order()
        storm.end()
