"""List, show, rename and delete videos."""

from __future__ import annotations

from collections.abc import Sequence

from bot.blocks import videos as blocks
from bot.domain.videos import KIND
from bot.services import Services
from bot.tavus import BadRequest, Page, Video
from handlers.shared.families import CommandRequest, Deletion, Listing, Renaming


async def handle_show(request: CommandRequest) -> None:
    video = await request.services.tavus.videos.get(request.command.words[0], verbose=True)
    text, details = blocks.video_details(video)
    await request.say_listing(text, details)


async def fetch_page(
    services: Services, number: int, size: int, filter_word: str | None
) -> Page[Video]:
    """Page ``number`` counted from 1, whether Tavus counts video pages from 0 or from 1
    (its spec and its docs disagree: tavus-notes.md), learnt from the first two pages."""
    videos = services.tavus.videos
    first = await _page_or_none(services, 0, size)
    if first is None or not first.items:
        return _numbered(await videos.list(page=number, limit=size), number, size)
    second = await videos.list(page=1, limit=size)
    if second.items and second.items[0].video_id == first.items[0].video_id:
        found = second if number == 1 else await videos.list(page=number, limit=size)
    else:  # counted from 0
        known = {1: first, 2: second}
        found = known.get(number) or await videos.list(page=number - 1, limit=size)
    return _numbered(found, number, size)


async def _page_or_none(services: Services, page: int, size: int) -> Page[Video] | None:
    try:
        return await services.tavus.videos.list(page=page, limit=size)
    except BadRequest:  # "Invalid page": pages count from 1
        return None


def _numbered(page: Page[Video], number: int, size: int) -> Page[Video]:
    """The page as the listing counts it; a total Tavus did not send is what was seen."""
    total = page.total_count if page.total_count > 0 else (number - 1) * size + len(page.items)
    return Page(items=page.items, total_count=total, page=number, limit=size)


async def page_lines(services: Services, videos: Sequence[Video], viewer: str | None) -> list[str]:
    return [blocks.video_line(video) for video in videos]


async def rename_video(services: Services, video_id: str, name: str) -> None:
    await services.tavus.videos.rename(video_id, name)


async def delete_video(services: Services, video_id: str, hard: bool) -> None:
    await services.tavus.videos.delete(video_id, hard=hard)


LISTING = Listing(fetch=fetch_page, lines=page_lines)
RENAMING = Renaming(rename=rename_video)
DELETION = Deletion(
    delete=delete_video,
    consequence="Its page, download and stream links stop working.",
    hard_consequence="Its thumbnails and every rendered asset are destroyed too.",
)

__all__ = ["DELETION", "KIND", "LISTING", "RENAMING", "handle_show"]
