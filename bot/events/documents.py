"""Document events: the document object, from a callback or a poll, read by its status.

Like videos, the status is the event and the state the dedup key (``processing:40``,
``ready``), so a callback and a poll of one state are one event; progress only refreshes the
card, and the thread hears of the result. A recrawl asked from Slack starts a new generation
(``bot.documents.recrawl``): its states are keyed ``recrawl:2:ready`` and so on, so the
second `ready` is news. News of a run whose result is already known (a late `processing`, a
`ready` seen again) is stored without a post or a change of status.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.blocks import documents as blocks
from bot.blocks.text import as_text, truncate
from bot.domain import documents as domain
from bot.events.base import REFRESH_PARENT, REFRESH_PROGRESS, Interpretation, Polled, reply
from bot.events.by_status import REASON_MAX, stalled, status_of, unreadable
from bot.tavus import NotFound, TavusClient
from bot.tavus.models import progress_percent
from storage import Resource

Body = Mapping[str, Any]


def generation(resource: Resource) -> int:
    """Which recrawl this resource is on: 0 for the first processing."""
    value = resource.details.get(domain.RECRAWL_KEY)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def settled_generation(resource: Resource) -> int | None:
    """The generation whose result (ready or error) is known, or None before the first."""
    value = resource.details.get(domain.SETTLED_KEY)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def dedup_key(generation: int, state: str) -> str:
    return state if generation == 0 else f"recrawl:{generation}:{state}"


def interpret_document(resource: Resource, body: Body) -> Interpretation:
    status = status_of(body)
    if status not in domain.STATUSES:
        return unreadable(domain.UNKNOWN, status, body)
    if status in domain.RUNNING:
        return _running(resource, body, status)
    return _result(resource, body, status)


def _running(resource: Resource, body: Body, status: str) -> Interpretation:
    current = generation(resource)
    percent = _progress(body)
    key = dedup_key(current, status if percent is None else f"{status}:{percent}")
    if resource.status in domain.SETTLED and settled_generation(resource) == current:
        # Late news of a run whose result is known (the same event again, when it was seen
        # in time), or of a recrawl not asked from Slack: kept, changing nothing.
        return Interpretation(dedup_key=key, event_type=domain.EVENT_PREFIX + status)
    return Interpretation(
        dedup_key=key,
        event_type=domain.EVENT_PREFIX + status,
        status=status,
        details={"progress": percent},
        drafts=(REFRESH_PROGRESS,),
    )


def _result(resource: Resource, body: Body, status: str) -> Interpretation:
    settled = settled_generation(resource)
    if resource.status == status and settled is not None:
        # The result already known, seen again (a poll after the callback, or before the
        # recrawl asked for has begun): the same event.
        return Interpretation(
            dedup_key=dedup_key(settled, status), event_type=domain.EVENT_PREFIX + status
        )
    current = generation(resource)
    if settled == current:
        # Another result for a run whose result is known (a contradiction, or a recrawl not
        # asked from Slack): kept, changing nothing.
        return Interpretation(
            dedup_key=dedup_key(current, f"late:{status}"),
            event_type=domain.EVENT_PREFIX + status,
        )
    name = resource.name or _text(body.get("document_name"))
    if status == domain.READY:
        details, message = _ready(body, name, recrawl=current > 0)
    else:
        details, message = _error(resource, body, name, recrawl=current > 0)
    return Interpretation(
        dedup_key=dedup_key(current, status),
        event_type=domain.EVENT_PREFIX + status,
        status=status,
        details={**details, domain.SETTLED_KEY: current, "progress": None},
        drafts=(reply(*message), REFRESH_PARENT),
    )


def _ready(
    body: Body, name: str | None, *, recrawl: bool
) -> tuple[dict[str, Any], tuple[str, list[dict[str, Any]]]]:
    pages = body.get("crawled_urls")
    count = len(pages) if isinstance(pages, list) and pages else None
    details = {"error": None, "pages": count}
    return details, blocks.ready_message(name, pages=count, recrawl=recrawl)


def _error(
    resource: Resource, body: Body, name: str | None, *, recrawl: bool
) -> tuple[dict[str, Any], tuple[str, list[dict[str, Any]]]]:
    reason = _text(body.get("error_message")) or _text(body.get("error"))
    document_id = resource.tavus_id or _text(body.get(domain.ID_KEY)) or ""
    message = blocks.error_message(name, reason, document_id=document_id, recrawl=recrawl)
    return {"error": reason}, message


def _text(value: object) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    text = " ".join(as_text(value).split())
    return truncate(text, REASON_MAX) if text else None


def _progress(body: Body) -> int | None:
    """`progress` is a percentage (0-100); "40/100" and "40%" are read as one too."""
    raw = body.get("progress")
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, int | float):
        raw = str(raw)
    return progress_percent(raw) if isinstance(raw, str) and len(raw) < 40 else None


# -- polling ------------------------------------------------------------------------------


async def poll_document(tavus: TavusClient, resource: Resource) -> Polled:
    """The document as GET shows it, handed over as if Tavus had called back with it."""
    assert resource.tavus_id is not None
    try:
        document = await tavus.documents.get(resource.tavus_id)
    except NotFound:
        return Polled(gone=True)
    return Polled(bodies=(document.raw,), remote_status=document.status)


def document_finished(
    resource: Resource, seen: frozenset[str], polled: Polled | None, now: float
) -> bool:
    """Ready, failed or deleted (a recrawl un-finishes it); or stuck for hours."""
    return resource.status in domain.FINAL or stalled(resource, now)
