"""The outbox worker: delivers stored notifications to Slack, at least once and in order.

A row leaves the outbox only after Slack accepted it, so a crash or restart loses nothing.
Replies go under the resource's parent message (``thread_ts``); ``refresh_parent`` re-renders
the parent card from the resource's current state, so repeating it is harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from storage import OutboxItem, Resource, Store

logger = logging.getLogger(__name__)

BATCH_SIZE = 20
IDLE_WAKE_SECONDS = 5.0
MAX_ATTEMPTS = 12
BACKOFF_BASE_SECONDS = 2.0
BACKOFF_CAP_SECONDS = 300.0
MIN_RETRY_SECONDS = 1.0
# Slack allows about one message per second per channel.
CHANNEL_SPACING_SECONDS = 1.0
# A reply that arrives before its parent card exists waits this long for the card.
PARENT_WAIT_ATTEMPTS = 5
PARENT_WAIT_SECONDS = 2.0
# Errors that no retry can fix: the row is dropped with a warning.
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "message_not_found",
        "cant_update_message",
        "invalid_blocks",
        "msg_too_long",
        "no_text",
        "restricted_action",
        "user_not_found",
        "cannot_dm_bot",
    }
)

ParentRenderer = Callable[[Resource], tuple[str, list[dict[str, Any]]]]


class RetryLater(Exception):
    def __init__(self, reason: str, delay: float | None = None) -> None:
        super().__init__(reason)
        self.delay = delay


class Notifier:
    def __init__(
        self,
        *,
        store: Store,
        slack: AsyncWebClient,
        render_parent: ParentRenderer,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._slack = slack
        self._render_parent = render_parent
        self._clock = clock
        self._wake = asyncio.Event()
        self._stopping = False
        self._last_post: dict[str, float] = {}

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def run(self) -> None:
        logger.info("notifier started")
        while not self._stopping:
            try:
                delivered = await self.deliver_due()
            except Exception:
                logger.exception("notifier pass failed; retrying shortly")
                delivered = 0
            if not delivered:
                await self._idle()

    async def deliver_due(self) -> int:
        """Delivers everything due now; returns how many rows were handled.

        The store hands out one row per resource at a time (threads stay in order), so this
        asks again until nothing is due; a retried row is due no sooner than MIN_RETRY_SECONDS.
        """
        handled = 0
        while not self._stopping:
            items = await self._store.due_outbox(now=self._clock(), limit=BATCH_SIZE)
            if not items:
                break
            for item in items:
                await self._deliver_one(item)
            handled += len(items)
        return handled

    async def _idle(self) -> None:
        next_due = await self._store.next_outbox_due_at()
        timeout = IDLE_WAKE_SECONDS
        if next_due is not None:
            timeout = min(timeout, max(next_due - self._clock(), 0.01))
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)

    async def _deliver_one(self, item: OutboxItem) -> None:
        try:
            result = await self._send(item, await self._resource_for(item))
        except RetryLater as exc:
            await self._retry(item, str(exc), exc.delay)
        except SlackApiError as exc:
            await self._slack_failed(item, exc)
        except (aiohttp.ClientError, TimeoutError) as exc:
            await self._retry(item, f"connection: {exc!r}", None)
        except Exception as exc:  # one bad row must not stall the rows behind it
            logger.exception("outbox row %s failed unexpectedly", item.id)
            await self._retry(item, f"unexpected: {exc!r}", None)
        else:
            await self._store.complete_outbox(outbox_id=item.id, result=result)

    async def _resource_for(self, item: OutboxItem) -> Resource | None:
        if item.resource_id is None:
            return None
        return await self._store.get_resource_by_id(resource_id=item.resource_id)

    async def _send(self, item: OutboxItem, resource: Resource | None) -> dict[str, Any]:
        if resource is None or resource.channel_id is None:
            return {"skipped": "resource or channel gone"}
        if item.action == "refresh_parent":
            return await self._refresh_parent(resource, item.attempts)
        thread_ts = self._thread_for(item, resource)
        await self._pace(resource.channel_id)
        if item.action == "upload":
            return await self._upload(item.payload, resource.channel_id, thread_ts)
        return await self._reply(item.payload, resource.channel_id, thread_ts)

    def _thread_for(self, item: OutboxItem, resource: Resource) -> str | None:
        if resource.message_ts is None and item.attempts < PARENT_WAIT_ATTEMPTS:
            raise RetryLater("parent message not posted yet", PARENT_WAIT_SECONDS)
        return resource.message_ts

    async def _reply(
        self, payload: dict[str, Any], channel: str, thread_ts: str | None
    ) -> dict[str, Any]:
        response = await self._slack.chat_postMessage(
            channel=channel,
            thread_ts=thread_ts,
            text=payload["text"],
            blocks=payload.get("blocks"),
            unfurl_links=False,
            unfurl_media=False,
        )
        return {"ts": response.get("ts"), "channel": response.get("channel")}

    async def _upload(
        self, payload: dict[str, Any], channel: str, thread_ts: str | None
    ) -> dict[str, Any]:
        response = await self._slack.files_upload_v2(
            channel=channel,
            thread_ts=thread_ts,
            content=payload["content"],
            filename=payload["filename"],
            title=payload.get("title", payload["filename"]),
            initial_comment=payload.get("comment"),
        )
        files = response.get("files") or []
        return {"file_ids": [f.get("id") for f in files]}

    async def _refresh_parent(self, resource: Resource, item_attempts: int) -> dict[str, Any]:
        if resource.channel_id is None or resource.message_ts is None:
            if item_attempts < PARENT_WAIT_ATTEMPTS:
                raise RetryLater("parent message not posted yet", PARENT_WAIT_SECONDS)
            return {"skipped": "no parent message"}
        text, blocks = self._render_parent(resource)
        await self._slack.chat_update(
            channel=resource.channel_id, ts=resource.message_ts, text=text, blocks=blocks
        )
        return {"updated": resource.message_ts}

    async def _pace(self, channel: str) -> None:
        last = self._last_post.get(channel)
        now = time.monotonic()
        if last is not None and now - last < CHANNEL_SPACING_SECONDS:
            await asyncio.sleep(CHANNEL_SPACING_SECONDS - (now - last))
        self._last_post[channel] = time.monotonic()

    async def _slack_failed(self, item: OutboxItem, exc: SlackApiError) -> None:
        error = str(exc.response.get("error", "unknown_error"))
        if error in PERMANENT_ERRORS:
            logger.warning("outbox row %s dropped: Slack said %s", item.id, error)
            await self._store.complete_outbox(outbox_id=item.id, result={"error": error})
            return
        retry_after = exc.response.headers.get("Retry-After") if exc.response.headers else None
        delay = float(retry_after) if retry_after and str(retry_after).isdigit() else None
        await self._retry(item, f"slack: {error}", delay)

    async def _retry(self, item: OutboxItem, error: str, delay: float | None) -> None:
        if item.attempts + 1 >= MAX_ATTEMPTS:
            logger.error(
                "outbox row %s given up after %s attempts: %s", item.id, MAX_ATTEMPTS, error
            )
            await self._store.complete_outbox(outbox_id=item.id, result={"error": error})
            return
        if delay is None:
            delay = min(BACKOFF_BASE_SECONDS * 2**item.attempts, BACKOFF_CAP_SECONDS)
        delay = max(delay, MIN_RETRY_SECONDS)
        logger.info("outbox row %s retrying in %.0fs: %s", item.id, delay, error)
        await self._store.retry_outbox(
            outbox_id=item.id, error=error, next_attempt_at=self._clock() + delay
        )
