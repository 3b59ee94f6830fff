"""App Home: publishing the tab when it is opened, and its buttons.

A click on the tab has no response URL to answer through: what happened is shown as a line at
the top of the republished tab instead.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck

from bot.blocks import home as blocks
from bot.blocks.listing import parse_delete_value
from bot.home import publish_home
from bot.services import Services
from bot.tavus import TavusError
from handlers.conversations.manage import end_conversation
from handlers.conversations.start import open_start_modal
from handlers.documents.add import open_document_modal
from handlers.replicas.train import open_train_modal
from handlers.shared.deletion import delete_as
from handlers.shared.families import Families
from handlers.shared.replies import tavus_refused
from handlers.shared.starting import team_of, user_defaults
from handlers.videos.start import open_video_modal

logger = logging.getLogger(__name__)


async def handle_home_opened(
    event: dict[str, Any], body: dict[str, Any], services: Services
) -> None:
    user_id = event.get("user")
    team_id = body.get("team_id")
    if event.get("tab") != "home" or not isinstance(user_id, str) or not isinstance(team_id, str):
        return
    await _publish(services, team_id, user_id)


async def _publish(
    services: Services, team_id: str, user_id: str, notice: str | None = None
) -> None:
    await publish_home(services, team_id=team_id, user_id=user_id, notice=notice)
    await services.homes.opened(team_id, user_id, admin=await services.access.is_admin(user_id))


# -- starting things: the same modals as the commands, asking where to post -------------------


async def handle_start_call(ack: AsyncAck, body: dict[str, Any], services: Services) -> None:
    await ack()
    persona, replica = await user_defaults(services, body)
    await open_start_modal(services.slack, body["trigger_id"], None, replica, persona_id=persona)


async def handle_generate_video(ack: AsyncAck, body: dict[str, Any], services: Services) -> None:
    await ack()
    _, replica = await user_defaults(services, body)
    await open_video_modal(services.slack, body["trigger_id"], channel_id=None, replica_id=replica)


async def handle_train_replica(ack: AsyncAck, body: dict[str, Any], services: Services) -> None:
    await ack()
    await open_train_modal(services.slack, body["trigger_id"], None)


async def handle_add_document(ack: AsyncAck, body: dict[str, Any], services: Services) -> None:
    await ack()
    await open_document_modal(services.slack, body["trigger_id"], None)


# -- acting on an item ------------------------------------------------------------------------


async def handle_end(ack: AsyncAck, body: dict[str, Any], services: Services) -> None:
    await ack()
    user_id = body["user"]["id"]
    conversation_id = str(body["actions"][0].get("value") or "")
    try:
        notice = await end_conversation(services, conversation_id, user_id)
    except TavusError as exc:
        notice = tavus_refused(exc)
    except ValueError:  # not an id: a forged button value
        logger.warning("a home End button carried %r", conversation_id[:40])
        return
    await _publish(services, team_of(body), user_id, notice)


async def handle_delete(
    ack: AsyncAck, body: dict[str, Any], services: Services, families: Families
) -> None:
    await ack()
    parsed = parse_delete_value(str(body["actions"][0].get("value") or ""))
    family = families.get(parsed[0]) if parsed else None
    if parsed is None or family is None:
        logger.warning("a home Delete button carried a value no family knows")
        return
    user_id = body["user"]["id"]
    notice = await delete_as(services, family, parsed[1], hard=parsed[2], user_id=user_id)
    await _publish(services, team_of(body), user_id, notice)


def register(app: AsyncApp) -> None:
    app.event("app_home_opened")(handle_home_opened)
    app.action(blocks.START_ACTION)(handle_start_call)
    app.action(blocks.VIDEO_ACTION)(handle_generate_video)
    app.action(blocks.TRAIN_ACTION)(handle_train_replica)
    app.action(blocks.DOCUMENT_ACTION)(handle_add_document)
    app.action(blocks.END_ACTION)(handle_end)
    app.action(blocks.DELETE_ACTION)(handle_delete)
