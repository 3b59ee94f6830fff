"""List, show and delete personas: the verbs, and what the shared pieces need."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from bot.blocks import personas as blocks
from bot.blocks import pickers
from bot.domain import personas as domain
from bot.services import Services
from bot.tavus import Page, Persona
from handlers.shared.families import CommandRequest, Deletion, Listing
from handlers.shared.pickers import names_of

logger = logging.getLogger(__name__)


async def names_for(services: Services, persona: Persona) -> blocks.Names:
    """Names for what the persona points at, from the pickers' lists (fetched together)."""
    wanted = {
        "replicas": pickers.REPLICA_PICKER if persona.default_replica_id else None,
        "documents": pickers.DOCUMENT_PICKER if persona.document_ids else None,
        "objectives": pickers.OBJECTIVES_PICKER if persona.objectives_id else None,
        "guardrails": (
            pickers.GUARDRAILS_PICKER if persona.guardrails_id or persona.guardrail_ids else None
        ),
        "dictionaries": pickers.DICTIONARY_PICKER if persona.pronunciation_dictionary_id else None,
    }
    asked = {field: action for field, action in wanted.items() if action is not None}
    found = await asyncio.gather(*(names_of(services, action) for action in asked.values()))
    return blocks.Names(**dict(zip(asked, found, strict=True)))


async def handle_show(request: CommandRequest) -> None:
    services = request.services
    persona = await services.tavus.personas.get(request.command.words[0])
    text, details = blocks.persona_details(persona, await names_for(services, persona))
    await request.say_listing(text, details)


async def fetch_page(
    services: Services, number: int, size: int, persona_type: str | None
) -> Page[Persona]:
    return await services.tavus.personas.list(page=number, limit=size, persona_type=persona_type)


async def page_lines(
    services: Services, personas: Sequence[Persona], viewer: str | None
) -> list[str]:
    return [blocks.persona_line(persona) for persona in personas]


async def delete_persona(services: Services, persona_id: str, hard: bool) -> None:
    try:
        await services.tavus.personas.delete(persona_id)
    finally:
        services.choices.forget(pickers.cache_key(pickers.PERSONA_PICKER))


LISTING = Listing(fetch=fetch_page, lines=page_lines, filters=domain.TYPES)
DELETION = Deletion(
    delete=delete_persona,
    consequence=(
        "New conversations can no longer use it; past conversations, its documents, "
        "objectives and guardrails are kept."
    ),
)
