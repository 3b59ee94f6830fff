"""The home refresher against a real store: whose tabs it republishes, and how often."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.home_refresh import KEEP_WATCHING_SECONDS, REFRESH_GAP_SECONDS, WATCHED_MAX, HomeRefresher
from storage import Store
from tests.fakes.clock import Clock

TEAM = "T1"


@pytest.fixture
async def store(tmp_path: Path, clock: Clock) -> AsyncIterator[Store]:
    async with await Store.open(tmp_path / "t.db", clock=clock) as opened:
        yield opened


class Publisher:
    def __init__(self, error: str | None = None) -> None:
        self.published: list[tuple[str, str]] = []
        self.error = error

    async def __call__(self, team_id: str, user_id: str) -> None:
        self.published.append((team_id, user_id))
        if self.error is not None:
            response = AsyncSlackResponse(
                client=None,  # type: ignore[arg-type]
                http_verb="POST",
                api_url="views.publish",
                req_args={},
                data={"ok": False, "error": self.error},
                headers={},
                status_code=200,
            )
            raise SlackApiError(self.error, response)


async def change(store: Store, owner: str, tavus_id: str = "c1", team: str = TEAM) -> None:
    await store.create_resource(
        kind="conversation", tavus_id=tavus_id, team_id=team, owner_user_id=owner, status="live"
    )


async def started(store: Store, clock: Clock) -> HomeRefresher:
    refresher = HomeRefresher(store, clock=clock)
    await refresher.sweep(Publisher())  # the first look only notes where to start
    return refresher


async def test_changes_before_start_up_refresh_nobody(store: Store, clock: Clock) -> None:
    await change(store, "U1")
    refresher = HomeRefresher(store, clock=clock)
    await refresher.opened(TEAM, "U1", admin=False)
    clock.advance(REFRESH_GAP_SECONDS)
    publish = Publisher()

    assert await refresher.sweep(publish) == 0


async def test_a_change_refreshes_its_owners_open_tab_only(store: Store, clock: Clock) -> None:
    refresher = await started(store, clock)
    await refresher.opened(TEAM, "U1", admin=False)
    await refresher.opened(TEAM, "U2", admin=False)
    clock.advance(REFRESH_GAP_SECONDS)
    await change(store, "U1")
    await change(store, "U3", "c3")  # nobody watches U3's tab
    publish = Publisher()

    assert await refresher.sweep(publish) == 1
    assert publish.published == [(TEAM, "U1")]
    assert await refresher.sweep(publish) == 0  # nothing new since


async def test_admins_tabs_follow_their_whole_team(store: Store, clock: Clock) -> None:
    refresher = await started(store, clock)
    await refresher.opened(TEAM, "UADMIN", admin=True)
    await refresher.opened("T2", "UADMIN2", admin=True)
    clock.advance(REFRESH_GAP_SECONDS)
    await change(store, "U1")
    publish = Publisher()

    await refresher.sweep(publish)

    assert publish.published == [(TEAM, "UADMIN")]


async def test_a_burst_of_changes_is_one_refresh_per_gap(store: Store, clock: Clock) -> None:
    refresher = await started(store, clock)
    await refresher.opened(TEAM, "U1", admin=False)
    publish = Publisher()

    await change(store, "U1")
    assert await refresher.sweep(publish) == 0  # just published by opening: wait the gap
    for n in range(5):
        clock.advance(0.5)
        await change(store, "U1", f"c{n + 10}")
        assert await refresher.sweep(publish) == 0
    clock.advance(REFRESH_GAP_SECONDS)

    assert await refresher.sweep(publish) == 1  # the change it held back is not lost
    assert await refresher.sweep(publish) == 0


async def test_a_rate_limited_publish_is_tried_again(store: Store, clock: Clock) -> None:
    refresher = await started(store, clock)
    await refresher.opened(TEAM, "U1", admin=False)
    clock.advance(REFRESH_GAP_SECONDS)
    await change(store, "U1")

    await refresher.sweep(Publisher(error="ratelimited"))
    clock.advance(REFRESH_GAP_SECONDS)
    publish = Publisher()

    assert await refresher.sweep(publish) == 1


async def test_another_slack_error_waits_for_the_next_change(store: Store, clock: Clock) -> None:
    refresher = await started(store, clock)
    await refresher.opened(TEAM, "U1", admin=False)
    clock.advance(REFRESH_GAP_SECONDS)
    await change(store, "U1")

    assert await refresher.sweep(Publisher(error="not_enabled")) == 1
    clock.advance(REFRESH_GAP_SECONDS)

    assert await refresher.sweep(Publisher()) == 0


async def test_tabs_opened_long_ago_are_forgotten(store: Store, clock: Clock) -> None:
    refresher = await started(store, clock)
    await refresher.opened(TEAM, "U1", admin=False)
    clock.advance(KEEP_WATCHING_SECONDS + 1)
    await change(store, "U1")

    assert await refresher.sweep(Publisher()) == 0
    assert not refresher.watching(TEAM, "U1")


async def test_the_oldest_tabs_go_past_the_limit(store: Store, clock: Clock) -> None:
    refresher = await started(store, clock)
    for n in range(WATCHED_MAX + 1):
        await refresher.opened(TEAM, f"U{n}", admin=False)

    assert not refresher.watching(TEAM, "U0")
    assert refresher.watching(TEAM, f"U{WATCHED_MAX}")


async def test_a_change_at_the_same_moment_as_the_last_one_seen_counts(
    store: Store, clock: Clock
) -> None:
    refresher = await started(store, clock)
    refresher.gap_seconds = 0.0
    await refresher.opened(TEAM, "U1", admin=False)
    await refresher.opened(TEAM, "U2", admin=False)
    publish = Publisher()
    await change(store, "U1")
    await refresher.sweep(publish)

    await change(store, "U2", "c2")  # the clock has not moved: the same updated_at
    await refresher.sweep(publish)

    assert publish.published == [(TEAM, "U1"), (TEAM, "U2")]


# -- across a restart: the tabs are kept in the store -----------------------------------------


async def test_a_restart_goes_on_watching_the_tabs_opened_before(
    store: Store, clock: Clock
) -> None:
    before = await started(store, clock)
    await before.opened(TEAM, "U1", admin=False)
    clock.advance(60)

    after = await started(store, clock)  # a new process, the same database
    await change(store, "U1")
    publish = Publisher()

    assert after.watching(TEAM, "U1")
    assert await after.sweep(publish) == 1
    assert publish.published == [(TEAM, "U1")]


async def test_a_change_just_before_a_restart_is_published_after_it(
    store: Store, clock: Clock
) -> None:
    before = await started(store, clock)
    await before.opened(TEAM, "U1", admin=False)
    clock.advance(1)
    await change(store, "U1")  # the process stops before its next sweep

    after = HomeRefresher(store, clock=clock)
    publish = Publisher()
    assert await after.sweep(publish) == 0  # published a second ago: the gap still holds
    clock.advance(REFRESH_GAP_SECONDS)

    assert await after.sweep(publish) == 1
    assert publish.published == [(TEAM, "U1")]


async def test_a_tab_nothing_changed_for_is_left_alone_after_a_restart(
    store: Store, clock: Clock
) -> None:
    await change(store, "U1")
    before = await started(store, clock)
    clock.advance(1)
    await before.opened(TEAM, "U1", admin=False)  # shows the change already
    clock.advance(REFRESH_GAP_SECONDS)

    after = HomeRefresher(store, clock=clock)
    publish = Publisher()

    assert await after.sweep(publish) == 0
    clock.advance(REFRESH_GAP_SECONDS)
    assert await after.sweep(publish) == 0
    assert publish.published == []


async def test_a_refresh_is_remembered_across_a_restart(store: Store, clock: Clock) -> None:
    before = await started(store, clock)
    await before.opened(TEAM, "U1", admin=False)
    clock.advance(REFRESH_GAP_SECONDS)
    await change(store, "U1")
    assert await before.sweep(Publisher()) == 1  # the tab shows the change now
    clock.advance(REFRESH_GAP_SECONDS)

    after = HomeRefresher(store, clock=clock)

    assert await after.sweep(Publisher()) == 0


async def test_an_admins_tab_follows_the_team_after_a_restart(store: Store, clock: Clock) -> None:
    before = await started(store, clock)
    await before.opened(TEAM, "UADMIN", admin=True)
    clock.advance(REFRESH_GAP_SECONDS)
    await change(store, "U1")  # someone else's call, in the admin's team

    after = HomeRefresher(store, clock=clock)
    publish = Publisher()

    assert await after.sweep(publish) == 1
    assert publish.published == [(TEAM, "UADMIN")]


async def test_tabs_opened_over_a_day_before_a_restart_are_not_watched(
    store: Store, clock: Clock
) -> None:
    before = await started(store, clock)
    await before.opened(TEAM, "U1", admin=False)
    clock.advance(KEEP_WATCHING_SECONDS + 1)
    await change(store, "U1")

    after = HomeRefresher(store, clock=clock)

    assert await after.sweep(Publisher()) == 0
    assert not after.watching(TEAM, "U1")
    assert await store.forget_home_tabs(older_than=KEEP_WATCHING_SECONDS) == 0  # gone already
