"""Adding a document to the knowledge base, and recrawling one, from Slack.

Adding is a job like a video (``bot.jobs``): the callback token is stored first, then Tavus
is asked, then the card released; processing reaches the card's thread by callback or by
polling. A recrawl starts a new generation of the same resource (``bot.events.documents``):
it is counted before Tavus is asked, so that every word of it, even one that beats Tavus's
answer, is read as news of this recrawl.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from bot.blocks import documents as blocks
from bot.blocks.pickers import DOCUMENT_PICKER, cache_key
from bot.domain import documents as domain
from bot.events.base import REFRESH_PARENT, reply
from bot.events.documents import generation
from bot.ingest import ingest
from bot.jobs import Created, JobStarted, start_job
from bot.services import Services
from bot.tavus import CrawlConfig, Document
from storage import Resource

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DocumentRequest:
    team_id: str
    user_id: str
    channel_id: str
    document_url: str
    name: str | None = None
    tags: tuple[str, ...] = ()
    crawl: CrawlConfig | None = None
    thread_ts: str | None = None


async def start_document(services: Services, request: DocumentRequest) -> JobStarted:
    """Raises TavusError when Tavus refuses (nothing is kept), or jobs.OutcomeUnknown."""

    async def create(callback_url: str | None) -> Created:
        document = await services.tavus.documents.create(
            document_url=request.document_url,
            document_name=request.name,
            tags=list(request.tags) or None,
            crawl=request.crawl,
            callback_url=callback_url,
        )
        return _created(document, request)

    started = await start_job(
        services,
        kind=domain.KIND,
        team_id=request.team_id,
        owner_user_id=request.user_id,
        channel_id=request.channel_id,
        create=create,
        name=request.name,
        thread_ts=request.thread_ts,
    )
    forget_picker(services)
    return started


def forget_picker(services: Services) -> None:
    """The documents picker (a persona's knowledge base) shows the change next time."""
    services.choices.forget(cache_key(DOCUMENT_PICKER))


def _created(document: Document, request: DocumentRequest) -> Created:
    # A result already in the create answer is left for an event to report, so the thread
    # hears of it as it would otherwise: the card says "started" until then.
    status = document.status if document.status in domain.RUNNING else domain.STARTED
    details = {
        "document_url": document.document_url or request.document_url,
        "tags": list(document.tags or request.tags),
        "crawl": document.crawl or dict(request.crawl or {}),
    }
    return Created(
        tavus_id=document.document_id,
        status=status,
        name=document.document_name or request.name,
        details={key: value for key, value in details.items() if value},
    )


async def recrawl(
    services: Services, document_id: str, *, user_id: str, resource: Resource | None
) -> Document:
    """Ask Tavus to crawl the website again; its card (when it has one) goes back to
    "recrawling", and the new result is threaded under it.

    Raises DocumentBusy (409: crawling already), RecrawlCooldown (429: within the hour), or
    another TavusError; the count of recrawls stays raised then, which is harmless: news of
    the result already known is still the same event."""
    if resource is not None:
        resource = await _count_recrawl(services, resource)
    document = await services.tavus.documents.recrawl(document_id)
    if resource is not None:
        await ingest(
            store=services.store,
            notifier=services.notifier,
            resource=resource,
            body=document.raw,
            choices=services.choices,
        )
        text, message = blocks.recrawl_started_message(user_id)
        draft = reply(text, message, update=True)
        await services.store.enqueue(resource_id=resource.id, drafts=[draft, REFRESH_PARENT])
        services.notifier.wake()
    logger.info("user %s asked for a recrawl of document %s", user_id, document_id)
    return document


async def _count_recrawl(services: Services, resource: Resource) -> Resource:
    """The next generation, and back on the poller's list until its result comes."""
    updated = await services.store.update_resource(
        resource_id=resource.id,
        details={domain.RECRAWL_KEY: generation(resource) + 1},
        finished=False,
    )
    return updated or resource


def tags_from_words(words: Sequence[str]) -> tuple[tuple[str, ...], int]:
    """The leading `#tag` words, and how many words they took."""
    tags: list[str] = []
    for word in words:
        tag = domain.tag_name(word) if word.startswith("#") else None
        if tag is None:
            break
        tags.append(tag)
    return tuple(dict.fromkeys(tags)), len(tags)
