"""App Home: the user's recent conversations and a start button."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks.home import RECENT_LIMIT, START_ACTION, home_view
from bot.services import Services
from handlers.conversations.start import open_start_modal


async def handle_home_opened(
    event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient, services: Services
) -> None:
    user_id = event.get("user")
    if event.get("tab") != "home" or not isinstance(user_id, str):
        return
    recent = await services.store.list_resources(
        kind="conversation",
        owner_user_id=user_id,
        team_id=body.get("team_id"),
        limit=RECENT_LIMIT,
    )
    await client.views_publish(user_id=user_id, view=home_view(user_id=user_id, recent=recent))


async def handle_home_start(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
    await ack()
    trigger_id = body.get("trigger_id")
    if isinstance(trigger_id, str) and trigger_id:
        # From App Home there is no channel: the modal asks, and a DM is the fallback.
        await open_start_modal(client, trigger_id, None)


def register(app: AsyncApp) -> None:
    app.event("app_home_opened")(handle_home_opened)
    app.action(START_ACTION)(handle_home_start)
