from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from bot.events.base import Interpretation, MalformedEvent
from bot.events.conversations import interpret_conversation
from bot.notifier import Notifier
from storage import Resource, Store

logger = logging.getLogger(__name__)

Interpreter = Callable[[Resource, Mapping[str, Any]], Interpretation]
INTERPRETERS: dict[str, Interpreter] = {"conversation": interpret_conversation}


def interpret(resource: Resource, body: Mapping[str, Any]) -> Interpretation:
    interpreter = INTERPRETERS.get(resource.kind)
    if interpreter is None:
        raise MalformedEvent(f"no callbacks are expected for a {resource.kind}")
    return interpreter(resource, body)


async def ingest(
    *, store: Store, notifier: Notifier, resource: Resource, body: Mapping[str, Any]
) -> bool:
    """Stores the event and its posts in one transaction; False when it was seen before."""
    found = interpret(resource, body)
    event = await store.record_event(
        resource_id=resource.id,
        dedup_key=found.dedup_key,
        event_type=found.event_type,
        payload=dict(body),
        outbox=found.drafts,
        status=found.status,
        details=found.details or None,
    )
    if event is None:
        logger.debug("duplicate %s for %s %s", found.event_type, resource.kind, resource.tavus_id)
        return False
    logger.info("event %s for %s %s", found.event_type, resource.kind, resource.tavus_id)
    if found.drafts:
        notifier.wake()
    return True
