"""The outbox worker: delivers stored notifications to Slack exactly once, in order per thread.

- Rows are leased from the store (``claim_outbox``), so two processes on one database never
  deliver the same row, and a row whose deliverer died is taken over.
- Each channel is a lane: its rows are delivered by a task of their own, paced per channel,
  so a channel that is rate limited or has a backlog delays only itself.
- What a failure means comes from ``outcomes``: rate limits and outages are retried without
  using up attempts and drop nothing; blocks Slack refuses are posted as plain text; a
  channel the bot cannot reach sends the card and the thread to the owner's DM; what no retry
  can fix is set aside at once with a log line.
- A row that may already be in Slack (its deliverer died holding it, or the post timed out)
  is looked for in Slack first (``slack_ops.find_posted``): a retry never posts twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks import kit
from bot.blocks.text import code
from bot.channel_settings import CHANNEL, RESULTS, THREAD_AND_CHANNEL, ChannelSettings
from bot.channel_settings import load as load_settings
from bot.events.base import UPDATE
from bot.notifier import outcomes, slack_ops
from bot.notifier.outcomes import Failure, Outcome
from bot.notifier.pacing import Pacer
from bot.notifier.slack_ops import Target
from storage import CARD_ACTION, OutboxItem, Resource, Store, is_storage_fault

logger = logging.getLogger(__name__)

CLAIM_LIMIT = 50
PER_CHANNEL = 5  # with pacing and Slack's timeout, well inside the lease
LEASE_SECONDS = 180.0
IDLE_WAKE_SECONDS = 5.0
HEARTBEAT_STALE_SECONDS = 30.0
DEAD_OWNER_CHECK_SECONDS = 60.0
MAX_ATTEMPTS = 6  # for failures nobody recognised; rate limits and outages never use these
BACKOFF_BASE_SECONDS = 2.0
TRANSIENT_CAP_SECONDS = 60.0  # back within a minute of an outage ending
CONFIG_RETRY_SECONDS = 300.0
STORE_RETRY_SECONDS = 1.0
# A card is updated at most this often; the update shows the latest state whenever it runs.
CARD_UPDATE_SPACING_SECONDS = 3.0

CardRenderer = Callable[[Resource], tuple[str, list[dict[str, Any]]]]


def _owner_id() -> str:
    """host:pid:random: a lease's owner, recognisably dead once its process is gone."""
    return f"{socket.gethostname()}:{os.getpid()}:{os.urandom(4).hex()}"


def _dead(owner: str, me: str) -> bool:
    host, _, rest = owner.partition(":")
    pid, _, _ = rest.partition(":")
    if owner == me or host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, under another user
        pass
    return False


class _NotYet(Exception):
    def __init__(self, seconds: float) -> None:
        super().__init__(f"not before {seconds:.1f}s")
        self.seconds = seconds


@dataclass(frozen=True)
class _Done:
    """A row finished in this process: posted, skipped or set aside."""

    result: dict[str, Any]
    card: Resource | None = None  # a card row also records where the card now is
    card_in_thread: bool = False  # ... inside the thread of the message the job hangs under


class Notifier:
    def __init__(
        self,
        *,
        store: Store,
        slack: AsyncWebClient,
        render_card: CardRenderer,
        clock: Callable[[], float] = time.time,
        pacer: Pacer | None = None,
    ) -> None:
        self._store = store
        self._slack = slack
        self._render_card = render_card
        self._clock = clock
        self._pacer = pacer or Pacer()
        self.owner = _owner_id()
        self._wake = asyncio.Event()
        self._stopping = False
        self._lanes: dict[str, asyncio.Task[None]] = {}
        self._unrecorded: dict[int, _Done] = {}
        self._done: dict[int, asyncio.Event] = {}
        self._dead_owners: set[str] = set()
        self._dead_checked = 0.0
        self._last_beat: float | None = None
        self._card_updated: dict[int, float] = {}  # resource id -> when its card last changed
        self._dms: dict[str, str] = {}  # user id -> the app's DM channel with them

    # -- control ---------------------------------------------------------------------------

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    @property
    def alive(self) -> bool:
        """Running and not stuck: the dispatcher beat recently."""
        beat = self._last_beat
        return beat is not None and time.monotonic() - beat < HEARTBEAT_STALE_SECONDS

    def status(self) -> dict[str, Any]:
        beat = self._last_beat
        return {
            "alive": self.alive,
            "seconds_since_beat": None if beat is None else round(time.monotonic() - beat, 1),
            "busy_channels": len(self._lanes),
            "rate_limited_channels": len(self._pacer.closed()),
        }

    async def wait_delivered(self, outbox_id: int, *, within: float) -> OutboxItem | None:
        """Wait (up to ``within`` seconds) for a row to finish; returns it as stored then."""
        event = self._done.setdefault(outbox_id, asyncio.Event())
        try:
            row = await self._store.get_outbox(outbox_id=outbox_id)
            if row is None or row.done_at is not None:
                return row
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), within)
        finally:
            self._done.pop(outbox_id, None)
        return await self._store.get_outbox(outbox_id=outbox_id)

    # -- the dispatcher --------------------------------------------------------------------

    async def run(self) -> None:
        logger.info("notifier started (%s)", self.owner)
        self._stopping = False
        try:
            while not self._stopping:
                self._last_beat = time.monotonic()
                # Cleared before the pass, not after: a wake() during it starts another pass.
                self._wake.clear()
                try:
                    await self._dispatch_once()
                    await self._idle()
                except Exception as exc:
                    if is_storage_fault(exc):  # the store said why, once: no trace per pass
                        logger.debug("notifier pass failed: %s", exc)
                    else:
                        logger.exception("notifier pass failed; trying again shortly")
                    await asyncio.sleep(STORE_RETRY_SECONDS)
        finally:
            await self._finish_lanes()
            self._last_beat = None

    async def deliver_due(self) -> int:
        """Deliver everything due now and wait for it; returns how many rows were handled."""
        handled = 0
        while True:
            started = await self._dispatch_once()
            if not started and not self._lanes:
                return handled
            handled += started
            await asyncio.gather(*list(self._lanes.values()), return_exceptions=True)

    async def _dispatch_once(self) -> int:
        await self._record_unrecorded()
        await self._refresh_dead_owners()
        claimed = await self._store.claim_outbox(
            owner=self.owner,
            lease_seconds=LEASE_SECONDS,
            limit=CLAIM_LIMIT,
            per_channel=PER_CHANNEL,
            skip_channels=self._busy_channels(),
            dead_owners=self._dead_owners,
        )
        by_channel: dict[str, list[OutboxItem]] = {}
        for item in claimed.items:
            resource = claimed.resources.get(item.resource_id or -1)
            channel = _lane_of(resource)
            by_channel.setdefault(channel, []).append(item)
        for channel, items in by_channel.items():
            self._lanes[channel] = asyncio.create_task(
                self._lane(channel, items, claimed.resources)
            )
        return len(claimed.items)

    def _busy_channels(self) -> set[str]:
        return set(self._lanes) | set(self._pacer.closed())

    async def _idle(self) -> None:
        timeout = IDLE_WAKE_SECONDS
        next_due = await self._store.next_outbox_due_at(skip_channels=self._busy_channels())
        if next_due is not None:
            timeout = min(timeout, max(next_due - self._clock(), 0.005))
        if reopen := self._pacer.closed():
            timeout = min(timeout, max(min(reopen.values()), 0.005))
        if self._unrecorded:
            timeout = min(timeout, 1.0)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)

    async def _finish_lanes(self) -> None:
        lanes = list(self._lanes.values())
        if lanes:
            await asyncio.gather(*lanes, return_exceptions=True)

    async def _refresh_dead_owners(self) -> None:
        now = time.monotonic()
        if now - self._dead_checked < DEAD_OWNER_CHECK_SECONDS:
            return
        self._dead_checked = now
        owners = await self._store.lease_owners()
        self._dead_owners = {o for o in owners if _dead(o, self.owner)}

    # -- one channel's lane ----------------------------------------------------------------

    async def _lane(
        self, channel: str, items: list[OutboxItem], resources: dict[int, Resource]
    ) -> None:
        try:
            await self._deliver_in_order(channel, items, resources)
        finally:
            self._lanes.pop(channel, None)
            self._wake.set()  # the channel is free for the dispatcher again

    async def _deliver_in_order(
        self, channel: str, items: list[OutboxItem], resources: dict[int, Resource]
    ) -> None:
        for item in items:
            resource = resources.get(item.resource_id or -1)
            try:
                closed_for = self._pacer.closed().get(channel, 0.0)
                if self._stopping or closed_for:
                    await self._release(
                        item, "waiting for its channel", delay=closed_for, transient=True
                    )
                    continue
                await self._deliver(item, resource, channel)
            except Exception:  # the store failed us: the lease will bring the row back
                logger.exception("outbox row %s: delivery could not be recorded", item.id)

    async def _deliver(self, item: OutboxItem, resource: Resource | None, channel: str) -> None:
        if item.id in self._unrecorded:
            return  # posted already; only the record of it is missing
        if not await self._store.renew_lease(
            outbox_id=item.id, owner=self.owner, lease_seconds=LEASE_SECONDS
        ):
            logger.info("outbox row %s was taken over by another deliverer", item.id)
            return
        if resource is None:
            await self._finish(item, _Done({"skipped": "resource deleted"}))
            return
        try:
            done = await self._attempt(item, resource, channel)
        except _NotYet as wait:
            await self._release(item, "spacing card updates", delay=wait.seconds, transient=True)
            return
        except Exception as exc:
            outcome = outcomes.classify(exc)
            if outcome is None:  # not Slack's answer: a payload or rendering bug
                logger.exception("outbox row %s could not be rendered or sent", item.id)
                await self._finish(item, _Done({"set_aside": f"{type(exc).__name__}: {exc}"}))
                return
            await self._failed(item, resource, channel, outcome)
            return
        await self._finish(item, done)

    async def _attempt(self, item: OutboxItem, resource: Resource, channel: str) -> _Done:
        """Only Slack calls and rendering happen here: any exception is about one of those."""
        if item.unsure and item.action != "refresh_parent":
            found = await self._look_for(item, resource, channel)
            if found is not None:
                logger.info("outbox row %s was already in Slack; not posting it again", item.id)
                return (
                    self._done_card(found, resource) if item.action == CARD_ACTION else _Done(found)
                )
        if item.action == CARD_ACTION:
            return self._done_card(await self._post_card(item, resource), resource)
        if item.action == "refresh_parent":
            return _Done(await self._refresh_card(resource))
        settings = await self._channel_settings(resource, channel)
        if settings.verbosity == RESULTS and item.payload.get("tier") == UPDATE:
            return _Done({"skipped": "the channel asks for results only"})
        thread = None if settings.delivery == CHANNEL else resource.message_ts
        await self._pace(channel)
        if item.action == "upload":
            return _Done(
                await slack_ops.upload_file(
                    self._slack,
                    item=item,
                    channel=channel,
                    thread_ts=thread,
                    remember_file=self._file_rememberer(item),
                )
            )
        if item.action == "reply":
            return _Done(await self._post_reply(item, resource, channel, settings))
        return _Done({"set_aside": f"unknown action {item.action!r}"})

    async def _channel_settings(self, resource: Resource, channel: str) -> ChannelSettings:
        """How the channel wants updates; a failing read means the defaults, not no post."""
        try:
            return await load_settings(
                self._store, team_id=resource.team_id, channel_id=resource.channel_id or channel
            )
        except Exception:  # noqa: BLE001 - the post matters more than its settings
            logger.warning("could not read the settings of %s; using the defaults", channel)
            return ChannelSettings()

    @staticmethod
    def _done_card(posted: dict[str, Any], resource: Resource) -> _Done:
        in_thread = resource.message_ts is not None and "moved_from" not in posted
        return _Done(posted, card=resource, card_in_thread=in_thread)

    def _file_rememberer(self, item: OutboxItem) -> Callable[[str], Awaitable[None]]:
        async def remember(file_id: str) -> None:
            try:
                await self._store.set_outbox_file(outbox_id=item.id, file_id=file_id)
            except Exception:  # only a retry's look-up needs it; the upload goes on
                logger.warning("outbox row %s: could not record its file id", item.id)

        return remember

    async def _look_for(
        self, item: OutboxItem, resource: Resource, channel: str
    ) -> dict[str, Any] | None:
        """Where a row that may have reached Slack would be: its thread (or, for a card, the
        channel), and for a card that may have gone to its owner instead, their DM."""
        try:
            where = await self._readable(channel)
            found = await slack_ops.find_posted(
                self._slack, item, resource, channel=where, thread=resource.message_ts
            )
            if found is None and item.action == CARD_ACTION and channel != resource.owner_user_id:
                found = await self._look_in_owner_dm(item, resource)
            return found
        except SlackApiError as exc:
            failure = outcomes.from_slack_error(exc).failure
            if failure in (Failure.RATE_LIMITED, Failure.TRANSIENT):
                raise  # try the whole row again later
            if failure is Failure.UNREACHABLE and item.action == CARD_ACTION:
                return await self._look_in_owner_dm(item, resource)
            slack_ops.lookup_failed(exc)
            return None

    async def _look_in_owner_dm(
        self, item: OutboxItem, resource: Resource
    ) -> dict[str, Any] | None:
        """A card the channel refused went to its owner, as a thread root of its own."""
        try:
            dm = await self._readable(resource.owner_user_id)
            return await slack_ops.find_posted(self._slack, item, resource, channel=dm, thread=None)
        except SlackApiError as exc:
            slack_ops.lookup_failed(exc)
            return None

    async def _readable(self, channel: str) -> str:
        """History and replies take the DM's D... id; posts to a user's U... id land there."""
        if channel[:1] not in ("U", "W"):
            return channel
        dm = self._dms.get(channel)
        if dm is None:
            dm = self._dms[channel] = await slack_ops.open_dm(self._slack, channel)
        return dm

    async def _post_reply(
        self, item: OutboxItem, resource: Resource, channel: str, settings: ChannelSettings
    ) -> dict[str, Any]:
        meta = slack_ops.metadata(item, resource)
        text, blocks = str(item.payload.get("text") or ""), item.payload.get("blocks")
        if settings.delivery == CHANNEL:
            # Straight into the channel: say what it is about, as the thread would have.
            about = f"{resource.kind.capitalize()} {code(resource.tavus_id or '')}"
            blocks = [kit.context(about), *(blocks or kit.sections(text))]  # text is mrkdwn
            return await self._post(Target(channel, None, meta), f"{about}: {text}", blocks)
        broadcast = settings.delivery == THREAD_AND_CHANNEL
        target = Target(channel, resource.message_ts, meta, broadcast=broadcast)
        return await self._post(target, text, blocks)

    async def _post_card(self, item: OutboxItem, resource: Resource) -> dict[str, Any]:
        text, blocks = self._render_card(resource)
        channel = resource.channel_id or resource.owner_user_id
        meta = slack_ops.metadata(item, resource)
        await self._pace(channel)
        try:
            # A job started from a message hangs under it: its card goes into that thread.
            return await self._post(Target(channel, resource.message_ts, meta), text, blocks)
        except SlackApiError as exc:
            outcome = outcomes.from_slack_error(exc)
            if outcome.failure is not Failure.UNREACHABLE or channel == resource.owner_user_id:
                raise
            logger.info(
                "cannot post in %s (%s): the card goes to the owner", channel, outcome.error
            )
            posted = await self._post(Target(resource.owner_user_id, None, meta), text, blocks)
            return {**posted, "moved_from": channel, "moved_because": outcome.error}

    async def _post(
        self, target: Target, text: str, blocks: list[dict[str, Any]] | None
    ) -> dict[str, Any]:
        """Post; if Slack refuses the blocks, post the fallback text alone instead."""
        try:
            return await slack_ops.post_message(self._slack, target, text=text, blocks=blocks)
        except SlackApiError as exc:
            refused = outcomes.from_slack_error(exc).failure is Failure.BLOCKS_REFUSED
            if not blocks or not refused:
                raise
            logger.warning("Slack refused a message's blocks (%s); posting plain text", target)
            plain = slack_ops.plain_version(text)
            posted = await slack_ops.post_message(self._slack, target, text=plain, blocks=None)
            return {**posted, "degraded": exc.response.get("error")}

    async def _refresh_card(self, resource: Resource) -> dict[str, Any]:
        if resource.channel_id is None or resource.card_ts is None:
            return {"skipped": "no card to update"}
        last = self._card_updated.get(resource.id)
        if last is not None and (wait := last + CARD_UPDATE_SPACING_SECONDS - time.monotonic()) > 0:
            raise _NotYet(wait)  # a long job's progress must not flood chat.update
        self._remember_card_update(resource.id)
        text, blocks = self._render_card(resource)
        channel, ts = resource.channel_id, resource.card_ts
        try:
            await self._slack.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
        except SlackApiError as exc:
            if outcomes.from_slack_error(exc).failure is not Failure.BLOCKS_REFUSED:
                raise
            plain = slack_ops.plain_version(text)
            await self._slack.chat_update(channel=channel, ts=ts, text=plain, blocks=[])
            return {"updated": ts, "degraded": exc.response.get("error")}
        return {"updated": ts}

    def _remember_card_update(self, resource_id: int) -> None:
        now = time.monotonic()
        if len(self._card_updated) > 1024:  # only recent updates matter
            horizon = now - CARD_UPDATE_SPACING_SECONDS
            self._card_updated = {k: t for k, t in self._card_updated.items() if t > horizon}
        self._card_updated[resource_id] = now

    async def _pace(self, channel: str) -> None:
        while (wait := self._pacer.wait_for(channel)) > 0:  # noqa: ASYNC110 - a timed wait
            await asyncio.sleep(wait)
        self._pacer.take(channel)

    # -- what failures do -------------------------------------------------------------------

    async def _failed(
        self, item: OutboxItem, resource: Resource, channel: str, outcome: Outcome
    ) -> None:
        failure = outcome.failure
        if failure is Failure.RATE_LIMITED:
            delay = outcome.retry_after or outcomes.DEFAULT_RETRY_AFTER_SECONDS
            self._pacer.close(channel, delay)
            await self._release(item, outcome.error, delay=delay, transient=True)
        elif failure is Failure.TRANSIENT:
            delay = min(BACKOFF_BASE_SECONDS * 2**item.transient_failures, TRANSIENT_CAP_SECONDS)
            await self._release(
                item, outcome.error, delay=delay, transient=True, unsure=outcome.maybe_posted
            )
        elif failure is Failure.CONFIG:
            logger.error(
                "Slack refused the bot token or a scope (%s): fix the Slack app; outbox row %s"
                " waits",
                outcome.error,
                item.id,
            )
            await self._release(item, outcome.error, delay=CONFIG_RETRY_SECONDS, transient=True)
        elif failure is Failure.UNREACHABLE and item.action != CARD_ACTION:
            await self._move_to_owner(item, resource, outcome)
        elif failure is Failure.UNKNOWN and item.attempts + 1 < MAX_ATTEMPTS:
            delay = min(BACKOFF_BASE_SECONDS * 2**item.attempts, TRANSIENT_CAP_SECONDS)
            await self._release(item, outcome.error, delay=delay, transient=False)
        else:
            logger.warning("outbox row %s set aside: Slack said %s", item.id, outcome.error)
            await self._finish(item, _Done({"set_aside": outcome.error}))

    async def _move_to_owner(self, item: OutboxItem, resource: Resource, outcome: Outcome) -> None:
        """The channel went away under a live thread: a new card in the owner's DM carries on."""
        logger.info(
            "cannot post in %s (%s): moving %s %s to its owner's DM",
            resource.channel_id,
            outcome.error,
            resource.kind,
            resource.tavus_id,
        )
        text, blocks = self._render_card(resource)
        try:
            # The card is this row's second message: it must not pass for the row itself.
            meta = slack_ops.metadata(item, resource, part="card")
            posted = await self._post(Target(resource.owner_user_id, None, meta), text, blocks)
        except SlackApiError as exc:
            logger.warning("outbox row %s set aside: the owner's DM failed too", item.id)
            await self._finish(item, _Done({"set_aside": str(exc.response.get("error"))}))
            return
        await self._store.update_resource(
            resource_id=resource.id,
            channel_id=str(posted["channel"]),
            message_ts=str(posted["ts"]),
            details={"card_ts": None},  # the new card is its own thread's root
        )
        await self._release(item, outcome.error, delay=0.0, transient=True)

    async def _release(
        self,
        item: OutboxItem,
        error: str,
        *,
        delay: float,
        transient: bool,
        unsure: bool = False,
    ) -> None:
        if delay:
            logger.info("outbox row %s retrying in %.1fs: %s", item.id, delay, error)
        await self._store.retry_outbox(
            outbox_id=item.id,
            error=error[:500],
            next_attempt_at=self._clock() + delay,
            transient=transient,
            unsure=unsure,
        )

    # -- recording what happened -------------------------------------------------------------

    async def _finish(self, item: OutboxItem, done: _Done) -> None:
        """Record the row as done; if the store fails, keep trying without posting it again."""
        try:
            await self._record(item.id, done)
        except Exception:
            logger.exception("outbox row %s was delivered but could not be marked done", item.id)
            self._unrecorded[item.id] = done
            return
        self._signal(item.id)

    async def _record(self, outbox_id: int, done: _Done) -> None:
        if done.card is None:
            await self._store.complete_outbox(outbox_id=outbox_id, result=done.result)
            return
        await self._store.complete_card(
            outbox_id=outbox_id,
            resource_id=done.card.id,
            channel_id=str(done.result["channel"]),
            card_ts=str(done.result["ts"]),
            in_thread=done.card_in_thread,
            result=done.result,
        )

    async def _record_unrecorded(self) -> None:
        for outbox_id, done in list(self._unrecorded.items()):
            try:
                await self._record(outbox_id, done)
            except Exception:
                logger.warning("outbox row %s still cannot be marked done", outbox_id)
                return
            del self._unrecorded[outbox_id]
            self._signal(outbox_id)

    def _signal(self, outbox_id: int) -> None:
        event = self._done.get(outbox_id)
        if event is not None:
            event.set()


def _lane_of(resource: Resource | None) -> str:
    """Posts for a resource without a channel go to its owner, in the DM."""
    if resource is None:
        return ""
    return resource.channel_id or resource.owner_user_id
