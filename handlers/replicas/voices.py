"""`/tavus voices [search]`: the stock voices a replica trained from an image can speak with."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.blocks import replicas as blocks
from bot.blocks.text import as_text
from bot.services import Services
from bot.tavus import TavusError
from handlers.shared.families import CommandRequest
from handlers.shared.replies import say_privately, tavus_refused

logger = logging.getLogger(__name__)

PAGE_SIZE = 10


async def handle_voices(request: CommandRequest) -> None:
    search = " ".join(as_text(request.command.text).split()) or None
    if search is not None and len(search) > blocks.SEARCH_MAX:
        await request.say_privately(
            f"Search for part of a voice's name, under {blocks.SEARCH_MAX} characters."
        )
        return
    text, page = await voices_page_of(request.services, 1, search)
    await request.say_privately(text, page)


async def voices_page_of(
    services: Services, number: int, search: str | None
) -> tuple[str, list[dict[str, Any]]]:
    page = await services.tavus.voices.list(search=search, page=number, limit=PAGE_SIZE)
    return blocks.voices_page(
        lines=[blocks.voice_line(voice) for voice in page.items],
        page=page.page,
        page_size=page.limit,
        total=page.total_count,
        search=search,
        has_more=page.has_more,
    )


async def handle_voices_more(
    ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, services: Services
) -> None:
    await ack()
    parsed = blocks.parse_voices_more(str(body["actions"][0].get("value") or ""))
    if parsed is None:
        logger.warning("a voices More button carried a value it never had")
        return
    number, search = parsed
    try:
        text, page = await voices_page_of(services, number, search)
    except TavusError as exc:
        await say_privately(respond, tavus_refused(exc))
        return
    await say_privately(respond, text, page)
