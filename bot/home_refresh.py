"""Keeping home tabs current as the resources they show change.

Slack shows a published home view until the app publishes another one, so a tab goes stale
the moment a call ends or a video finishes. ``HomeRefresher`` asks the store every few seconds
whose resources changed and republishes the tabs of those people (and of the admins of their
team, whose tab shows the team), at most once every ``REFRESH_GAP_SECONDS`` per person. It
runs as its own worker: a slow or refused ``views.publish`` delays a tab, never a notification.

The tabs it watches are kept in the store too, so that after a restart it goes on watching
them, and republishes at once a tab whose resources changed after it was last published.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError

from storage import HomeTab, Store

logger = logging.getLogger(__name__)

REFRESH_GAP_SECONDS = 5.0  # per person: a burst of events is one republish
SWEEP_SECONDS = 2.0  # how often the store is asked what changed
KEEP_WATCHING_SECONDS = 24 * 3600  # a tab opened longer ago is refreshed when next opened
WATCHED_MAX = 5_000  # the oldest watched tabs are dropped past this

Publish = Callable[[str, str], Awaitable[None]]  # (team_id, user_id)


@dataclass
class _Watched:
    admin: bool
    opened_at: float
    published_at: float


class HomeRefresher:
    """Republishes the home tabs opened in the last day when what they show changes."""

    def __init__(self, store: Store, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._store = store
        self._clock = clock
        self.gap_seconds = REFRESH_GAP_SECONDS
        self._watched: OrderedDict[tuple[str, str], _Watched] = OrderedDict()
        self._due: set[tuple[str, str]] = set()
        self._since: float | None = None  # the latest change seen, in the store's clock
        self._seen_at_since: set[tuple[str, str]] = set()
        self._wake = asyncio.Event()
        self._stopping = False

    async def opened(self, team_id: str, user_id: str, *, admin: bool) -> None:
        """A tab was just published: watch it, and leave it alone for the next few seconds."""
        now = self._clock()
        key = (team_id, user_id)
        self._watched[key] = _Watched(admin=admin, opened_at=now, published_at=now)
        self._watched.move_to_end(key)
        self._due.discard(key)
        while len(self._watched) > WATCHED_MAX:
            self._watched.popitem(last=False)
        try:
            await self._store.remember_home_tab(team_id=team_id, user_id=user_id, admin=admin)
        except Exception as exc:  # noqa: BLE001 - watched in this process all the same
            logger.warning("could not keep a home tab in the store: %s", exc)

    def watching(self, team_id: str, user_id: str) -> bool:
        return (team_id, user_id) in self._watched

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def run(self, publish: Publish) -> None:
        self._stopping = False
        while not self._stopping:
            await self.sweep(publish)
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=SWEEP_SECONDS)

    async def sweep(self, publish: Publish) -> int:
        """Find whose tabs changed, republish those not refreshed recently; how many were."""
        if self._since is None:  # what changed before start-up needs no refresh...
            since = await self._store.last_change_at()
            await self._restore()  # ...but for the tabs published before it
            self._since = since
            await self._changed_owners()
        owners = await self._changed_owners()
        self._forget_old()
        teams = {team for team, _ in owners}
        for key, watched in self._watched.items():
            if key in owners or (watched.admin and key[0] in teams):
                self._due.add(key)
        published = 0
        for key in sorted(self._due):
            tab = self._watched.get(key)
            if tab is None:
                self._due.discard(key)
            elif self._clock() - tab.published_at >= self.gap_seconds:
                published += await self._publish(publish, key, tab)
        return published

    async def _changed_owners(self) -> set[tuple[str, str]]:
        """Owners with a change not seen before. Two changes can share a timestamp, so the
        store is asked from the last one seen, inclusive, and the owners already handled at
        exactly that moment are left out."""
        since = self._since or 0.0
        latest = await self._store.owners_changed_since(since=since)
        fresh = {o for o, at in latest.items() if at > since or o not in self._seen_at_since}
        newest = max(latest.values(), default=since)
        at_newest = {o for o, at in latest.items() if at == newest}
        self._seen_at_since = at_newest | (self._seen_at_since if newest == since else set())
        self._since = newest
        return fresh

    async def _restore(self) -> None:
        """Watch again the tabs watched before a restart (``KEEP_WATCHING_SECONDS``); one
        whose resources changed after it was last published is due at once."""
        try:
            await self._store.forget_home_tabs(older_than=KEEP_WATCHING_SECONDS)
        except Exception as exc:  # noqa: BLE001 - read past below; forgotten another time
            logger.warning("could not forget old home tabs in the store: %s", exc)
        tabs = await self._store.home_tabs(max_age=KEEP_WATCHING_SECONDS)
        if not tabs:
            return
        changed = await self._store.owners_changed_since(
            since=min(tab.published_at for tab in tabs)
        )
        team_changed: dict[str, float] = {}
        for (team, _), at in changed.items():
            team_changed[team] = max(at, team_changed.get(team, 0.0))
        now = self._clock()
        restored: OrderedDict[tuple[str, str], _Watched] = OrderedDict()
        for tab in tabs[-WATCHED_MAX:]:
            key = (tab.team_id, tab.user_id)
            if key in self._watched:  # opened again since start-up
                continue
            opened_at = now - tab.age
            restored[key] = _Watched(admin=tab.admin, opened_at=opened_at, published_at=opened_at)
            if _changed_at(tab, changed, team_changed) > tab.published_at:
                self._due.add(key)
        self._watched = OrderedDict([*restored.items(), *self._watched.items()])
        while len(self._watched) > WATCHED_MAX:
            self._watched.popitem(last=False)

    async def _publish(self, publish: Publish, key: tuple[str, str], watched: _Watched) -> int:
        watched.published_at = self._clock()
        try:
            await publish(*key)
        except SlackApiError as exc:
            # Rate limited: try again after the gap; anything else waits for the next change.
            if exc.response.get("error") == "ratelimited":
                return 0
            logger.info("could not refresh a home tab: %s", exc.response.get("error"))
        except Exception:  # noqa: BLE001 - one tab's failure must not stop the others
            logger.exception("could not refresh a home tab")
        else:
            await self._note_published(key)
        self._due.discard(key)
        return 1

    async def _note_published(self, key: tuple[str, str]) -> None:
        try:
            await self._store.home_tab_published(team_id=key[0], user_id=key[1])
        except Exception as exc:  # noqa: BLE001 - a restart may then republish it once more
            logger.warning("could not note a home tab's refresh in the store: %s", exc)

    def _forget_old(self) -> None:
        cutoff = self._clock() - KEEP_WATCHING_SECONDS
        for key in [k for k, w in self._watched.items() if w.opened_at < cutoff]:
            del self._watched[key]
            self._due.discard(key)


def _changed_at(
    tab: HomeTab, changed: dict[tuple[str, str], float], team_changed: dict[str, float]
) -> float:
    """When what ``tab`` shows last changed: its owner's resources, or the team's for an
    admin."""
    if tab.admin:
        return team_changed.get(tab.team_id, 0.0)
    return changed.get((tab.team_id, tab.user_id), 0.0)
