"""List, show and delete guardrail sets: the verbs, and what the shared pieces need."""

from __future__ import annotations

from collections.abc import Sequence

from bot.blocks import guardrails as blocks
from bot.blocks import pickers
from bot.domain import guardrails as domain
from bot.services import Services
from bot.tavus import GuardrailSet, Page
from handlers.objectives.manage import reports_here
from handlers.shared.families import CommandRequest, Deletion, Listing

KIND = domain.KIND


async def handle_show(request: CommandRequest) -> None:
    services = request.services
    found = await services.tavus.guardrails.get(request.command.words[0])
    urls = [g.callback_url for g in found.guardrails]
    text, details = blocks.guardrails_details(found, relayed=await reports_here(services, urls))
    await request.say_listing(text, details)


async def fetch_page(
    services: Services, number: int, size: int, filter_word: str | None
) -> Page[GuardrailSet]:
    return await services.tavus.guardrails.list(page=number, limit=size)


async def page_lines(
    services: Services, sets: Sequence[GuardrailSet], viewer: str | None
) -> list[str]:
    return [blocks.guardrails_line(found) for found in sets]


async def delete_guardrails(services: Services, guardrails_id: str, hard: bool) -> None:
    try:
        await services.tavus.guardrails.delete(guardrails_id)
    finally:  # gone, or already gone: the personas' picker must not offer it
        services.choices.forget(pickers.cache_key(pickers.GUARDRAILS_PICKER))


LISTING = Listing(fetch=fetch_page, lines=page_lines)
DELETION = Deletion(
    delete=delete_guardrails,
    consequence="Personas that use these guardrails no longer keep to them.",
)
