"""`/tavus settings`: a channel's settings, for admins and the channel's creator."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import channel_settings
from bot.blocks import settings_modal as modal
from bot.services import Services
from handlers.shared.families import CommandRequest
from handlers.shared.starting import team_of

logger = logging.getLogger(__name__)

REFUSED = (
    "Only the channel's creator or an admin can change this channel's Tavus settings. "
    "Admins are this workspace's admins and owners, and the people in TAVUS_SLACK_ADMINS."
)
# A public or private channel, a DM or a group DM, as Slack names them.
CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{2,30}")
NOT_VISIBLE = (
    "I cannot see this conversation, so I cannot tell who created it: `/invite @Tavus` here "
    "first (a private channel), or ask an admin."
)


async def refusal_to_configure(services: Services, *, channel_id: str, user_id: str) -> str | None:
    """None for admins anywhere, a channel's creator, anyone in their own DM with the app;
    otherwise why not."""
    if channel_id.startswith("D") or await services.access.is_admin(user_id):
        return None
    try:
        info = await services.slack.conversations_info(channel=channel_id)
    except SlackApiError as exc:
        error = exc.response.get("error")
        logger.info("conversations.info for %s failed: %s", channel_id, error)
        return NOT_VISIBLE if error == "channel_not_found" else REFUSED
    return None if (info.get("channel") or {}).get("creator") == user_id else REFUSED


async def handle_settings(request: CommandRequest) -> None:
    services, channel = request.services, request.channel_id
    refused = await refusal_to_configure(services, channel_id=channel, user_id=request.user_id)
    if refused:
        await request.say_privately(refused)
        return
    current = await channel_settings.load(
        services.store, team_id=request.team_id, channel_id=channel
    )
    view = modal.settings_modal(channel_id=channel, current=current)
    await services.slack.views_open(trigger_id=request.trigger_id, view=view)


async def handle_settings_submission(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    services: Services,
) -> None:
    channel = str(view.get("private_metadata") or "")
    user = body["user"]["id"]
    refused = (
        REFUSED
        if not CHANNEL_ID.fullmatch(channel)
        else await refusal_to_configure(services, channel_id=channel, user_id=user)
    )
    if refused:
        await ack(response_action="errors", errors={modal.B_DELIVERY: refused})
        return
    settings = modal.read_settings(view["state"]["values"])
    await channel_settings.save(
        services.store, team_id=team_of(body), channel_id=channel, settings=settings
    )
    logger.info("user %s changed the settings of %s", user, channel)
    await ack(response_action="update", view=modal.saved_view(channel))
