"""End, list, show and delete conversations: the verbs, and the buttons on the card."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.blocks import conversation_lists as lists
from bot.blocks.text import code
from bot.services import Services
from bot.tavus import Conversation, Page, TavusError
from handlers.shared.families import CommandRequest, Deletion, Listing
from handlers.shared.permissions import refusal
from handlers.shared.replies import say_privately, tavus_refused

logger = logging.getLogger(__name__)

KIND = "conversation"


async def end_conversation(services: Services, conversation_id: str, user_id: str) -> str:
    refused = await refusal(
        services, kind=KIND, tavus_id=conversation_id, user_id=user_id, verb="end"
    )
    if refused:
        return refused
    await services.tavus.conversations.end(conversation_id)
    logger.info("user %s ended conversation %s", user_id, conversation_id)
    return f":stop_sign: Ending {code(conversation_id)}. The card updates when Tavus confirms."


async def handle_end(request: CommandRequest) -> None:
    conversation_id = request.command.words[0]
    await request.say_privately(
        await end_conversation(request.services, conversation_id, request.user_id)
    )


async def handle_show(request: CommandRequest) -> None:
    conversation = await request.services.tavus.conversations.get(request.command.words[0])
    joinable = await joinable_ids(request.services, [conversation], request.viewer)
    text, blocks = lists.conversation_details(
        conversation, joinable=conversation.conversation_id in joinable
    )
    await request.say_listing(text, blocks)


async def fetch_page(
    services: Services, number: int, size: int, status: str | None
) -> Page[Conversation]:
    return await services.tavus.conversations.list(page=number, limit=size, status=status)


async def page_lines(
    services: Services, conversations: Sequence[Conversation], viewer: str | None
) -> list[str]:
    joinable = await joinable_ids(services, conversations, viewer)
    return [
        lists.conversation_line(c, joinable=c.conversation_id in joinable) for c in conversations
    ]


async def joinable_ids(
    services: Services, conversations: Sequence[Conversation], user_id: str | None
) -> frozenset[str]:
    """Join links go only to whoever may act on the call: its owner, or an admin; never
    into a listing the whole channel reads (``user_id`` None)."""
    if user_id is None:
        return frozenset()
    allowed = set()
    for conversation in conversations:
        resource = await services.store.get_resource(
            kind=KIND, tavus_id=conversation.conversation_id
        )
        if await services.access.may_modify(resource, user_id):
            allowed.add(conversation.conversation_id)
    return frozenset(allowed)


async def delete_conversation(services: Services, conversation_id: str, hard: bool) -> None:
    await services.tavus.conversations.delete(conversation_id, hard=hard)


LISTING = Listing(fetch=fetch_page, lines=page_lines, filters=("active", "ended"))
DELETION = Deletion(
    delete=delete_conversation,
    consequence="Its record in Tavus is removed.",
    hard_consequence="Its recording, transcript and other artifacts are deleted too.",
)


async def handle_end_button(
    ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, services: Services
) -> None:
    await ack()
    conversation_id = str(body["actions"][0].get("value") or "")
    try:
        text = await end_conversation(services, conversation_id, body["user"]["id"])
    except TavusError as exc:
        text = tavus_refused(exc)
    except ValueError:  # not an id: a forged button value
        logger.warning("an End button carried %r", conversation_id[:40])
        return
    await say_privately(respond, text)


async def handle_join_click(ack: AsyncAck) -> None:
    await ack()  # the button opens its URL in the browser; Slack still wants an ack
