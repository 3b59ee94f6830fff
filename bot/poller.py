"""Polls Tavus for resources that are not finished, for when callbacks cannot reach us.

Without ``PUBLIC_URL`` this is how events arrive at all; with it, a slow reconcile pass
catches callbacks that never came. Either way, events go through the same ``ingest`` path
as callbacks, so the dedup keys make a polled event and a called-back one the same event.
Each kind says how to poll it and when it is finished (``bot.kinds``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

from bot.events.base import Polled
from bot.ingest import ingest
from bot.kinds import KINDS, ResourceKind
from bot.services import Services
from bot.tavus import TavusError, usable_id
from storage import Resource, is_storage_fault

logger = logging.getLogger(__name__)

# A create call that never answered and whose resource never called back: give up on it.
PENDING_GIVE_UP_SECONDS = 24 * 3600


class Poller:
    def __init__(self, *, services: Services, clock: Callable[[], float] = time.time) -> None:
        self._services = services
        self._clock = clock
        self._stop = asyncio.Event()
        self.last_pass: float | None = None
        self._polled_at: dict[int, float] = {}  # resource id -> when it was last asked about

    @property
    def interval(self) -> float:
        settings = self._services.settings
        if settings.public_url is None:
            return settings.poll_interval_seconds
        return settings.reconcile_interval_seconds

    def stop(self) -> None:
        self._stop.set()

    async def run(self) -> None:
        self._stop.clear()
        while not self._stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.interval)
            if self._stop.is_set():
                break
            try:
                await self.poll_once()
            except Exception as exc:
                if is_storage_fault(exc):  # the store said why, once: no trace per pass
                    logger.debug("poll pass failed: %s", exc)
                else:
                    logger.exception("poll pass failed; trying again next interval")

    async def poll_once(self) -> int:
        """One pass over every unfinished resource; returns how many new events it found."""
        found = 0
        store = self._services.store
        for resource in await store.list_unfinished(kinds=list(KINDS)):
            if self._stop.is_set():
                break
            try:
                found += await self._poll(KINDS[resource.kind], resource)
            except Exception as exc:  # one odd resource must not stop the others' polling
                if is_storage_fault(exc):
                    logger.debug("polling %s %s failed: %s", resource.kind, resource.tavus_id, exc)
                else:
                    logger.exception("polling %s %s failed", resource.kind, resource.tavus_id)
        self.last_pass = self._clock()
        return found

    async def _poll(self, kind: ResourceKind, resource: Resource) -> int:
        if resource.is_pending:
            await self._give_up_if_stale(resource)
            return 0
        if self._too_soon(kind, resource):
            return 0
        polled = None
        found = 0
        if kind.poll is not None and not usable_id(resource.tavus_id or ""):
            # Tavus named it with what cannot go in a URL: no GET can ask about it, ever.
            logger.warning(
                "%s %r cannot be polled; no longer polling it", kind.name, resource.tavus_id
            )
            await self._services.store.update_resource(resource_id=resource.id, finished=True)
            return 0
        if kind.poll is not None:
            self._polled_at[resource.id] = self._clock()
            try:
                polled = await kind.poll(self._services.tavus, resource)
            except TavusError as exc:
                logger.warning("polling %s %s failed: %s", kind.name, resource.tavus_id, exc)
                return 0
            found = await self._ingest(resource, polled)
        await self._finish_if_done(kind, resource.id, polled)
        return found

    async def _ingest(self, resource: Resource, polled: Polled) -> int:
        store, found = self._services.store, 0
        for body in polled.bodies:
            current = await store.get_resource_by_id(resource_id=resource.id)
            if current is None:
                break
            found += await ingest(
                store=store,
                notifier=self._services.notifier,
                resource=current,
                body=body,
                choices=self._services.choices,
            )
        return found

    def _too_soon(self, kind: ResourceKind, resource: Resource) -> bool:
        """Whether this resource's kind spaces its polls and the next is not due yet."""
        last = self._polled_at.get(resource.id)
        if kind.poll_spacing is None or last is None:
            return False
        now = self._clock()
        return now - last < kind.poll_spacing.gap(now - resource.created_at)

    async def _finish_if_done(
        self, kind: ResourceKind, resource_id: int, polled: Polled | None
    ) -> None:
        store = self._services.store
        resource = await store.get_resource_by_id(resource_id=resource_id)
        if resource is None:
            return
        if polled is not None and polled.gone:
            logger.info(
                "%s %s is gone from Tavus; no longer polling it", kind.name, resource.tavus_id
            )
        elif not kind.finished(
            resource, await store.event_types(resource_id=resource_id), polled, self._clock()
        ):
            return
        await store.update_resource(resource_id=resource_id, finished=True)
        self._polled_at.pop(resource_id, None)

    async def _give_up_if_stale(self, resource: Resource) -> None:
        """A create that never confirmed and never called back: forget it, card and all."""
        if self._clock() - resource.created_at > PENDING_GIVE_UP_SECONDS:
            logger.info("giving up on a %s whose creation never confirmed", resource.kind)
            await self._services.store.abandon_job(resource_id=resource.id)
