"""List, show and delete lip-syncs (Tavus has no rename for them)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.blocks import lipsyncs as blocks
from bot.domain.lipsyncs import DEPRECATION_NOTE, KIND
from bot.services import Services
from bot.tavus import Lipsync, Page
from handlers.shared.families import CommandRequest, Deletion, Listing


async def handle_show(request: CommandRequest) -> None:
    lipsync = await request.services.tavus.lipsync.get(request.command.words[0])
    text, details = blocks.lipsync_details(lipsync, deprecation=DEPRECATION_NOTE)
    await request.say_listing(text, details)


async def fetch_page(
    services: Services, number: int, size: int, filter_word: str | None
) -> Page[Lipsync]:
    return await services.tavus.lipsync.list(page=number, limit=size)


async def page_lines(
    services: Services, lipsyncs: Sequence[Lipsync], viewer: str | None
) -> list[str]:
    return [blocks.lipsync_line(lipsync) for lipsync in lipsyncs]


async def delete_lipsync(services: Services, lipsync_id: str, hard: bool) -> None:
    await services.tavus.lipsync.delete(lipsync_id)


LISTING = Listing(fetch=fetch_page, lines=page_lines)
DELETION = Deletion(
    delete=delete_lipsync,
    consequence="The lip-synced video is removed from Tavus and its link stops working.",
)

__all__ = ["DELETION", "KIND", "LISTING", "handle_show"]
