"""Guardrail events: a guardrail of a set was triggered in a call.

Tavus posts `{conversation_id, properties: {guardrail, guardrail_uuid}}` to the guardrail's
callback_url (tavus-callbacks.md); a set created from Slack carries its own token, so the
body reaches this interpreter, which sends a warning to that conversation's thread
(``ThreadOf``; the set's own place when the call is not one of ours). The conversation's
interpreter relays the same body with ``triggered`` when it arrives at the call's URL.
A guardrail may trigger several times in one call: each distinct body is an event.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.blocks import guardrails as blocks
from bot.blocks.text import as_text
from bot.domain import guardrails as domain
from bot.domain.conversations import KIND as CONVERSATION
from bot.events.base import Interpretation, Polled, ThreadOf, fingerprint, reply
from bot.events.by_status import unreadable
from bot.events.objectives import conversation_of, stable_body
from storage import Resource

Body = Mapping[str, Any]


def interpret_guardrail(resource: Resource, body: Body) -> Interpretation:
    if guardrail_name(body) is None and not _properties(body).get("guardrail_uuid"):
        return unreadable(domain.UNKNOWN, None, body)  # not a trigger: stored, never posted
    return triggered(body, conversation_id=conversation_of(body), guardrails_id=resource.tavus_id)


def triggered(
    body: Body, *, conversation_id: str | None = None, guardrails_id: str | None = None
) -> Interpretation:
    """``conversation_id``: the call the body names, when it reached the set's URL (the
    warning goes to that call's thread); None when it reached the call's own URL."""
    text, message = blocks.triggered_message(
        guardrail_name(body), conversation_id=conversation_id, guardrails_id=guardrails_id
    )
    key = f"{domain.TRIGGERED}:{fingerprint(stable_body(body))}"
    return Interpretation(
        dedup_key=key,
        event_type=domain.TRIGGERED,
        drafts=(reply(text, message),),
        thread_of=ThreadOf(CONVERSATION, conversation_id) if conversation_id else None,
        thread_dedup_key=key,  # the same body at the call's URL is the same trigger
    )


def guardrail_name(body: Body) -> object | None:
    """The triggered guardrail's name: `properties.guardrail`, or a flat `guardrail_name`."""
    for value in (_properties(body).get("guardrail"), body.get("guardrail_name")):
        if value is not None and as_text(value).strip():
            return value
    return None


def guardrail_finished(
    resource: Resource, seen: frozenset[str], polled: Polled | None, now: float
) -> bool:
    return True  # nothing to poll: triggers only come by callback


def _properties(body: Body) -> Mapping[str, Any]:
    properties = body.get("properties")
    return properties if isinstance(properties, Mapping) else {}
