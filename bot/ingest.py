"""Turns what Tavus reports (a callback body or a polled event) into stored events and posts.

Callbacks and the poller both go through ``ingest``, so a thread looks the same either way.
Lenient: every body for a known resource is stored and acknowledged, unless it names another
resource; an interpreter that fails still leaves the event stored, with a log line.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from bot.blocks.text import as_text
from bot.choices import ChoiceCache
from bot.events.base import Interpretation, MalformedEvent, fingerprint
from bot.kinds import ResourceKind, kind_of
from bot.notifier import Notifier
from storage import Resource, Store

logger = logging.getLogger(__name__)

UNREADABLE = "unreadable"


def named_id(kind: ResourceKind, body: Mapping[str, Any]) -> tuple[str, str] | None:
    """(key, id): the id this body says it is about, under the first of its kind's names
    that it uses (the current one, then older ones: as the client reads it). None: unsaid."""
    for key in kind.id_keys:
        value = body.get(key)
        if value is not None and not isinstance(value, bool):
            return key, as_text(value)[:200]
    return None


def check_identity(resource: Resource, body: Mapping[str, Any]) -> None:
    """A token is one resource's: a body naming another one is refused (400), not stored."""
    named = named_id(kind_of(resource), body)
    if named is not None and resource.tavus_id is not None and named[1] != resource.tavus_id:
        raise MalformedEvent(f"{named[0]} does not match this callback URL")


def interpret(resource: Resource, body: Mapping[str, Any]) -> Interpretation:
    check_identity(resource, body)
    kind = kind_of(resource)
    try:
        found = kind.interpret(resource, body)
    except Exception:  # a bug must not lose the event: keep it, post nothing, say so
        logger.exception("could not interpret a callback for %s %s", resource.kind, resource.id)
        return Interpretation(dedup_key=f"{UNREADABLE}:{fingerprint(body)}", event_type=UNREADABLE)
    return after_the_outcome(kind, resource, found)


def after_the_outcome(
    kind: ResourceKind, resource: Resource, found: Interpretation
) -> Interpretation:
    """``found``, unless it is news that comes after the resource's outcome is known (one of
    its kind's ``final`` statuses) and does not move it on: a contradicting result, a late
    progress report, anything after a deletion. That is stored under its own key (seen
    again, a duplicate) but changes nothing and posts nothing: the card and the thread keep
    the outcome they told. The same outcome again passes, and so does a later step (a ready
    video deleted in Tavus)."""
    current = resource.status
    if current not in kind.final or found.status in (None, current):
        return found
    if kind.lifecycle.rank(found.status) > kind.lifecycle.rank(current):
        return found
    return Interpretation(dedup_key=found.dedup_key, event_type=found.event_type)


async def ingest(
    *,
    store: Store,
    notifier: Notifier,
    resource: Resource,
    body: Mapping[str, Any],
    choices: ChoiceCache | None = None,
) -> bool:
    """Stores the event and its posts in one transaction; False when it was seen before.

    ``choices``: the pickers' cache, told to forget what a new event puts out of date."""
    found = interpret(resource, body)
    kind = kind_of(resource)
    thread = await _thread_for(store, resource, found)
    if thread.id != resource.id:  # one event among the thread's, whichever URL it reached
        event = await store.record_event(
            resource_id=thread.id,
            dedup_key=found.thread_dedup_key or found.dedup_key,
            event_type=found.event_type,
            payload=dict(body),
            outbox=found.drafts,
        )
    else:
        event = await store.record_event(
            resource_id=resource.id,
            dedup_key=found.dedup_key,
            event_type=found.event_type,
            payload=dict(body),
            outbox=found.drafts,
            status=found.status,
            status_not_after=kind.lifecycle.not_after(found.status),
            details=found.details or None,
        )
    if event is None:
        logger.debug("duplicate %s for %s %s", found.event_type, resource.kind, resource.tavus_id)
        return False
    logger.info("event %s for %s %s", found.event_type, resource.kind, resource.tavus_id)
    if choices is not None:
        for key in found.stale_choices:
            choices.forget(key)
    if found.drafts:
        notifier.wake()
    return True


async def _thread_for(store: Store, resource: Resource, found: Interpretation) -> Resource:
    """Objective and guardrail events post in their conversation's thread, when we know it."""
    target = found.thread_of
    if target is None:
        return resource
    other = await store.get_resource(kind=target.kind, tavus_id=target.tavus_id)
    return other or resource
