"""List, show, rename and delete pronunciation dictionaries."""

from __future__ import annotations

from collections.abc import Sequence

from bot.blocks import dictionaries as blocks
from bot.blocks.pickers import DICTIONARY_PICKER, cache_key
from bot.domain import dictionaries as domain
from bot.services import Services
from bot.tavus import Page, PronunciationDictionary
from handlers.shared.families import CommandRequest, Deletion, Listing, Renaming

KIND = domain.KIND


async def handle_show(request: CommandRequest) -> None:
    dictionary = await request.services.tavus.dictionaries.get(request.command.words[0])
    text, details = blocks.dictionary_details(dictionary)
    await request.say_listing(text, details)


async def fetch_page(
    services: Services, number: int, size: int, filter_word: str | None
) -> Page[PronunciationDictionary]:
    """Page ``number`` counted from 1; Tavus counts dictionary pages from 0."""
    page = await services.tavus.dictionaries.list(page=number - 1, limit=size)
    total = page.total_count if page.total_count > 0 else (number - 1) * size + len(page.items)
    return Page(items=page.items, total_count=total, page=number, limit=size)


async def page_lines(
    services: Services, dictionaries: Sequence[PronunciationDictionary], viewer: str | None
) -> list[str]:
    return [blocks.dictionary_line(dictionary) for dictionary in dictionaries]


async def rename_dictionary(services: Services, dictionary_id: str, name: str) -> None:
    await services.tavus.dictionaries.update(dictionary_id, name=name)
    forget_picker(services)


async def delete_dictionary(services: Services, dictionary_id: str, hard: bool) -> None:
    await services.tavus.dictionaries.delete(dictionary_id)
    forget_picker(services)


def forget_picker(services: Services) -> None:
    """The dictionaries picker (a persona's voice) shows the change next time."""
    services.choices.forget(cache_key(DICTIONARY_PICKER))


LISTING = Listing(fetch=fetch_page, lines=page_lines)
RENAMING = Renaming(rename=rename_dictionary, max_length=domain.NAME_MAX)
DELETION = Deletion(
    delete=delete_dictionary,
    consequence="Personas that speak by it stop using it (Tavus unsets it on each).",
)
