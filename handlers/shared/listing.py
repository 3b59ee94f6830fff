"""`/tavus <noun> [list]`, ten at a time, and the "More" button under every listing."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.blocks import listing as blocks
from bot.domain.nouns import BY_KIND
from bot.services import Services
from bot.tavus import TavusError
from handlers.shared.families import CommandRequest, Families, Family
from handlers.shared.replies import say_privately, tavus_refused

logger = logging.getLogger(__name__)


async def handle_list(request: CommandRequest) -> None:
    family = request.family
    assert family is not None and family.listing is not None
    words = request.command.words
    filter_word = words[0].lower() if words else None
    if family.listing.search:
        filter_word = blocks.search_text(request.command.text)
    elif filter_word is not None and filter_word not in family.listing.filters:
        options = " or ".join(f"`{f}`" for f in family.listing.filters)
        noun = BY_KIND[family.kind].plural
        hint = f"Filter {noun} by {options}." if options else f"{noun.capitalize()} take no filter."
        await request.say_privately(hint)
        return
    text, page = await page_of(request.services, family, request.viewer, 1, filter_word)
    await request.say_listing(text, page)


async def page_of(
    services: Services, family: Family, viewer: str | None, number: int, filter_word: str | None
) -> tuple[str, list[dict[str, Any]]]:
    listing = family.listing
    assert listing is not None
    page = await listing.fetch(services, number, listing.page_size, filter_word)
    lines = await listing.lines(services, page.items, viewer)
    return blocks.page_message(
        kind=family.kind,
        lines=lines,
        page=page.page,
        page_size=page.limit,
        total=page.total_count,
        filter_word=filter_word,
        has_more=page.has_more,
        search=listing.search,
    )


async def handle_list_more(
    ack: AsyncAck,
    body: dict[str, Any],
    respond: AsyncRespond,
    services: Services,
    families: Families,
) -> None:
    await ack()
    parsed = blocks.parse_more_value(str(body["actions"][0].get("value") or ""))
    family = families.get(parsed[0]) if parsed else None
    if parsed is None or family is None or family.listing is None:
        logger.warning("a More button carried a value no listing knows")
        return
    _, number, filter_word = parsed
    listing = family.listing
    if filter_word is not None and not listing.search and filter_word not in listing.filters:
        return
    try:
        text, page = await page_of(services, family, body["user"]["id"], number, filter_word)
    except TavusError as exc:
        await say_privately(respond, tavus_refused(exc))
        return
    await say_privately(respond, text, page)
