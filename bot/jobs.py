"""Starting a Tavus job from Slack: the one sequence every family reuses.

1. The resource is stored with its callback token, its card held back: a callback that
   beats the create call's answer finds its resource instead of a 404.
2. Tavus is asked to create it, with the callback URL built on that token.
3. Its id and first state are stored and its card released, in one transaction.
4. The notifier posts the card (exactly once, like every post); the thread hangs under it.

A create Tavus refuses leaves nothing behind. One whose outcome is unknown (it timed out
after the request left) is never repeated on the user's behalf: the token stays, so if the
job did start, its first callback names it and the card appears then.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot import channel_settings
from bot.callback_tokens import new_callback_token
from bot.domain.nouns import BY_KIND
from bot.kinds import KINDS
from bot.services import Services
from bot.tavus import TavusError
from storage import OutboxItem, Resource

logger = logging.getLogger(__name__)

# How long a command waits to tell its user where the card went.
CARD_WAIT_SECONDS = 8.0


@dataclass(frozen=True)
class Created:
    """What Tavus's answer to a create call means for the store."""

    tavus_id: str
    status: str
    name: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    finished: bool = False


Create = Callable[[str | None], Awaitable[Created]]


class OutcomeUnknown(Exception):
    """Tavus may or may not have started the job: the user must check, not retry blindly."""

    def __init__(self, kind: str, cause: TavusError, *, will_call_back: bool) -> None:
        super().__init__(f"the {kind} create call's outcome is unknown: {cause}")
        self.kind = kind
        self.cause = cause
        # Only a callback can name the job later: without PUBLIC_URL none will come.
        self.will_call_back = will_call_back

    @property
    def user_message(self) -> str:
        noun = BY_KIND[self.kind]
        text = (
            f"Tavus's answer never reached me (it timed out or the connection dropped), so the "
            f"{noun.kind} may have started anyway. Check `/tavus {noun.plural}` before trying "
            "again: a second one would be a duplicate"
        )
        if self.will_call_back:
            return text + "; if it did start, its card appears here as soon as Tavus reports on it."
        return text + "."


class NotAllowedHere(Exception):
    """The channel's settings do not allow this kind of job to post there."""

    def __init__(self, subcommand: str) -> None:
        super().__init__(f"/tavus {subcommand} is not allowed in this channel")
        self.user_message = channel_settings.NOT_HERE.format(subcommand=subcommand)


@dataclass(frozen=True)
class JobStarted:
    resource: Resource
    card_id: int | None  # the card's outbox row; None for a resource without a card


@dataclass(frozen=True)
class CardPlace:
    """Where the card went, once the notifier posted it (or None fields if not yet)."""

    channel: str | None
    ts: str | None
    moved_because: str | None = None  # the channel refused it; it went to the owner's DM

    @property
    def posted(self) -> bool:
        return self.ts is not None


async def start_job(
    services: Services,
    *,
    kind: str,
    team_id: str,
    owner_user_id: str,
    channel_id: str | None,
    create: Create,
    name: str | None = None,
    thread_ts: str | None = None,
    card: bool = True,
) -> JobStarted:
    """Raises the TavusError of a refused create (nothing is kept), or OutcomeUnknown.

    ``thread_ts``: the job hangs under that message of ``channel_id`` (one a message shortcut
    was used on): its card and results go into that message's thread. ``card=False``: the
    resource has no card (objectives, guardrails: their events post in their call's thread).
    Raises NotAllowedHere, before anything is created, when the channel does not allow it:
    the same rule for a command, a form, a shortcut and App Home."""
    if channel_id is not None:
        await _check_allowed(services, kind=kind, team_id=team_id, channel_id=channel_id)
    token = new_callback_token()
    store = services.store
    pending, held = await store.begin_job(
        kind=kind,
        team_id=team_id,
        owner_user_id=owner_user_id,
        channel_id=channel_id,
        callback_token=token,
        name=name,
        thread_ts=thread_ts,
        card=card,
    )
    try:
        created = await create(services.settings.callback_url(token))
    except TavusError as exc:
        if exc.outcome_unknown:
            logger.warning("the %s create call's outcome is unknown: %s", kind, exc)
            await store.update_resource(resource_id=pending.id, status="unconfirmed")
            will_call_back = services.settings.public_url is not None
            raise OutcomeUnknown(kind, exc, will_call_back=will_call_back) from exc
        await store.abandon_job(resource_id=pending.id)
        raise
    except BaseException:
        # Cancelled or broken mid-call: Tavus may have started it; keep the token.
        await store.update_resource(resource_id=pending.id, status="unconfirmed")
        raise
    resource = await store.confirm_job(
        resource_id=pending.id,
        tavus_id=created.tavus_id,
        status=created.status,
        name=created.name or name,
        details=created.details,
        finished=created.finished,
        status_not_after=KINDS[kind].lifecycle.not_after(created.status),
    )
    assert resource is not None
    services.notifier.wake()
    logger.info("started %s %s for %s", kind, created.tavus_id, owner_user_id)
    return JobStarted(resource=resource, card_id=None if held is None else held.id)


async def _check_allowed(services: Services, *, kind: str, team_id: str, channel_id: str) -> None:
    subcommand = channel_settings.JOB_SUBCOMMANDS.get(kind)
    if subcommand is None:
        return
    here = await channel_settings.load(services.store, team_id=team_id, channel_id=channel_id)
    if not here.allows(subcommand):
        raise NotAllowedHere(subcommand)


async def card_place(
    services: Services, started: JobStarted, *, within: float = CARD_WAIT_SECONDS
) -> CardPlace:
    if started.card_id is None:
        return CardPlace(channel=None, ts=None)
    row = await services.notifier.wait_delivered(started.card_id, within=within)
    return _place(row)


def _place(row: OutboxItem | None) -> CardPlace:
    result = (row.result if row is not None else None) or {}
    if row is None or row.done_at is None or "ts" not in result:
        return CardPlace(channel=None, ts=None)
    return CardPlace(
        channel=result.get("channel"),
        ts=result.get("ts"),
        moved_because=result.get("moved_because"),
    )
