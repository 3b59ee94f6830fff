"""Polls Tavus for resources that are not finished, for when callbacks cannot reach us.

Without ``PUBLIC_URL`` this is how events arrive at all; with it, a slow reconcile pass
catches callbacks that never came. Either way, events go through the same ``ingest`` path
as callbacks, so the dedup keys make a polled event and a called-back one the same event.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

from bot.blocks.conversations import STATUS_ENDED
from bot.events import MalformedEvent, ingest
from bot.events.conversations import PERCEPTION, TRANSCRIPT
from bot.services import Services
from bot.tavus import BadRequest, NotFound, TavusError
from storage import Resource

logger = logging.getLogger(__name__)

# After a call ends, Tavus sends the transcript and analysis within minutes; stop waiting
# for them after this long so a conversation without them is not polled forever.
AFTER_END_GRACE_SECONDS = 30 * 60
POLLED_KINDS = ("conversation",)


class Poller:
    def __init__(self, *, services: Services, clock: Callable[[], float] = time.time) -> None:
        self._services = services
        self._clock = clock
        self._stop = asyncio.Event()

    @property
    def interval(self) -> float:
        settings = self._services.settings
        if settings.public_url is None:
            return settings.poll_interval_seconds
        return settings.reconcile_interval_seconds

    def stop(self) -> None:
        self._stop.set()

    async def run(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.interval)
            if self._stop.is_set():
                break
            try:
                await self.poll_once()
            except Exception:
                logger.exception("poll pass failed; trying again next interval")

    async def poll_once(self) -> int:
        """One pass over every unfinished resource; returns how many new events it found."""
        found = 0
        for resource in await self._services.store.list_unfinished(kinds=POLLED_KINDS):
            if self._stop.is_set():
                break
            found += await self._poll_conversation(resource)
        return found

    async def _poll_conversation(self, resource: Resource) -> int:
        tavus, store = self._services.tavus, self._services.store
        try:
            conversation = await tavus.conversations.get(resource.tavus_id, verbose=True)
        except (NotFound, BadRequest) as exc:
            if isinstance(exc, BadRequest) and "conversation_id" not in exc.message:
                logger.warning("polling conversation %s: %s", resource.tavus_id, exc.message)
                return 0
            logger.info(
                "conversation %s is gone from Tavus; no longer polling it", resource.tavus_id
            )
            await store.update_resource(resource_id=resource.id, finished=True)
            return 0
        except TavusError as exc:
            logger.warning("polling conversation %s failed: %s", resource.tavus_id, exc)
            return 0
        found = 0
        for event in conversation.events:
            body = {
                "conversation_id": resource.tavus_id,
                "event_type": event.event_type,
                "message_type": event.message_type,
                "timestamp": event.timestamp,
                "properties": event.properties,
            }
            current = await store.get_resource_by_id(resource_id=resource.id) or resource
            try:
                found += await ingest(
                    store=store, notifier=self._services.notifier, resource=current, body=body
                )
            except MalformedEvent as exc:
                logger.warning("skipping a polled event of %s: %s", resource.tavus_id, exc)
        await self._finish_if_done(resource.id, tavus_status=conversation.status)
        return found

    async def _finish_if_done(self, resource_id: int, *, tavus_status: str | None) -> None:
        store = self._services.store
        resource = await store.get_resource_by_id(resource_id=resource_id)
        if resource is None:
            return
        if resource.status != STATUS_ENDED:
            # Tavus says it is over but never sent a shutdown event: stop asking eventually.
            stale = self._clock() - resource.updated_at > AFTER_END_GRACE_SECONDS
            if tavus_status in ("ended", "deleted") and stale:
                await store.update_resource(resource_id=resource_id, finished=True)
            return
        complete = all(
            [
                await store.has_event(resource_id=resource_id, dedup_key=TRANSCRIPT),
                await store.has_event(resource_id=resource_id, dedup_key=PERCEPTION),
            ]
        )
        if complete or self._clock() - resource.updated_at > AFTER_END_GRACE_SECONDS:
            await store.update_resource(resource_id=resource_id, finished=True)
