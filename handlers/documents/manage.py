"""List (by tag and name), show, rename, retag, recrawl and delete documents."""

from __future__ import annotations

from collections.abc import Sequence

from bot import documents as core
from bot.blocks import documents as blocks
from bot.blocks.text import code, escape, truncate
from bot.domain import documents as domain
from bot.events.base import REFRESH_PARENT
from bot.services import Services
from bot.tavus import BadRequest, Document, DocumentBusy, Page, RecrawlCooldown
from handlers.shared.families import CommandRequest, Deletion, Listing, Renaming
from handlers.shared.permissions import refusal
from handlers.shared.replies import tavus_refused

KIND = domain.KIND
NOT_CRAWLED = "Only a website added with a crawl (the form's crawl fields) can be recrawled."


async def handle_show(request: CommandRequest) -> None:
    document = await request.services.tavus.documents.get(request.command.words[0])
    text, details = blocks.document_details(document)
    await request.say_listing(text, details)


# -- the listing -----------------------------------------------------------------------------


def search_terms(search: str | None) -> tuple[tuple[str, ...], str | None]:
    """`#pricing #faq onboarding deck` -> the tags, and the rest to match names or ids."""
    words = (search or "").split()
    tags = [tag for word in words if word.startswith("#") and (tag := domain.tag_name(word))]
    rest = " ".join(word for word in words if not word.startswith("#"))
    return tuple(dict.fromkeys(tags)), rest or None


async def fetch_page(
    services: Services, number: int, size: int, search: str | None
) -> Page[Document]:
    """Page ``number`` counted from 1; Tavus counts document pages from 0."""
    tags, name = search_terms(search)
    page = await services.tavus.documents.list(
        page=number - 1, limit=size, name_or_uuid=name, tags=tags or None
    )
    total = page.total_count if page.total_count > 0 else (number - 1) * size + len(page.items)
    return Page(items=page.items, total_count=total, page=number, limit=size)


async def page_lines(
    services: Services, documents: Sequence[Document], viewer: str | None
) -> list[str]:
    return [blocks.document_line(document) for document in documents]


# -- changes ---------------------------------------------------------------------------------


async def handle_retag(request: CommandRequest) -> None:
    """Replace the tags (Tavus replaces the whole list); none clears them."""
    document_id, words = request.command.words[0], request.command.text.replace(",", " ").split()
    bad = next((word for word in words if domain.tag_name(word) is None), None)
    if bad is not None:
        await request.say_privately(
            f"{code(bad[:40])} cannot be a tag: one word of at most {domain.TAG_MAX} characters, "
            f"like `/tavus document retag {document_id} #onboarding #pricing`."
        )
        return
    tags = list(domain.tags_in(" ".join(words)))
    if len(tags) > domain.TAGS_MAX:
        await request.say_privately(f"Give at most {domain.TAGS_MAX} tags.")
        return
    services = request.services
    if refused := await _refusal(request, "retag"):
        await request.say_privately(refused)
        return
    await services.tavus.documents.update(document_id, tags=tags)
    await _remember(services, document_id, tags)
    shown = blocks.tag_words(tags)
    said = f"are now {shown}" if shown else "are cleared"
    await request.say_privately(f":label: The tags of document {code(document_id)} {said}.")


async def _remember(services: Services, document_id: str, tags: list[str]) -> None:
    resource = await services.store.get_resource(kind=KIND, tavus_id=document_id)
    if resource is None:
        return
    await services.store.update_resource(resource_id=resource.id, details={"tags": tags})
    await services.store.enqueue(resource_id=resource.id, drafts=[REFRESH_PARENT])
    services.notifier.wake()


async def handle_recrawl(request: CommandRequest) -> None:
    document_id, services = request.command.words[0], request.services
    if refused := await _refusal(request, "recrawl"):
        await request.say_privately(refused)
        return
    resource = await services.store.get_resource(kind=KIND, tavus_id=document_id)
    try:
        await core.recrawl(services, document_id, user_id=request.user_id, resource=resource)
    except (DocumentBusy, RecrawlCooldown) as exc:
        said = escape(truncate(exc.message.strip().rstrip("."), 300))
        await request.say_privately(f":hourglass: {escape(exc.user_message)} (Tavus says: {said}.)")
        return
    except BadRequest as exc:
        await request.say_privately(f"{tavus_refused(exc)} {NOT_CRAWLED}")
        return
    if resource is None:
        await request.say_privately(
            f":arrows_counterclockwise: Tavus is crawling {code(document_id)} again. It was not "
            f"added from Slack, so no card follows it: `/tavus document show {document_id}` "
            "says how it is going."
        )
        return
    await request.say_privately(
        f":arrows_counterclockwise: Tavus is crawling {code(document_id)} again; its card says "
        "so, and the result comes in the card's thread."
    )


async def _refusal(request: CommandRequest, verb: str) -> str | None:
    return await refusal(
        request.services,
        kind=KIND,
        tavus_id=request.command.words[0],
        user_id=request.user_id,
        verb=verb,
    )


async def rename_document(services: Services, document_id: str, name: str) -> None:
    await services.tavus.documents.update(document_id, document_name=name)
    core.forget_picker(services)


async def delete_document(services: Services, document_id: str, hard: bool) -> None:
    await services.tavus.documents.delete(document_id)
    core.forget_picker(services)


LISTING = Listing(fetch=fetch_page, lines=page_lines, search=True)
RENAMING = Renaming(rename=rename_document, max_length=domain.NAME_MAX)
DELETION = Deletion(
    delete=delete_document,
    consequence="Personas and calls that use it lose it from their knowledge base.",
)
