"""`/tavus defaults` and App Home's "My defaults": each person's default persona and replica.

Stored as the user's preferences; ``bot.conversations.resolve_defaults`` reads them before the
workspace's defaults."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck

from bot.blocks import defaults_modal as modal
from bot.blocks import pickers
from bot.blocks.home import DEFAULTS_ACTION
from bot.blocks.pickers import Named
from bot.conversations import PREF_PERSONA, PREF_REPLICA
from bot.domain.nouns import BY_KIND
from bot.home import publish_home
from bot.services import Services
from handlers.shared.families import CommandRequest
from handlers.shared.pickers import names_of
from handlers.shared.starting import team_of

logger = logging.getLogger(__name__)

# The trigger expires 3 s after the click: names that take longer are shown as bare ids.
NAMES_WITHIN_SECONDS = 1.0


async def handle_defaults(request: CommandRequest) -> None:
    await open_defaults_modal(
        request.services, request.trigger_id, team_id=request.team_id, user_id=request.user_id
    )


async def open_defaults_modal(
    services: Services, trigger_id: str, *, team_id: str, user_id: str
) -> None:
    prefs = await services.store.get_preferences(team_id=team_id, scope="user", scope_id=user_id)
    persona, replica = prefs.get(PREF_PERSONA), prefs.get(PREF_REPLICA)
    persona_names, replica_names = await asyncio.gather(
        _names(services, pickers.PERSONA_PICKER, persona),
        _names(services, pickers.REPLICA_PICKER, replica),
    )
    view = modal.defaults_modal(
        persona=_named(persona, persona_names),
        replica=_named(replica, replica_names),
        workspace_persona=services.settings.default_persona_id,
        workspace_replica=services.settings.default_replica_id,
    )
    await services.slack.views_open(trigger_id=trigger_id, view=view)


async def _names(services: Services, picker: str, chosen: str | None) -> dict[str, str | None]:
    if chosen is None:
        return {}
    return await names_of(services, picker, within=NAMES_WITHIN_SECONDS)


def _named(tavus_id: str | None, names: dict[str, str | None]) -> Named | None:
    return None if tavus_id is None else (names.get(tavus_id), tavus_id)


async def handle_home_defaults(ack: AsyncAck, body: dict[str, Any], services: Services) -> None:
    await ack()
    await open_defaults_modal(
        services, body["trigger_id"], team_id=team_of(body), user_id=body["user"]["id"]
    )


async def handle_defaults_submission(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], services: Services
) -> None:
    values = view["state"]["values"]
    errors = pickers.unavailable_errors(values, [modal.B_PERSONA, modal.B_REPLICA])
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    persona, replica = modal.read_defaults(values)
    errors = {
        block: f"Choose a {kind} from the list."
        for block, kind, chosen in (
            (modal.B_PERSONA, "persona", persona),
            (modal.B_REPLICA, "replica", replica),
        )
        if chosen is not None and not BY_KIND[kind].is_id(chosen)
    }
    if errors:  # only a forged form gets here: the pickers offer Tavus's ids
        await ack(response_action="errors", errors=errors)
        return
    team_id, user_id = team_of(body), body["user"]["id"]
    for key, value in ((PREF_PERSONA, persona), (PREF_REPLICA, replica)):
        await services.store.set_preference(
            team_id=team_id, scope="user", scope_id=user_id, key=key, value=value
        )
    logger.info("user %s set their defaults", user_id)
    await ack(response_action="update", view=modal.saved_view(persona, replica))
    if services.homes.watching(team_id, user_id):
        await publish_home(services, team_id=team_id, user_id=user_id)


def register(app: AsyncApp) -> None:
    app.action(DEFAULTS_ACTION)(handle_home_defaults)
    app.view(modal.CALLBACK_ID)(handle_defaults_submission)
