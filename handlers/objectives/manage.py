"""List, show and delete objective sets: the verbs, and what the shared pieces need."""

from __future__ import annotations

from collections.abc import Sequence

from bot.blocks import objectives as blocks
from bot.blocks import pickers
from bot.domain import objectives as domain
from bot.services import Services
from bot.tavus import ObjectiveSet, Page
from handlers.shared.families import CommandRequest, Deletion, Listing

KIND = domain.KIND


async def handle_show(request: CommandRequest) -> None:
    services = request.services
    found = await services.tavus.objectives.get(request.command.words[0])
    urls = [o.callback_url for o in found.objectives]
    text, details = blocks.objectives_details(found, relayed=await reports_here(services, urls))
    await request.say_listing(text, details)


async def reports_here(services: Services, callback_urls: Sequence[str | None]) -> bool:
    """Whether Tavus calls this app back about a set: one of its members carries the URL of
    a token we hold (the set was created here, with a public URL)."""
    for url in callback_urls:
        token = (url or "").rstrip("/").rpartition("/")[2]
        if not token or services.settings.callback_url(token) != url:
            continue
        if await services.store.get_resource_by_token(token=token) is not None:
            return True
    return False


async def fetch_page(
    services: Services, number: int, size: int, filter_word: str | None
) -> Page[ObjectiveSet]:
    return await services.tavus.objectives.list(page=number, limit=size)


async def page_lines(
    services: Services, sets: Sequence[ObjectiveSet], viewer: str | None
) -> list[str]:
    return [blocks.objectives_line(found) for found in sets]


async def delete_objectives(services: Services, objectives_id: str, hard: bool) -> None:
    try:
        await services.tavus.objectives.delete(objectives_id)
    finally:  # gone, or already gone: the personas' picker must not offer it
        services.choices.forget(pickers.cache_key(pickers.OBJECTIVES_PICKER))


LISTING = Listing(fetch=fetch_page, lines=page_lines)
DELETION = Deletion(
    delete=delete_objectives,
    consequence="Personas that use these objectives no longer steer their calls towards them.",
)
