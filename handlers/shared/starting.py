"""What every command and form that starts a Tavus job says about it afterwards."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks.start_modal import failed_view
from bot.blocks.text import code
from bot.conversations import PREF_PERSONA, PREF_REPLICA, resolve_defaults
from bot.domain.nouns import BY_KIND
from bot.jobs import CardPlace, JobStarted, NotAllowedHere, OutcomeUnknown, card_place
from bot.services import Services
from bot.tavus import BadRequest, NotFound, TavusError

logger = logging.getLogger(__name__)

View = dict[str, Any]
SOMETHING_BROKE = (
    "Something went wrong after Tavus was asked to start the {kind}, so it may exist without a "
    "card in Slack. Check `/tavus {plural}` before trying again."
)

# Why Slack refused the channel, and what fixes it (the card went to the owner's DM).
_WHY_MOVED = {
    "not_in_channel": ("I am not in this channel", "To post here, `/invite @Tavus` first."),
    "channel_not_found": (
        "I cannot post in this conversation (a private channel, DM or group DM I am not in)",
        "To post in a private channel, `/invite @Tavus` there; in a DM, use mine.",
    ),
    "is_archived": ("This channel is archived", "Unarchive it, or start from another channel."),
}
_NOT_ALLOWED = (
    "Slack does not let me post in this channel",
    "Its posting permissions (set by a workspace admin) would have to allow apps.",
)


def where_the_card_went(place: CardPlace, what: str, *, extra: str = "") -> str | None:
    """A private note when the card is not where the user asked: in their DM (the bot is not
    in the channel), or not posted yet. None when it is simply there."""
    if place.moved_because:
        why, fix = _WHY_MOVED.get(place.moved_because, _NOT_ALLOWED)
        return f"{why}, so I sent you the {what} card in a direct message. {fix}{extra}"
    if not place.posted:
        return f"Tavus is on it; the {what} card will appear in this channel shortly.{extra}"
    return None


async def run_in_modal(
    client: AsyncWebClient,
    view_id: str,
    *,
    kind: str,
    start: Callable[[], Awaitable[JobStarted]],
    services: Services,
    done: Callable[[JobStarted, CardPlace], View],
) -> None:
    """Starts a job from a submitted modal and tells the outcome in it: a view submission
    has no response_url, so the modal is the only place to say what happened."""
    try:
        started = await start()
        place = await card_place(services, started)
    except (TavusError, OutcomeUnknown, NotAllowedHere) as exc:
        await client.views_update(view_id=view_id, view=failed_view(exc.user_message))
        return
    except Exception:
        logger.exception("starting a %s from a modal failed", kind)
        reason = SOMETHING_BROKE.format(kind=kind, plural=BY_KIND[kind].plural)
        await client.views_update(view_id=view_id, view=failed_view(reason))
        return
    await client.views_update(view_id=view_id, view=done(started, place))


async def user_defaults(services: Services, body: dict[str, Any]) -> tuple[str | None, str | None]:
    """The persona and replica a form opened from a shortcut or App Home starts with: the
    user's defaults, else the workspace's."""
    return await resolve_defaults(
        services,
        team_id=team_of(body),
        user_id=body["user"]["id"],
        persona_id=None,
        replica_id=None,
    )


async def defaults_hint(
    services: Services,
    *,
    team_id: str,
    user_id: str,
    used: Mapping[str, str | None],
    exc: TavusError,
) -> str:
    """When Tavus refuses an id the user did not type (their default, or the workspace's),
    which default it was and where to change it; "" otherwise. ``used``: preference key ->
    the id sent, for those not typed in the command."""
    if not isinstance(exc, (BadRequest, NotFound)):
        return ""
    prefs = await services.store.get_preferences(team_id=team_id, scope="user", scope_id=user_id)
    workspace = {
        PREF_PERSONA: ("persona", services.settings.default_persona_id, "TAVUS_DEFAULT_PERSONA_ID"),
        PREF_REPLICA: ("replica", services.settings.default_replica_id, "TAVUS_DEFAULT_REPLICA_ID"),
    }
    hints = []
    for key, sent in used.items():
        noun, theirs, variable = workspace[key]
        if sent is None:
            continue
        if prefs.get(key) == sent:
            hints.append(f"{code(sent)} is your default {noun}: change it with `/tavus defaults`.")
        elif theirs == sent:
            hints.append(
                f"{code(sent)} is the workspace's default {noun} ({variable}): an admin can "
                "change it, or name another in the command."
            )
    return "".join(f"\n{hint}" for hint in hints)


def team_of(body: dict[str, Any]) -> str:
    """The workspace of an interaction payload (modals carry it in two places)."""
    return str((body.get("team") or {}).get("id") or body["user"].get("team_id") or "")
