"""Objective events: an objective of a set completed in a call.

Tavus posts `{conversation_id, objective_name, output_variables}` to the objective's
callback_url (tavus-callbacks.md): a set created from Slack carries its own token, so the
body reaches this interpreter, which sends the message to that conversation's thread
(``ThreadOf``; the set's own place when the call is not one of ours). The conversation's
interpreter relays the same body with ``completed`` when it arrives at the call's URL.
Nothing is polled: Tavus has no GET for completions, so a set is finished once created.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from bot.blocks import objectives as blocks
from bot.blocks.text import as_text, truncate
from bot.domain import objectives as domain
from bot.domain.conversations import KIND as CONVERSATION
from bot.domain.nouns import BY_KIND
from bot.events.base import Interpretation, Polled, ThreadOf, fingerprint, reply
from bot.events.by_status import unreadable
from storage import Resource

Body = Mapping[str, Any]

NAME_KEY_MAX = 200  # of a dedup key: an objective's name, before it is shown
# Keys that differ between deliveries of one event (a retry, the URL it was sent to).
VOLATILE_KEYS = frozenset({"webhook_url", "callback_url", "timestamp", "updated_at"})


def interpret_objective(resource: Resource, body: Body) -> Interpretation:
    if "objective_name" not in body:
        return unreadable(domain.UNKNOWN, None, body)  # stored, never posted
    conversation_id = conversation_of(body)
    found = completed(body, conversation_id=conversation_id, objectives_id=resource.tavus_id)
    if conversation_id is None:  # a call we cannot name: each distinct body is one event
        return replace(found, dedup_key=f"{domain.COMPLETED}:?:{fingerprint(stable_body(body))}")
    return found


def completed(
    body: Body, *, conversation_id: str | None = None, objectives_id: str | None = None
) -> Interpretation:
    """An objective completes once per call: the call and the name are the event.

    ``conversation_id``: the call the body names, when it reached the set's URL (the message
    goes to that call's thread); None when it reached the call's own URL."""
    name = truncate(as_text(body.get("objective_name")), NAME_KEY_MAX)
    text, message = blocks.completed_message(
        name,
        body.get("output_variables"),
        conversation_id=conversation_id,
        objectives_id=objectives_id,
    )
    scope = f"{conversation_id}:" if conversation_id else ""
    return Interpretation(
        dedup_key=f"{domain.COMPLETED}:{scope}{name}",
        event_type=domain.COMPLETED,
        drafts=(reply(text, message),),
        thread_of=ThreadOf(CONVERSATION, conversation_id) if conversation_id else None,
        thread_dedup_key=f"{domain.COMPLETED}:{name}",  # the call's own key for it
    )


def conversation_of(body: Body) -> str | None:
    """The call a body names, if it names one the way Tavus writes conversation ids."""
    value = body.get("conversation_id")
    if isinstance(value, str) and BY_KIND[CONVERSATION].is_id(value):
        return value
    return None


def stable_body(body: Body) -> dict[str, Any]:
    """The body without what changes from one delivery of the same event to the next."""
    return {key: value for key, value in body.items() if key not in VOLATILE_KEYS}


def objective_finished(
    resource: Resource, seen: frozenset[str], polled: Polled | None, now: float
) -> bool:
    return True  # nothing to poll: completions only come by callback
