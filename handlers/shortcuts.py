"""Shortcuts: "Start a Tavus call" and "Generate a Tavus video" from anywhere (global), and
"Make a video from this message" on a message, whose video then answers in its thread."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.services import Services
from handlers.conversations.start import open_start_modal
from handlers.shared.starting import user_defaults
from handlers.videos.start import open_video_modal

START_CALL = "tavus_start_call"
GENERATE_VIDEO = "tavus_generate_video"
VIDEO_FROM_MESSAGE = "tavus_video_from_message"

_LABELLED = re.compile(r"<[^<>|]*\|([^<>]*)>")  # <https://…|label>, <@U…|name>, <#C…|name>
_URL = re.compile(r"<((?:https?|mailto):[^<>|]*)>")
_MARKUP = re.compile(r"<[^<>]*>")  # a bare mention or <!here>: nothing a replica should say
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


async def handle_start_call(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, services: Services
) -> None:
    await ack()
    persona, replica = await user_defaults(services, body)
    # A global shortcut has no channel: the modal asks, as from App Home.
    await open_start_modal(client, body["trigger_id"], None, replica, persona_id=persona)


async def handle_generate_video(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, services: Services
) -> None:
    await ack()
    _, replica = await user_defaults(services, body)
    await open_video_modal(client, body["trigger_id"], channel_id=None, replica_id=replica)


async def handle_video_from_message(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, services: Services
) -> None:
    await ack()
    message = body.get("message") or {}
    channel = (body.get("channel") or {}).get("id")
    # A reply's thread is its parent's: Slack threads one level deep.
    thread = message.get("thread_ts") or message.get("ts") or body.get("message_ts")
    _, replica = await user_defaults(services, body)
    await open_video_modal(
        client,
        body["trigger_id"],
        channel_id=channel,
        thread_ts=thread if channel else None,
        replica_id=replica,
        script=script_from_message(str(message.get("text") or "")) or None,
    )


def script_from_message(text: str) -> str:
    """A message's text as a replica would say it: links read as their labels, Slack's
    mention markup left out, and its escaped characters back to themselves."""
    text = _LABELLED.sub(r"\1", text)
    text = _URL.sub(r"\1", text)
    text = _MARKUP.sub("", text)
    for escaped, raw in _ENTITIES:
        text = text.replace(escaped, raw)
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def register(app: AsyncApp) -> None:
    app.global_shortcut(START_CALL)(handle_start_call)
    app.global_shortcut(GENERATE_VIDEO)(handle_generate_video)
    app.message_shortcut(VIDEO_FROM_MESSAGE)(handle_video_from_message)
